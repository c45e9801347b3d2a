//! Callback tasks as an import target: a row is a person to call (name,
//! number, the agent by employee ID or name, notes, when the first call is
//! due, China time), added to one callback list; the number is matched to
//! the customer who has it when exactly one customer in the importer's
//! reach does.

use std::collections::HashMap;

use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use sb_core::phone::normalize;
use sb_store::{Actor, CustomerScope, NewCallbackTask, Store};

use super::target::{CellProblem, ImportTarget, MappedRow, RowOutcome, TargetField};
use crate::error::Result;

/// A checked row: the task, and the number's E.164 form for the match.
#[derive(Debug, Clone)]
pub struct CallbackRow {
    pub task: NewCallbackTask,
    pub e164: String,
}

/// The fields a column can fill.
pub fn callback_fields() -> Vec<TargetField> {
    vec![
        TargetField::new(
            "name",
            "姓名 Name",
            &[
                "客户姓名",
                "客户名称",
                "名字",
                "联系人",
                "customer",
                "customer name",
            ],
        ),
        TargetField::new(
            "phone",
            "电话 Phone",
            &[
                "手机",
                "手机号",
                "手机号码",
                "电话号码",
                "号码",
                "联系电话",
                "mobile",
                "number",
                "phone number",
                "tel",
            ],
        )
        .required(),
        TargetField::new(
            "assignee",
            "回访人 Assignee",
            &[
                "坐席",
                "工号",
                "负责人",
                "回访坐席",
                "agent",
                "employee id",
                "staff",
            ],
        ),
        TargetField::new(
            "notes",
            "备注 Notes",
            &["说明", "回访内容", "note", "remark", "remarks"],
        ),
        TargetField::new(
            "due_at",
            "回访时间 Due time",
            &["到期时间", "预约时间", "时间", "due", "due time", "when"],
        ),
    ]
}

/// A due time as people write it, in China time: `2026-12-01 10:00`,
/// with seconds, with slashes, or a bare day (09:00 that day).
pub fn parse_due(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim().replace('/', "-");
    let china = UtcOffset::from_hms(sb_store::BUSINESS_UTC_OFFSET_HOURS, 0, 0).ok()?;
    let full = format_description!(
        version = 2,
        "[year]-[month padding:none]-[day padding:none] [hour padding:none]:[minute][optional [:[second]]]"
    );
    if let Ok(at) = PrimitiveDateTime::parse(&text, &full) {
        return Some(at.assume_offset(china));
    }
    let day = format_description!(
        version = 2,
        "[year]-[month padding:none]-[day padding:none]"
    );
    let date = time::Date::parse(&text, &day).ok()?;
    Some(date.with_hms(9, 0, 0).ok()?.assume_offset(china))
}

/// Tasks for list `list_id`, written as `actor`; customers matched within
/// `scope`; `assignees` maps employee IDs and names to staff ids.
#[derive(Debug)]
pub struct CallbackTarget {
    pub list_id: i64,
    pub actor: Actor,
    pub scope: CustomerScope,
    pub default_area_code: Option<String>,
    pub assignees: HashMap<String, i64>,
    pub now: OffsetDateTime,
    fields: Vec<TargetField>,
}

impl CallbackTarget {
    pub fn new(
        list_id: i64,
        actor: Actor,
        scope: CustomerScope,
        default_area_code: Option<String>,
        assignees: HashMap<String, i64>,
        now: OffsetDateTime,
    ) -> CallbackTarget {
        CallbackTarget {
            list_id,
            actor,
            scope,
            default_area_code,
            assignees,
            now,
            fields: callback_fields(),
        }
    }
}

impl ImportTarget for CallbackTarget {
    type Record = CallbackRow;

    fn code(&self) -> &'static str {
        "callbacks"
    }

    fn fields(&self) -> &[TargetField] {
        &self.fields
    }

    fn check(&self, row: &MappedRow<'_>) -> Result<CallbackRow, Vec<CellProblem>> {
        let mut problems = Vec::new();
        let problem = |column: usize, message: String| CellProblem {
            column: Some(column),
            message,
        };
        let (phone, e164) = match row.value("phone") {
            Some((column, number)) => match normalize(number, self.default_area_code.as_deref()) {
                Ok(n) => (number.to_owned(), n.e164),
                Err(e) => {
                    problems.push(problem(column, format!("`{number}`: {e}")));
                    (String::new(), String::new())
                }
            },
            None => {
                problems.push(CellProblem {
                    column: None,
                    message: "电话 Phone: a number to call is needed".into(),
                });
                (String::new(), String::new())
            }
        };
        let assignee_id = match row.value("assignee") {
            Some((column, who)) => match self.assignees.get(who) {
                Some(id) => Some(*id),
                None => {
                    problems.push(problem(
                        column,
                        format!("`{who}` is not an employee ID or name of someone you reach"),
                    ));
                    None
                }
            },
            None => None,
        };
        let due_at = match row.value("due_at") {
            Some((column, when)) => parse_due(when).unwrap_or_else(|| {
                problems.push(problem(
                    column,
                    format!("`{when}` is not a time such as 2026-12-01 10:00"),
                ));
                self.now
            }),
            None => self.now,
        };
        let name = row
            .value("name")
            .map(|(_, n)| n.to_owned())
            .unwrap_or_default();
        let notes = row
            .value("notes")
            .map(|(_, n)| n.to_owned())
            .unwrap_or_default();
        for (key, text, max) in [("name", &name, 100), ("notes", &notes, 1000)] {
            if text.chars().count() > max
                && let Some((column, _)) = row.value(key)
            {
                problems.push(problem(column, format!("at most {max} characters")));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(CallbackRow {
            task: NewCallbackTask {
                customer_id: None,
                name,
                phone,
                notes,
                assignee_id,
                department_id: None,
                due_at,
            },
            e164,
        })
    }

    async fn write(
        &self,
        store: &Store,
        now: OffsetDateTime,
        _job_id: i64,
        records: Vec<CallbackRow>,
    ) -> Result<Vec<RowOutcome>> {
        let mut tasks = Vec::with_capacity(records.len());
        for record in records {
            let mut task = record.task;
            let found = store
                .customers_by_phone(&record.e164, &self.scope, 2)
                .await?;
            if let [only] = found.as_slice() {
                task.customer_id = Some(only.id);
                if task.name.is_empty() {
                    task.name = only.name.clone();
                }
            }
            tasks.push(task);
        }
        let ids = store
            .add_callback_tasks(now, &self.actor, self.list_id, &tasks)
            .await?;
        Ok(ids.iter().map(|_| RowOutcome::Inserted).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_due;
    use time::macros::datetime;

    #[test]
    fn due_times_as_people_write_them_in_china_time() {
        assert_eq!(
            parse_due("2026-12-01 10:00"),
            Some(datetime!(2026-12-01 02:00 UTC))
        );
        assert_eq!(
            parse_due("2026/12/1 10:00:30"),
            Some(datetime!(2026-12-01 02:00:30 UTC))
        );
        assert_eq!(
            parse_due("2026-12-01"),
            Some(datetime!(2026-12-01 01:00 UTC))
        );
        assert_eq!(parse_due("tomorrow"), None);
    }
}
