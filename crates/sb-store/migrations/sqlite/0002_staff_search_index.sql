-- Staff lists page in employee-ID order and search a lower-cased text column;
-- one covering index serves both without touching the table rows.
CREATE INDEX ix_staff_employee_search ON staff(employee_id, search_text);
