//! Live calls as others see and steer them (MISSION X4, G4, R2): each call
//! task registers itself here with a command channel; the API lists the
//! calls and sends commands, which the call task carries out in its own
//! loop (one owner per call, no locks around call state).

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::{mpsc, oneshot};

/// Which party of a two-party call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Caller,
    Callee,
}

/// A command for a live call.
#[derive(Debug)]
pub enum CallControl {
    /// `party` holds: it hears nothing and the other party hears music of
    /// `music_class`.
    Hold {
        party: Party,
        music_class: Option<String>,
    },
    Resume,
    StartRecording,
    StopRecording,
    PauseRecording,
    ResumeRecording,
    /// Dials `extension` into the call: a conference member (`Full`), or a
    /// supervisor who listens, whispers (`Whisper`'s `to` is replaced by the
    /// agent's leg: the callee of an incoming call, the caller of an
    /// outgoing one), or barges in.
    AddParty {
        extension: String,
        membership: sb_media::mixer::Membership,
    },
    /// Plays prompts (8 kHz mono samples, already loaded) to `party`.
    Play {
        party: Party,
        prompts: Vec<sb_media::prompt::Prompt>,
        barge_in: bool,
    },
    /// Ends the whole call (`cause` goes to the CDR).
    Hangup {
        cause: String,
    },
    /// Blind transfer (G5): the agent leg drops and the caller is
    /// connected to `target`.
    Transfer {
        target: TransferTarget,
    },
    /// The caller holds with music while the agent talks with `target`
    /// on a new leg.
    Consult {
        target: TransferTarget,
    },
    CompleteConsult,
    CancelConsult,
    /// Caller, agent and consulted party in one conference (G6).
    ConferenceConsult,
    /// A supervisor's `extension` rings and, on answer, takes the agent's
    /// place (S5).
    Intercept {
        extension: String,
    },
    /// Call pickup (G7): while the call rings, `picker` takes it.
    PickUp {
        picker: Picker,
    },
}

/// Who picks a ringing call up, and how their phone joins it.
#[derive(Debug)]
pub enum Picker {
    /// Through the API: the switch rings this extension's phones (with
    /// auto-answer hints) instead of the phones ringing now.
    Ring(PickerParty),
    /// A phone dialled a pickup code: its own INVITE joins the call.
    Invite(Box<PickerInvite>),
}

impl Picker {
    pub(crate) fn party(&self) -> &PickerParty {
        match self {
            Picker::Ring(party) => party,
            Picker::Invite(invite) => &invite.party,
        }
    }
}

/// The picking extension, and the agent signed in there (shown on the
/// call and kept out of distribution while they talk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerParty {
    pub extension: String,
    pub agent: Option<String>,
}

#[derive(Debug)]
pub struct PickerInvite {
    pub(crate) party: PickerParty,
    pub(crate) request: sb_sip::ServerRequest,
    pub(crate) offer: Option<Vec<u8>>,
}

impl PickerInvite {
    /// The call could not be picked up: the picker's INVITE gets `status`.
    pub(crate) async fn refuse(self, status: u16) {
        self.request.respond(status, Vec::new()).await;
    }
}

/// Where a transfer or a consultation goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferTarget {
    Extension(String),
    /// An agent by employee id, at the extension they are signed in with.
    Agent(String),
    /// Back into the ACD, to this queue.
    Queue(String),
    /// A voice flow by name.
    Flow(String),
    /// A number through the outbound routes, within the call class of the
    /// transferring agent's extension.
    Number(String),
}

