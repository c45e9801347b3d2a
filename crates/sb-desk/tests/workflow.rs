//! The ticket workflow, every command from every state: what is allowed,
//! where it leads, and what the refusal says.

use sb_desk::tickets::workflow::{
    ClockEffect, Command, DeskActor, Transition, available_commands, decide,
};
use sb_store::{Ticket, TicketKind, TicketPriority, TicketSla, TicketState};
use time::macros::datetime;

const SUPPORT: i64 = 10;
const BILLING: i64 = 20;
const LI_LEI: i64 = 1;
const HAN_MEI: i64 = 2;

fn ticket(state: TicketState, department: Option<i64>, assignee: Option<i64>) -> Ticket {
    Ticket {
        id: 7,
        serial: "20261124-000001".into(),
        kind: TicketKind::Request,
        channel: "phone".into(),
        type_code: "repair".into(),
        subtype_code: String::new(),
        priority: TicketPriority::Normal,
        urgency: TicketPriority::Normal,
        subject: "no hot water".into(),
        content: String::new(),
        customer_id: None,
        customer_name: None,
        call_id: String::new(),
        custom_fields: serde_json::json!({}),
        state,
        department_id: department,
        department_name: None,
        assignee_id: assignee,
        assignee_name: assignee.map(|id| if id == LI_LEI { "Li Lei" } else { "Han Meimei" }.into()),
        taker_id: Some(99),
        taker_name: None,
        repeat_of_id: None,
        repeat_of_serial: None,
        sla: TicketSla::default(),
        satisfaction: None,
        feedback: String::new(),
        closed_at: None,
        version: 3,
        created_at: datetime!(2026-11-24 09:00 UTC),
        updated_at: datetime!(2026-11-24 09:00 UTC),
    }
}

fn member(id: i64, department: i64) -> DeskActor {
    DeskActor {
        staff_id: id,
        department_id: Some(department),
        may_dispatch: false,
    }
}

fn dispatcher() -> DeskActor {
    DeskActor {
        staff_id: 50,
        department_id: Some(SUPPORT),
        may_dispatch: true,
    }
}

fn ok(t: &Ticket, who: &DeskActor, c: Command) -> Transition {
    decide(t, who, &c).unwrap_or_else(|e| panic!("{c:?} on {:?} refused: {e}", t.state))
}

fn refused(t: &Ticket, who: &DeskActor, c: Command) -> String {
    match decide(t, who, &c) {
        Ok(tr) => panic!("{c:?} on {:?} allowed: {tr:?}", t.state),
        Err(e) => e.to_string(),
    }
}

use TicketState::*;

const ALL_STATES: [TicketState; 7] = [
    New,
    Assigned,
    InProgress,
    PendingCustomer,
    Resolved,
    FollowUp,
    Closed,
];

#[test]
fn a_queued_ticket_is_claimed_by_a_member_of_its_department() {
    let queued = ticket(New, Some(SUPPORT), None);
    let t = ok(&queued, &member(LI_LEI, SUPPORT), Command::Claim);
    assert_eq!(
        (t.to, t.assignee_id, t.department_id),
        (Assigned, Some(LI_LEI), Some(SUPPORT))
    );
    assert!(!t.responds, "claiming is not yet a response");
    assert_eq!(
        refused(&queued, &member(HAN_MEI, BILLING), Command::Claim),
        "claim: ticket is queued for another department"
    );
    let taken = ticket(Assigned, Some(SUPPORT), Some(LI_LEI));
    assert_eq!(
        refused(&taken, &member(HAN_MEI, SUPPORT), Command::Claim),
        "claim: ticket is assigned to Li Lei, not queued"
    );
    assert!(
        refused(
            &ticket(New, None, None),
            &member(LI_LEI, SUPPORT),
            Command::Claim
        )
        .contains("not in a department queue")
    );
}

#[test]
fn claim_is_refused_in_every_state_but_queued() {
    for state in ALL_STATES {
        if state == New {
            continue;
        }
        let t = ticket(state, Some(SUPPORT), Some(LI_LEI));
        let msg = refused(&t, &member(HAN_MEI, SUPPORT), Command::Claim);
        assert!(msg.starts_with("claim: ticket is "), "{msg}");
        assert!(msg.ends_with("not queued"), "{msg}");
    }
}

