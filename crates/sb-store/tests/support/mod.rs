//! Builders shared by the repository tests.

#![allow(dead_code)]

use sb_core::{CallClass, SipSecret};
use sb_store::{
    Actor, AuditFilter, CallerIdMode, DepartmentInput, InboundRouteInput, OutboundRouteInput,
    PageRequest, SipExtensionInput, StaffInput, Store, TargetKind, Transport, TrunkInput,
};

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

pub fn ext(number: &str) -> SipExtensionInput {
    SipExtensionInput {
        extension: number.into(),
        display_name: format!("Phone {number}"),
        call_class: CallClass::Local,
        max_contacts: 2,
        enabled: true,
        record_calls: false,
    }
}

pub fn secret(number: &str, password: &str) -> SipSecret {
    SipSecret::derive(number, "test-realm", password)
}

pub fn trunk(name: &str) -> TrunkInput {
    TrunkInput {
        name: name.into(),
        host: "sip.carrier.example".into(),
        port: 5060,
        transport: Transport::Udp,
        inbound_addresses: vec!["203.0.113.0/24".into(), "198.51.100.7".into()],
        register: false,
        username: String::new(),
        password: None,
        register_expires: 3600,
        max_channels: 0,
        caller_id: "4008009000".into(),
        enabled: true,
        record_calls: false,
    }
}

pub fn inbound(did: &str, trunk_id: Option<i64>, target: &str) -> InboundRouteInput {
    InboundRouteInput {
        did: did.into(),
        trunk_id,
        target_kind: TargetKind::Extension,
        target: target.into(),
        description: String::new(),
        enabled: true,
    }
}

pub fn outbound(name: &str, priority: i64, pattern: &str, trunk_id: i64) -> OutboundRouteInput {
    OutboundRouteInput {
        name: name.into(),
        priority,
        pattern: pattern.into(),
        strip: 0,
        prepend: String::new(),
        trunk_id,
        call_class: CallClass::National,
        caller_id_mode: CallerIdMode::Keep,
        caller_id: String::new(),
        enabled: true,
    }
}

/// The actions of the audit rows about `entity`, newest first.
pub async fn audit_actions(store: &Store, entity: &str) -> Vec<String> {
    let page = store
        .search_audit(
            &AuditFilter {
                entity: Some(entity.into()),
                ..Default::default()
            },
            PageRequest::all(),
        )
        .await
        .expect("audit");
    page.items.into_iter().map(|e| e.action).collect()
}
