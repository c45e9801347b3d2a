//! The demo service desk of the first start: SLA policies on the demo's
//! `standard` calendar and a handful of tickets in different states, so
//! the ticket pages show something before anyone types.

use sb_core::StaffId;
use sb_store::{Actor, Store, TicketKind, TicketPriority, TicketSlaPolicyInput};
use time::OffsetDateTime;

use super::service::{OpenTicket, StepRequest, TicketDesk};
use super::workflow::{Command, DeskActor};
use crate::DeskError;

fn policy(name: &str, priority: &str, response: i64, resolve: i64) -> TicketSlaPolicyInput {
    TicketSlaPolicyInput {
        name: name.into(),
        type_code: String::new(),
        priority: priority.into(),
        calendar_name: "standard".into(),
        response_minutes: response,
        resolve_minutes: resolve,
        reminder_minutes: 30,
        enabled: true,
    }
}

fn ticket(
    type_code: &str,
    subtype: &str,
    priority: TicketPriority,
    subject: &str,
    department: Option<i64>,
) -> OpenTicket {
    OpenTicket {
        kind: TicketKind::Request,
        channel: "phone".into(),
        type_code: type_code.into(),
        subtype_code: subtype.into(),
        priority,
        urgency: priority,
        subject: subject.into(),
        content: String::new(),
        customer_id: None,
        call_id: String::new(),
        custom_fields: serde_json::json!({}),
        department_id: department,
        assignee_id: None,
        note: "演示数据 demo data".into(),
    }
}

/// Loads the demo policies and tickets; the demo people (1001 supervisor,
/// 1002 agent in the inbound team) must exist.
pub async fn seed(store: &Store, now: OffsetDateTime) -> Result<(), DeskError> {
    let system = Actor::system("demo");
    store
        .create_ticket_sla_policy(now, &system, policy("标准 Standard", "", 60, 480))
        .await?;
    store
        .create_ticket_sla_policy(now, &system, policy("紧急 Urgent", "urgent", 15, 120))
        .await?;
    let supervisor = store.staff_by_employee_id("1001").await?;
    let agent = store.staff_by_employee_id("1002").await?;
    let as_actor = |s: &sb_store::Staff| Actor {
        id: Some(StaffId(s.id)),
        employee_id: s.employee_id.clone(),
        name: s.name.clone(),
        ip: String::new(),
    };
    let (boss, worker) = (as_actor(&supervisor), as_actor(&agent));
    let inbound = agent.department_id;
    let desk = TicketDesk::new(store.clone());
    desk.open(
        now,
        &boss,
        ticket(
            "inquiry",
            "inquiry_price",
            TicketPriority::Normal,
            "询问保养套餐价格 Service package prices",
            inbound,
        ),
    )
    .await?;
    let mut urgent = ticket(
        "repair",
        "repair_onsite",
        TicketPriority::Urgent,
        "空调不制冷 Air conditioner not cooling",
        inbound,
    );
    urgent.assignee_id = Some(agent.id);
    let urgent = desk.open(now, &boss, urgent).await?;
    let me = DeskActor {
        staff_id: agent.id,
        department_id: agent.department_id,
        may_dispatch: false,
    };
    let step = |command| StepRequest {
        command,
        note: String::new(),
    };
    desk.step(now, &worker, &me, urgent.id, step(Command::Start))
        .await?;
    let mut complaint = ticket(
        "complaint",
        "complaint_service",
        TicketPriority::High,
        "维修师傅迟到 Technician came late",
        inbound,
    );
    complaint.assignee_id = Some(agent.id);
    let complaint = desk.open(now, &boss, complaint).await?;
    desk.step(now, &worker, &me, complaint.id, step(Command::Resolve))
        .await?;
    Ok(())
}