#[test]
fn release_puts_it_back_in_the_queue() {
    let mine = ticket(Assigned, Some(SUPPORT), Some(LI_LEI));
    let t = ok(&mine, &member(LI_LEI, SUPPORT), Command::Release);
    assert_eq!((t.to, t.assignee_id), (New, None));
    assert!(refused(&mine, &member(HAN_MEI, SUPPORT), Command::Release).contains("not to you"));
    assert!(ok(&mine, &dispatcher(), Command::Release).to == New);
    assert!(
        refused(
            &ticket(Assigned, None, Some(LI_LEI)),
            &member(LI_LEI, SUPPORT),
            Command::Release
        )
        .contains("no department queue")
    );
    for state in [New, InProgress, PendingCustomer, Resolved, FollowUp, Closed] {
        refused(
            &ticket(state, Some(SUPPORT), Some(LI_LEI)),
            &member(LI_LEI, SUPPORT),
            Command::Release,
        );
    }
}

#[test]
fn dispatch_assign_and_hand_over_work_on_open_tickets_only() {
    let d = dispatcher();
    for state in [New, Assigned, InProgress] {
        let t = ticket(state, Some(SUPPORT), Some(LI_LEI));
        let to_queue = ok(
            &t,
            &d,
            Command::Dispatch {
                department_id: BILLING,
            },
        );
        assert_eq!(
            (to_queue.to, to_queue.assignee_id, to_queue.department_id),
            (New, None, Some(BILLING))
        );
        let to_person = ok(
            &t,
            &d,
            Command::Assign {
                staff_id: HAN_MEI,
                department_id: Some(BILLING),
            },
        );
        assert_eq!(
            (to_person.to, to_person.assignee_id, to_person.department_id),
            (Assigned, Some(HAN_MEI), Some(BILLING))
        );
        let handed = ok(
            &t,
            &d,
            Command::HandOver {
                department_id: BILLING,
            },
        );
        assert_eq!(
            (handed.to, handed.assignee_id, handed.department_id),
            (New, None, Some(BILLING))
        );
    }
    for state in [PendingCustomer, Resolved, FollowUp, Closed] {
        let t = ticket(state, Some(SUPPORT), Some(LI_LEI));
        refused(
            &t,
            &d,
            Command::Dispatch {
                department_id: BILLING,
            },
        );
        refused(
            &t,
            &d,
            Command::Assign {
                staff_id: HAN_MEI,
                department_id: None,
            },
        );
        refused(
            &t,
            &d,
            Command::HandOver {
                department_id: BILLING,
            },
        );
    }
    let queued = ticket(New, Some(SUPPORT), None);
    assert!(
        refused(
            &queued,
            &d,
            Command::Dispatch {
                department_id: SUPPORT
            }
        )
        .contains("already queued")
    );
    assert!(
        refused(
            &queued,
            &d,
            Command::HandOver {
                department_id: SUPPORT
            }
        )
        .contains("already with")
    );
    assert!(
        refused(
            &ticket(New, None, None),
            &d,
            Command::HandOver {
                department_id: SUPPORT
            }
        )
        .contains("dispatch it")
    );
    let lis = ticket(Assigned, Some(SUPPORT), Some(LI_LEI));
    assert!(
        refused(
            &lis,
            &d,
            Command::Assign {
                staff_id: LI_LEI,
                department_id: None
            }
        )
        .contains("already")
    );
}

