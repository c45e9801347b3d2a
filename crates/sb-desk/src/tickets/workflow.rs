//! The ticket workflow (W2/W3) as one pure function: given the ticket, who
//! acts and what they ask, either the transition to write or why not.
//!
//! ```text
//!            dispatch / hand_over (to a department queue)
//!   new ──claim / assign──▶ assigned ──start──▶ in_progress ◀──customer_replied──┐
//!    ▲ ◀──────release────────┘   │                 │  └──wait_for_customer──▶ pending_customer
//!    │                           └────resolve──────┴──resolve──▶ resolved ──follow_up──▶ follow_up
//!    └──────────── reopen (nobody has it) ◀──────────────────────────┴─────────┴──close──▶ closed
//! ```
//!
//! `new` with a department and nobody assigned is that department's
//! claimable queue. Permissions (`ticket.work`, `ticket.dispatch`,
//! `ticket.close`) are the API's to check; this module checks what depends
//! on the ticket: its state, its department and who has it.

use sb_store::{Ticket, TicketState};

use crate::IllegalTransition;

/// Who acts, as far as the workflow cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskActor {
    pub staff_id: i64,
    pub department_id: Option<i64>,
    /// Holds `ticket.dispatch`: may act on tickets assigned to others.
    pub may_dispatch: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// To a person (and their department).
    Assign {
        staff_id: i64,
        department_id: Option<i64>,
    },
    /// To a department's queue, where its members claim it.
    Dispatch {
        department_id: i64,
    },
    /// From one department's hands to another's queue, with a note.
    HandOver {
        department_id: i64,
    },
    /// Take a queued ticket of one's own department.
    Claim,
    /// Put a claimed ticket back in its department's queue.
    Release,
    Start,
    WaitForCustomer,
    CustomerReplied,
    Resolve,
    /// The callback after resolution, with the customer's satisfaction (1-5).
    FollowUp {
        satisfaction: u8,
        feedback: String,
    },
    Close,
    Reopen,
    /// A note in the history; the state does not change.
    Note,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Assign { .. } => "assign",
            Command::Dispatch { .. } => "dispatch",
            Command::HandOver { .. } => "hand_over",
            Command::Claim => "claim",
            Command::Release => "release",
            Command::Start => "start",
            Command::WaitForCustomer => "wait_for_customer",
            Command::CustomerReplied => "customer_replied",
            Command::Resolve => "resolve",
            Command::FollowUp { .. } => "follow_up",
            Command::Close => "close",
            Command::Reopen => "reopen",
            Command::Note => "note",
        }
    }
}

/// What the SLA clock does on a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEffect {
    Runs,
    /// Waiting on the customer: stop counting.
    Pause,
    /// The customer answered: count again, deadlines moved by the pause.
    Resume,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub step: &'static str,
    pub to: TicketState,
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub clock: ClockEffect,
    /// The assignee's first move out of new/assigned: the response target is met.
    pub responds: bool,
    pub resolves: bool,
    pub closes: bool,
    /// Back from resolved/follow-up: resolution and closing are undone.
    pub reopens: bool,
}

const OPEN: [TicketState; 3] = [
    TicketState::New,
    TicketState::Assigned,
    TicketState::InProgress,
];

fn who_has(ticket: &Ticket) -> String {
    match (&ticket.assignee_name, ticket.assignee_id) {
        (Some(name), _) => name.clone(),
        (None, Some(id)) => format!("staff {id}"),
        (None, None) => "nobody".to_owned(),
    }
}

/// "ticket is assigned to Li Lei" / "ticket is resolved" / "ticket is queued".
fn describe(ticket: &Ticket) -> String {
    match (ticket.state, ticket.assignee_id) {
        (TicketState::New, None) if ticket.department_id.is_some() => {
            "ticket is queued in its department".to_owned()
        }
        (TicketState::New, None) => "ticket is new and not dispatched".to_owned(),
        (TicketState::Assigned, _) => format!("ticket is assigned to {}", who_has(ticket)),
        (TicketState::InProgress, _) => {
            format!("ticket is in progress with {}", who_has(ticket))
        }
        (state, _) => format!("ticket is {}", state.code()),
    }
}

