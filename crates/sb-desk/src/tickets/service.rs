//! The desk's ticket service: opens tickets with their SLA deadlines,
//! applies workflow steps (decide on the ticket as read, write onto that
//! version, decide again if someone else got there first), and sweeps SLA
//! deadlines into notifications.

use sb_calendar::Calendar;
use sb_store::{
    Actor, NewNotification, NewTicket, SlaCandidate, Store, StoreError, Ticket, TicketKind,
    TicketPriority, TicketSla, TicketState, TicketStep,
};
use serde_json::Value;
use time::{OffsetDateTime, UtcOffset};

use super::sla::{self, Deadline, NoticeKind};
use super::workflow::{ClockEffect, Command, DeskActor, decide};
use crate::DeskError;

/// How often a step is decided again after losing a race before giving up.
const STEP_ATTEMPTS: usize = 5;

/// The permission whose holders in a department are its heads (escalation).
pub const HEAD_PERMISSION: &str = "ticket.dispatch";

/// A ticket as the caller asks for it; fields validated by the caller.
#[derive(Debug, Clone)]
pub struct OpenTicket {
    pub kind: TicketKind,
    pub channel: String,
    pub type_code: String,
    pub subtype_code: String,
    pub priority: TicketPriority,
    pub urgency: TicketPriority,
    pub subject: String,
    pub content: String,
    pub customer_id: Option<i64>,
    pub call_id: String,
    pub custom_fields: Value,
    /// A department's queue to put it in...
    pub department_id: Option<i64>,
    /// ...or the person to give it to.
    pub assignee_id: Option<i64>,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct StepRequest {
    pub command: Command,
    pub note: String,
}

/// What one SLA sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub tickets: usize,
    pub notifications: u64,
}

#[derive(Debug, Clone)]
pub struct TicketDesk {
    store: Store,
}

fn ms(t: OffsetDateTime) -> u64 {
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

fn at(ms: u64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// A deadline as the console's users read it: China time, to the minute.
fn local_time(ms: i64) -> String {
    let offset =
        UtcOffset::from_hms(sb_store::BUSINESS_UTC_OFFSET_HOURS, 0, 0).unwrap_or(UtcOffset::UTC);
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        }
        Err(_) => ms.to_string(),
    }
}