#[test]
fn the_assignee_works_it_through_to_resolved() {
    let li = member(LI_LEI, SUPPORT);
    let assigned = ticket(Assigned, Some(SUPPORT), Some(LI_LEI));
    let started = ok(&assigned, &li, Command::Start);
    assert_eq!(started.to, InProgress);
    assert!(
        started.responds,
        "the assignee's first move is the response"
    );
    assert!(
        !ok(&assigned, &dispatcher(), Command::Start).responds,
        "a stand-in does not respond for them"
    );
    assert!(
        refused(&assigned, &member(HAN_MEI, SUPPORT), Command::Start)
            .contains("assigned to Li Lei, not to you")
    );

    let working = ticket(InProgress, Some(SUPPORT), Some(LI_LEI));
    let waiting = ok(&working, &li, Command::WaitForCustomer);
    assert_eq!(
        (waiting.to, waiting.clock),
        (PendingCustomer, ClockEffect::Pause)
    );
    let pending = ticket(PendingCustomer, Some(SUPPORT), Some(LI_LEI));
    let back = ok(&pending, &li, Command::CustomerReplied);
    assert_eq!((back.to, back.clock), (InProgress, ClockEffect::Resume));
    assert!(refused(&pending, &li, Command::Resolve).contains("pending_customer"));

    for from in [Assigned, InProgress] {
        let t = ok(
            &ticket(from, Some(SUPPORT), Some(LI_LEI)),
            &li,
            Command::Resolve,
        );
        assert_eq!(t.to, Resolved);
        assert!(t.resolves && t.responds);
    }
    for state in [New, PendingCustomer, Resolved, FollowUp, Closed] {
        refused(
            &ticket(state, Some(SUPPORT), Some(LI_LEI)),
            &li,
            Command::Resolve,
        );
        refused(
            &ticket(state, Some(SUPPORT), Some(LI_LEI)),
            &li,
            Command::Start,
        );
    }
    for state in [New, Assigned, PendingCustomer, Resolved, FollowUp, Closed] {
        refused(
            &ticket(state, Some(SUPPORT), Some(LI_LEI)),
            &li,
            Command::WaitForCustomer,
        );
    }
    for state in [New, Assigned, InProgress, Resolved, FollowUp, Closed] {
        refused(
            &ticket(state, Some(SUPPORT), Some(LI_LEI)),
            &li,
            Command::CustomerReplied,
        );
    }
}

#[test]
fn follow_up_close_and_reopen() {
    let li = member(LI_LEI, SUPPORT);
    let resolved = ticket(Resolved, Some(SUPPORT), Some(LI_LEI));
    let fu = Command::FollowUp {
        satisfaction: 4,
        feedback: "quick".into(),
    };
    assert_eq!(ok(&resolved, &li, fu.clone()).to, FollowUp);
    assert!(
        refused(
            &resolved,
            &li,
            Command::FollowUp {
                satisfaction: 6,
                feedback: String::new()
            }
        )
        .contains("1 to 5")
    );
    assert!(
        refused(
            &resolved,
            &li,
            Command::FollowUp {
                satisfaction: 0,
                feedback: String::new()
            }
        )
        .contains("1 to 5")
    );
    for from in [Resolved, FollowUp] {
        let t = ticket(from, Some(SUPPORT), Some(LI_LEI));
        let closed = ok(&t, &li, Command::Close);
        assert!(closed.closes && closed.to == Closed);
        let reopened = ok(&t, &li, Command::Reopen);
        assert!(reopened.reopens);
        assert_eq!(reopened.to, InProgress, "back to whoever had it");
        assert_eq!(
            ok(&ticket(from, Some(SUPPORT), None), &li, Command::Reopen).to,
            New
        );
    }
    for state in [New, Assigned, InProgress, PendingCustomer, Closed] {
        let t = ticket(state, Some(SUPPORT), Some(LI_LEI));
        assert!(refused(&t, &li, Command::Close).contains("not resolved"));
        refused(&t, &li, Command::Reopen);
    }
    for state in [New, Assigned, InProgress, PendingCustomer, FollowUp, Closed] {
        refused(&ticket(state, Some(SUPPORT), Some(LI_LEI)), &li, fu.clone());
    }
}

#[test]
fn notes_fit_every_state_but_closed() {
    for state in ALL_STATES {
        let t = ticket(state, Some(SUPPORT), Some(LI_LEI));
        let result = decide(&t, &member(HAN_MEI, BILLING), &Command::Note);
        assert_eq!(result.is_ok(), state != Closed, "{state:?}");
        if let Ok(tr) = result {
            assert_eq!((tr.to, tr.assignee_id), (state, Some(LI_LEI)));
        }
    }
}

#[test]
fn the_console_offers_only_what_the_state_allows() {
    let li = member(LI_LEI, SUPPORT);
    assert_eq!(
        available_commands(&ticket(New, Some(SUPPORT), None), &li),
        ["assign", "dispatch", "hand_over", "claim", "note"]
    );
    assert_eq!(
        available_commands(&ticket(Assigned, Some(SUPPORT), Some(LI_LEI)), &li),
        [
            "assign",
            "dispatch",
            "hand_over",
            "release",
            "start",
            "resolve",
            "note"
        ]
    );
    assert_eq!(
        available_commands(&ticket(Resolved, Some(SUPPORT), Some(LI_LEI)), &li),
        ["follow_up", "close", "reopen", "note"]
    );
    assert!(available_commands(&ticket(Closed, Some(SUPPORT), Some(LI_LEI)), &li).is_empty());
}