fn refuse(command: &Command, reason: impl Into<String>) -> IllegalTransition {
    IllegalTransition {
        command: command.name(),
        reason: reason.into(),
    }
}

fn expect_state(
    ticket: &Ticket,
    command: &Command,
    allowed: &[TicketState],
    wanted: &str,
) -> Result<(), IllegalTransition> {
    if allowed.contains(&ticket.state) {
        Ok(())
    } else {
        Err(refuse(
            command,
            format!("{}, not {wanted}", describe(ticket)),
        ))
    }
}

/// The worker steps are the assignee's; a dispatcher may stand in.
fn expect_holder(
    ticket: &Ticket,
    actor: &DeskActor,
    command: &Command,
) -> Result<(), IllegalTransition> {
    if ticket.assignee_id == Some(actor.staff_id) || actor.may_dispatch {
        Ok(())
    } else {
        Err(refuse(command, format!("{}, not to you", describe(ticket))))
    }
}

/// Decides `command` by `actor` on `ticket`.
pub fn decide(
    ticket: &Ticket,
    actor: &DeskActor,
    command: &Command,
) -> Result<Transition, IllegalTransition> {
    let stay = Transition {
        step: command.name(),
        to: ticket.state,
        department_id: ticket.department_id,
        assignee_id: ticket.assignee_id,
        clock: ClockEffect::Runs,
        responds: false,
        resolves: false,
        closes: false,
        reopens: false,
    };
    let by_assignee = ticket.assignee_id == Some(actor.staff_id);
    match command {
        Command::Assign {
            staff_id,
            department_id,
        } => {
            expect_state(ticket, command, &OPEN, "open")?;
            if ticket.assignee_id == Some(*staff_id) {
                return Err(refuse(command, format!("{} already", describe(ticket))));
            }
            Ok(Transition {
                to: TicketState::Assigned,
                assignee_id: Some(*staff_id),
                department_id: department_id.or(ticket.department_id),
                ..stay
            })
        }
        Command::Dispatch { department_id } => {
            expect_state(ticket, command, &OPEN, "open")?;
            if ticket.state == TicketState::New
                && ticket.assignee_id.is_none()
                && ticket.department_id == Some(*department_id)
            {
                return Err(refuse(
                    command,
                    "ticket is already queued in that department",
                ));
            }
            Ok(Transition {
                to: TicketState::New,
                assignee_id: None,
                department_id: Some(*department_id),
                ..stay
            })
        }
        Command::HandOver { department_id } => {
            expect_state(ticket, command, &OPEN, "open")?;
            match ticket.department_id {
                None => Err(refuse(
                    command,
                    "ticket is not with a department yet; dispatch it",
                )),
                Some(current) if current == *department_id => {
                    Err(refuse(command, "ticket is already with that department"))
                }
                Some(_) => Ok(Transition {
                    to: TicketState::New,
                    assignee_id: None,
                    department_id: Some(*department_id),
                    ..stay
                }),
            }
        }
        Command::Claim => {
            if ticket.state != TicketState::New || ticket.assignee_id.is_some() {
                return Err(refuse(command, format!("{}, not queued", describe(ticket))));
            }
            match ticket.department_id {
                None => Err(refuse(
                    command,
                    "ticket is not in a department queue; dispatch it first",
                )),
                Some(d) if actor.department_id != Some(d) => {
                    Err(refuse(command, "ticket is queued for another department"))
                }
                Some(_) => Ok(Transition {
                    to: TicketState::Assigned,
                    assignee_id: Some(actor.staff_id),
                    ..stay
                }),
            }
        }
        Command::Release => {
            expect_state(ticket, command, &[TicketState::Assigned], "assigned")?;
            expect_holder(ticket, actor, command)?;
            if ticket.department_id.is_none() {
                return Err(refuse(
                    command,
                    "ticket has no department queue to go back to",
                ));
            }
            Ok(Transition {
                to: TicketState::New,
                assignee_id: None,
                ..stay
            })
        }
        Command::Start => {
            expect_state(ticket, command, &[TicketState::Assigned], "assigned")?;
            expect_holder(ticket, actor, command)?;
            Ok(Transition {
                to: TicketState::InProgress,
                responds: by_assignee,
                ..stay
            })
        }
        Command::WaitForCustomer => {
            expect_state(ticket, command, &[TicketState::InProgress], "in progress")?;
            expect_holder(ticket, actor, command)?;
            Ok(Transition {
                to: TicketState::PendingCustomer,
                clock: ClockEffect::Pause,
                responds: by_assignee,
                ..stay
            })
        }
        Command::CustomerReplied => {
            expect_state(
                ticket,
                command,
                &[TicketState::PendingCustomer],
                "waiting on the customer",
            )?;
            expect_holder(ticket, actor, command)?;
            Ok(Transition {
                to: TicketState::InProgress,
                clock: ClockEffect::Resume,
                ..stay
            })
        }
        Command::Resolve => {
            expect_state(
                ticket,
                command,
                &[TicketState::Assigned, TicketState::InProgress],
                "being worked on",
            )?;
            expect_holder(ticket, actor, command)?;
            Ok(Transition {
                to: TicketState::Resolved,
                responds: by_assignee,
                resolves: true,
                ..stay
            })
        }
        Command::FollowUp { satisfaction, .. } => {
            expect_state(ticket, command, &[TicketState::Resolved], "resolved")?;
            if !(1..=5).contains(satisfaction) {
                return Err(refuse(
                    command,
                    format!("satisfaction is 1 to 5, got {satisfaction}"),
                ));
            }
            Ok(Transition {
                to: TicketState::FollowUp,
                ..stay
            })
        }
        Command::Close => {
            expect_state(
                ticket,
                command,
                &[TicketState::Resolved, TicketState::FollowUp],
                "resolved",
            )?;
            Ok(Transition {
                to: TicketState::Closed,
                closes: true,
                ..stay
            })
        }
        Command::Reopen => {
            expect_state(
                ticket,
                command,
                &[TicketState::Resolved, TicketState::FollowUp],
                "resolved",
            )?;
            let to = if ticket.assignee_id.is_some() {
                TicketState::InProgress
            } else {
                TicketState::New
            };
            Ok(Transition {
                to,
                reopens: true,
                ..stay
            })
        }
        Command::Note => {
            if ticket.state == TicketState::Closed {
                return Err(refuse(command, "ticket is closed"));
            }
            Ok(stay)
        }
    }
}

/// The commands `actor` could give on `ticket` now (for the console's
/// buttons); targets are placeholders, so only the ticket's side is judged.
pub fn available_commands(ticket: &Ticket, actor: &DeskActor) -> Vec<&'static str> {
    let elsewhere = ticket.department_id.map_or(0, |d| d + 1);
    let candidates = [
        Command::Assign {
            staff_id: -1,
            department_id: None,
        },
        Command::Dispatch {
            department_id: elsewhere,
        },
        Command::HandOver {
            department_id: elsewhere,
        },
        Command::Claim,
        Command::Release,
        Command::Start,
        Command::WaitForCustomer,
        Command::CustomerReplied,
        Command::Resolve,
        Command::FollowUp {
            satisfaction: 5,
            feedback: String::new(),
        },
        Command::Close,
        Command::Reopen,
        Command::Note,
    ];
    candidates
        .iter()
        .filter(|c| decide(ticket, actor, c).is_ok())
        .map(Command::name)
        .collect()
}
