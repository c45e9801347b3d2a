//! Builders shared by the repository tests.

#![allow(dead_code)]

use sb_store::{Actor, DepartmentInput, StaffInput};

pub fn actor() -> Actor {
    Actor {
        id: None,
        employee_id: "tester".into(),
        name: "Tester".into(),
        ip: "127.0.0.1".into(),
    }
}

pub fn dept(number: &str, name: &str, parent: Option<i64>) -> DepartmentInput {
    DepartmentInput {
        number: number.into(),
        name: name.into(),
        parent_id: parent,
        sort_order: 0,
    }
}

pub fn person(employee_id: &str, department: Option<i64>, ext: Option<&str>) -> StaffInput {
    StaffInput {
        employee_id: employee_id.into(),
        name: format!("Person {employee_id}"),
        department_id: department,
        work_group: String::new(),
        mobile: format!("1380000{employee_id}"),
        email: String::new(),
        extension: ext.map(Into::into),
        enabled: true,
        role_ids: vec![],
    }
}