impl TicketDesk {
    pub fn new(store: Store) -> TicketDesk {
        TicketDesk { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The calendar a policy counts in; `None` (logged) when it is gone or
    /// unreadable, so a broken calendar costs the SLA, not the ticket.
    async fn calendar(&self, name: &str) -> Result<Option<Calendar>, DeskError> {
        if name.is_empty() {
            return Ok(None);
        }
        let stored = match self.store.calendar_by_name(name).await {
            Ok(stored) => stored,
            Err(StoreError::NotFound { .. }) => {
                tracing::warn!(calendar = name, "SLA calendar not found; no deadlines");
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        };
        match Calendar::parse(&stored.document) {
            Ok(calendar) => Ok(Some(calendar)),
            Err(error) => {
                tracing::warn!(calendar = name, %error, "SLA calendar unreadable; no deadlines");
                Ok(None)
            }
        }
    }

    /// The SLA a ticket of this type and priority opens with at `now`.
    async fn sla_for(
        &self,
        now: OffsetDateTime,
        type_code: &str,
        priority: TicketPriority,
    ) -> Result<TicketSla, DeskError> {
        let Some(policy) = self
            .store
            .ticket_sla_policy_for(type_code, priority.code())
            .await?
        else {
            return Ok(TicketSla::default());
        };
        let mut out = TicketSla {
            policy_id: Some(policy.id),
            calendar: policy.calendar_name.clone(),
            reminder_minutes: policy.reminder_minutes,
            ..TicketSla::default()
        };
        if let Some(calendar) = self.calendar(&policy.calendar_name).await? {
            let (response, resolve) = sla::deadlines(
                &calendar,
                ms(now),
                u64::try_from(policy.response_minutes).unwrap_or(0),
                u64::try_from(policy.resolve_minutes).unwrap_or(0),
            );
            out.response_due_at = response.and_then(at);
            out.resolve_due_at = resolve.and_then(at);
        }
        Ok(out)
    }

    /// Opens a ticket: queued in a department, given to a person, or new.
    pub async fn open(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        request: OpenTicket,
    ) -> Result<Ticket, DeskError> {
        let sla = self
            .sla_for(now, &request.type_code, request.priority)
            .await?;
        let state = if request.assignee_id.is_some() {
            TicketState::Assigned
        } else {
            TicketState::New
        };
        let input = NewTicket {
            kind: request.kind,
            channel: request.channel,
            type_code: request.type_code,
            subtype_code: request.subtype_code,
            priority: request.priority,
            urgency: request.urgency,
            subject: request.subject,
            content: request.content,
            customer_id: request.customer_id,
            call_id: request.call_id,
            custom_fields: request.custom_fields,
            state,
            department_id: request.department_id,
            assignee_id: request.assignee_id,
            sla,
            note: request.note,
        };
        Ok(self.store.create_ticket(now, actor, input).await?)
    }

    /// Applies one workflow command; illegal ones come back as
    /// [`DeskError::Illegal`] naming the ticket's state.
    pub async fn step(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        who: &DeskActor,
        id: i64,
        request: StepRequest,
    ) -> Result<Ticket, DeskError> {
        if matches!(request.command, Command::HandOver { .. } | Command::Note)
            && request.note.trim().is_empty()
        {
            return Err(DeskError::invalid(
                "note",
                format!("{} needs a note", request.command.name()),
            ));
        }
        for _ in 0..STEP_ATTEMPTS {
            let ticket = self.store.ticket(id).await?;
            let transition = decide(&ticket, who, &request.command)?;
            let step = self.step_of(now, &ticket, &transition, &request).await?;
            if let Some(done) = self
                .store
                .apply_ticket_step(now, actor, id, ticket.version, step)
                .await?
            {
                return Ok(done);
            }
        }
        Err(DeskError::Contended(id))
    }

    /// The stored form of a transition: SLA clocks stopped, started, met.
    async fn step_of(
        &self,
        now: OffsetDateTime,
        ticket: &Ticket,
        transition: &super::workflow::Transition,
        request: &StepRequest,
    ) -> Result<TicketStep, DeskError> {
        let mut sla = ticket.sla.clone();
        if transition.responds && sla.responded_at.is_none() {
            sla.responded_at = Some(now);
        }
        match transition.clock {
            ClockEffect::Runs => {}
            ClockEffect::Pause => sla.paused_at = Some(now),
            ClockEffect::Resume => {
                if let Some(paused) = sla.paused_at.take()
                    && let Some(calendar) = self.calendar(&sla.calendar).await?
                {
                    let shift = |due: Option<OffsetDateTime>| {
                        due.and_then(|d| {
                            sla::moved_deadline(&calendar, ms(d), ms(paused), ms(now)).and_then(at)
                        })
                    };
                    if sla.responded_at.is_none() {
                        sla.response_due_at = shift(sla.response_due_at);
                    }
                    sla.resolve_due_at = shift(sla.resolve_due_at);
                }
            }
        }
        if transition.resolves {
            sla.resolved_at = Some(now);
        }
        if transition.reopens {
            sla.resolved_at = None;
        }
        let (satisfaction, feedback) = match &request.command {
            Command::FollowUp {
                satisfaction,
                feedback,
            } => (Some(i64::from(*satisfaction)), feedback.clone()),
            _ => (ticket.satisfaction, ticket.feedback.clone()),
        };
        let closed_at = if transition.closes {
            Some(now)
        } else if transition.reopens {
            None
        } else {
            ticket.closed_at
        };
        let interaction = if transition.resolves {
            Some(format!("工单已解决 Ticket resolved: {}", ticket.subject))
        } else if transition.closes {
            Some(format!("工单已关闭 Ticket closed: {}", ticket.subject))
        } else {
            None
        };
        Ok(TicketStep {
            step: transition.step,
            note: request.note.trim().to_owned(),
            state: transition.to,
            department_id: transition.department_id,
            assignee_id: transition.assignee_id,
            sla,
            satisfaction,
            feedback,
            closed_at,
            interaction,
        })
    }

    /// Writes the reminders and escalations due at `now`, each once per
    /// person, ticket and deadline.
    pub async fn sweep(&self, now: OffsetDateTime) -> Result<SweepReport, DeskError> {
        let candidates = self.store.tickets_due_for_sla(now).await?;
        let now_ms = i64::try_from(ms(now)).unwrap_or(i64::MAX);
        let mut notes = Vec::new();
        for ticket in &candidates {
            for notice in sla::notices_due(ticket, now_ms) {
                let recipients = self.recipients(ticket, notice.kind).await?;
                let body = notice_text(ticket, notice.deadline, notice.kind, notice.due_ms);
                notes.extend(recipients.into_iter().map(|staff_id| NewNotification {
                    staff_id,
                    kind: notice.kind.code(),
                    ticket_id: ticket.id,
                    deadline_ms: notice.due_ms,
                    body: body.clone(),
                }));
            }
        }
        let written = self.store.insert_notifications(now, &notes).await?;
        if written > 0 {
            tracing::info!(
                tickets = candidates.len(),
                notifications = written,
                "SLA sweep"
            );
        }
        Ok(SweepReport {
            tickets: candidates.len(),
            notifications: written,
        })
    }

    /// A reminder goes to whoever has the ticket (the department's heads
    /// while it is queued); an escalation to the heads. With nobody to
    /// tell, the taker hears it, so every deadline is told to someone.
    async fn recipients(
        &self,
        ticket: &SlaCandidate,
        kind: NoticeKind,
    ) -> Result<Vec<i64>, DeskError> {
        if kind == NoticeKind::Reminder
            && let Some(assignee) = ticket.assignee_id
        {
            return Ok(vec![assignee]);
        }
        let heads = match ticket.department_id {
            Some(d) => self.store.department_heads(d, HEAD_PERMISSION).await?,
            None => Vec::new(),
        };
        Ok(if heads.is_empty() {
            ticket.taker_id.into_iter().collect()
        } else {
            heads
        })
    }
}

fn notice_text(ticket: &SlaCandidate, deadline: Deadline, kind: NoticeKind, due_ms: i64) -> String {
    let when = local_time(due_ms);
    match kind {
        NoticeKind::Reminder => format!(
            "工单 {serial} 的{label}时限 {when} 将到 / Ticket {serial}: {label} due at {when} — {subject}",
            serial = ticket.serial,
            label = deadline.label(),
            subject = ticket.subject,
        ),
        NoticeKind::Escalation => format!(
            "工单 {serial} 已超过{label}时限 {when} / Ticket {serial} is overdue ({label} was due at {when}) — {subject}",
            serial = ticket.serial,
            label = deadline.label(),
            subject = ticket.subject,
        ),
    }
}