impl std::fmt::Display for TransferTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, value) = match self {
            TransferTarget::Extension(v) => ("extension", v),
            TransferTarget::Agent(v) => ("agent", v),
            TransferTarget::Queue(v) => ("queue", v),
            TransferTarget::Flow(v) => ("flow", v),
            TransferTarget::Number(v) => ("number", v),
        };
        write!(f, "{kind}:{value}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("no such call (it may have ended)")]
    NoSuchCall,
    #[error("{0}")]
    NotNow(&'static str),
    /// As `NotNow`, with a reason naming what was asked for.
    #[error("{0}")]
    Refused(String),
}

impl From<sb_call::Refused> for ControlError {
    fn from(refused: sb_call::Refused) -> Self {
        ControlError::NotNow(refused.0)
    }
}

/// What the API shows of a live call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveCall {
    pub id: u64,
    pub call_id: String,
    pub direction: &'static str,
    pub caller: String,
    pub callee: String,
    pub started_at: u64,
    pub answered_at: Option<u64>,
    pub held: bool,
    pub recording: bool,
    pub recording_paused: bool,
    /// Keys each party pressed during the call (RFC 4733, SIP INFO or
    /// in-band), at most the last 64.
    pub caller_digits: String,
    pub callee_digits: String,
    /// The queue the caller came through.
    pub queue: Option<String>,
    /// The agent offered or talking (employee id) and the extension
    /// ringing or talking for them.
    pub agent: Option<String>,
    pub agent_extension: Option<String>,
    /// Extensions whose phones ring for the call now (what call pickup
    /// looks for).
    pub ringing: Vec<String>,
}

/// Keeps the last `MAX_DIGITS` keys.
pub(crate) fn push_digit(digits: &mut String, key: char) {
    const MAX_DIGITS: usize = 64;
    if digits.len() >= MAX_DIGITS {
        digits.remove(0);
    }
    digits.push(key);
}

pub(crate) type Reply = oneshot::Sender<Result<(), ControlError>>;

#[derive(Debug)]
struct Entry {
    view: LiveCall,
    commands: mpsc::UnboundedSender<(CallControl, Reply)>,
}

#[derive(Debug, Default)]
pub(crate) struct LiveCalls {
    calls: Mutex<HashMap<u64, Entry>>,
    next: std::sync::atomic::AtomicU64,
}

impl LiveCalls {
    pub(crate) fn register(
        &self,
        view: LiveCall,
    ) -> (u64, mpsc::UnboundedReceiver<(CallControl, Reply)>) {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let (commands, receiver) = mpsc::unbounded_channel();
        if let Ok(mut calls) = self.calls.lock() {
            calls.insert(
                id,
                Entry {
                    view: LiveCall { id, ..view },
                    commands,
                },
            );
        }
        (id, receiver)
    }

    pub(crate) fn update(&self, id: u64, change: impl FnOnce(&mut LiveCall)) {
        if let Ok(mut calls) = self.calls.lock()
            && let Some(entry) = calls.get_mut(&id)
        {
            change(&mut entry.view);
        }
    }

    /// The call as CTI events name it.
    pub(crate) fn subject(&self, id: u64) -> Option<sb_core::cti::CallSubject> {
        let calls = self.calls.lock().ok()?;
        let view = &calls.get(&id)?.view;
        Some(crate::cti::subject(
            view,
            view.queue.as_deref(),
            view.agent.as_deref(),
            view.agent_extension.as_deref(),
        ))
    }

    pub(crate) fn remove(&self, id: u64) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.remove(&id);
        }
    }

    pub(crate) fn list(&self) -> Vec<LiveCall> {
        let mut calls: Vec<LiveCall> = self
            .calls
            .lock()
            .map(|c| c.values().map(|e| e.view.clone()).collect())
            .unwrap_or_default();
        calls.sort_by_key(|c| c.id);
        calls
    }

    pub(crate) async fn control(&self, id: u64, command: CallControl) -> Result<(), ControlError> {
        let sender = self
            .calls
            .lock()
            .ok()
            .and_then(|c| c.get(&id).map(|e| e.commands.clone()))
            .ok_or(ControlError::NoSuchCall)?;
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError((command, _))) = sender.send((command, reply)) {
            // The call ended as the command was sent: a picker's INVITE
            // still gets its answer rather than timing out at the phone.
            if let CallControl::PickUp {
                picker: Picker::Invite(invite),
            } = command
            {
                tokio::spawn(invite.refuse(480));
            }
            return Err(ControlError::NoSuchCall);
        }
        answer.await.unwrap_or(Err(ControlError::NoSuchCall))
    }
}
