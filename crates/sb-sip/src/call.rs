//! One call's SIP side: the caller's server dialog (leg A) and the callee
//! dialogs the switch dials (legs B1..Bn). The call task owns a `SipCall`,
//! turns its dialog events into [`sb_call::LegEvent`]s and carries out
//! [`sb_call::Action`]s on the right dialog.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;

use rsipstack::dialog::DialogId;
use rsipstack::dialog::dialog::{
    DialogState, DialogStateReceiver, DialogStateSender, TerminatedReason, TransactionHandle,
};
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::headers::make_header;
use rsipstack::sip::{Header, StatusCode, StatusCodeKind, Uri};
use rsipstack::transport::SipAddr;
use sb_call::{LegEvent, LegId};
use tokio::sync::mpsc;
use tracing::debug;

use crate::error::SipError;
use crate::location::Transport;
use crate::request::ServerRequest;
use crate::stack::SipStack;

/// Where and how to send a callee leg's INVITE.
#[derive(Debug, Clone)]
pub struct DialTarget {
    /// Request-URI: a registered contact, or `sip:number@carrier`.
    pub request_uri: String,
    /// The address the INVITE is sent to (the contact's NAT source address).
    pub reach: SocketAddr,
    pub transport: Transport,
    /// Caller identity presented to the callee.
    pub from_user: String,
    pub from_display: Option<String>,
    /// The callee's number in the To header.
    pub to_user: String,
    /// Digest credentials for a carrier that challenges our INVITE.
    pub credentials: Option<TrunkCredentials>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct TrunkCredentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for TrunkCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrunkCredentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl TrunkCredentials {
    pub(crate) fn to_stack(&self) -> rsipstack::dialog::authenticate::Credential {
        rsipstack::dialog::authenticate::Credential {
            username: self.username.clone(),
            password: self.password.clone(),
            realm: None,
            auth_username: None,
        }
    }
}

pub struct SipCall {
    stack: SipStack,
    /// `None` for a call the switch originates (click-to-call): every leg
    /// is one the switch dialled, and leg A does not exist.
    caller: Option<InviteDialog>,
    /// The Call-ID the call is known by: the caller's, or for an originated
    /// call the first dialled leg's.
    call_id: String,
    callees: HashMap<LegId, InviteDialog>,
    legs_by_dialog: HashMap<String, LegId>,
    states_tx: DialogStateSender,
    states: DialogStateReceiver,
    results_tx: mpsc::UnboundedSender<(LegId, LegEvent)>,
    results: mpsc::UnboundedReceiver<(LegId, LegEvent)>,
    pending_reinvites: HashMap<LegId, TransactionHandle>,
    answered: HashSet<LegId>,
    closing: HashSet<LegId>,
    caller_source: SocketAddr,
}

impl std::fmt::Debug for SipCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipCall")
            .field("call_id", &self.call_id)
            .finish_non_exhaustive()
    }
}

fn dialog_key(id: &DialogId) -> String {
    format!("{}\n{}", id.call_id, id.local_tag)
}

fn sdp_headers(sdp: &Option<Vec<u8>>) -> Option<Vec<Header>> {
    sdp.as_ref()
        .map(|_| vec![make_header("Content-Type", "application/sdp".to_owned())])
}

fn body_of(body: &[u8]) -> Option<Vec<u8>> {
    (!body.is_empty()).then(|| body.to_vec())
}

impl ServerRequest {
    /// Takes an initial INVITE into a call: creates the caller's dialog and
    /// lets rsipstack run its server transaction (100 Trying, CANCEL, ACK).
    pub fn into_call(self, stack: &SipStack) -> Result<SipCall, SipError> {
        let ServerRequest { mut tx, source, .. } = self;
        let (states_tx, states) = stack.dialogs.new_dialog_state_channel();
        let caller = stack
            .dialogs
            .get_or_create_server_invite(&tx, states_tx.clone(), None, None)
            .map_err(|e| SipError::Stack(e.to_string()))?;
        let mut handle = caller.clone();
        tokio::spawn(async move {
            if let Err(error) = handle.handle(&mut tx).await {
                debug!(%error, "caller INVITE transaction ended with an error");
            }
        });
        let (results_tx, results) = mpsc::unbounded_channel();
        let mut legs_by_dialog = HashMap::new();
        legs_by_dialog.insert(dialog_key(&caller.id()), LegId::A);
        Ok(SipCall {
            stack: stack.clone(),
            call_id: caller.id().call_id,
            caller: Some(caller),
            callees: HashMap::new(),
            legs_by_dialog,
            states_tx,
            states,
            results_tx,
            results,
            pending_reinvites: HashMap::new(),
            answered: HashSet::new(),
            closing: HashSet::new(),
            caller_source: source,
        })
    }
}

impl SipCall {
    /// A call with no incoming leg: the switch dials every leg itself
    /// (click-to-call rings the agent's phone, then the number). Leg A's
    /// operations do nothing; `source` stands in for the caller's address.
    pub fn outgoing(stack: &SipStack, source: SocketAddr) -> SipCall {
        let (states_tx, states) = stack.dialogs.new_dialog_state_channel();
        let (results_tx, results) = mpsc::unbounded_channel();
        SipCall {
            stack: stack.clone(),
            caller: None,
            call_id: String::new(),
            callees: HashMap::new(),
            legs_by_dialog: HashMap::new(),
            states_tx,
            states,
            results_tx,
            results,
            pending_reinvites: HashMap::new(),
            answered: HashSet::new(),
            closing: HashSet::new(),
            caller_source: source,
        }
    }

    /// Takes another phone's initial INVITE into this call as leg `leg`
    /// (call pickup: the picker's INVITE is answered by this call, not
    /// routed as a call of its own). The dialog is answered with
    /// [`accept_leg`](Self::accept_leg); until then it has sent 100 Trying.
    pub fn adopt(&mut self, leg: LegId, request: ServerRequest) -> Result<(), SipError> {
        let ServerRequest { mut tx, .. } = request;
        let dialog = self
            .stack
            .dialogs
            .get_or_create_server_invite(&tx, self.states_tx.clone(), None, None)
            .map_err(|e| SipError::Stack(e.to_string()))?;
        let mut handle = dialog.clone();
        tokio::spawn(async move {
            if let Err(error) = handle.handle(&mut tx).await {
                debug!(%error, "adopted INVITE transaction ended with an error");
            }
        });
        self.legs_by_dialog.insert(dialog_key(&dialog.id()), leg);
        self.callees.insert(leg, dialog);
        Ok(())
    }

    /// Answers an adopted leg's INVITE with 200 OK and `sdp`.
    pub fn accept_leg(&mut self, leg: LegId, sdp: Option<Vec<u8>>) {
        let headers = sdp_headers(&sdp);
        if let Some(dialog) = self.callees.get_mut(&leg) {
            match dialog.accept(headers, sdp) {
                Ok(()) => {
                    self.answered.insert(leg);
                }
                Err(error) => debug!(%error, ?leg, "could not answer the adopted leg"),
            }
        }
    }

    pub fn caller_source(&self) -> SocketAddr {
        self.caller_source
    }

    pub fn caller_call_id(&self) -> String {
        self.call_id.clone()
    }

    /// The next event of any leg; `None` once every channel closed.
    pub async fn next_event(&mut self) -> Option<(LegId, LegEvent)> {
        loop {
            let state = tokio::select! {
                result = self.results.recv() => {
                    let (leg, event) = result?;
                    if matches!(event, LegEvent::Answered { .. }) {
                        self.answered.insert(leg);
                    }
                    return Some((leg, event));
                }
                state = self.states.recv() => state?,
            };
            if let Some(event) = self.translate(state) {
                return Some(event);
            }
        }
    }

    fn translate(&mut self, state: DialogState) -> Option<(LegId, LegEvent)> {
        let id = match &state {
            DialogState::Early(id, _)
            | DialogState::Updated(id, _, _)
            | DialogState::Terminated(id, _)
            | DialogState::Info(id, _, _)
            | DialogState::Options(id, _, _) => id.clone(),
            _ => return None,
        };
        let leg = *self.legs_by_dialog.get(&dialog_key(&id))?;
        match state {
            DialogState::Early(_, response) if leg != LegId::A => Some((
                leg,
                LegEvent::Progress {
                    status: response.status_code.code(),
                    sdp: body_of(&response.body),
                },
            )),
            DialogState::Updated(_, request, handle) => {
                self.pending_reinvites.insert(leg, handle);
                Some((
                    leg,
                    LegEvent::ReInvite {
                        sdp: body_of(&request.body),
                    },
                ))
            }
            DialogState::Info(_, request, handle) => {
                tokio::spawn(async move {
                    let _ = handle.reply(StatusCode::OK).await;
                });
                let content_type = request
                    .headers
                    .iter()
                    .find_map(|h| match h {
                        Header::ContentType(value) => Some(value.value().to_owned()),
                        _ => None,
                    })
                    .unwrap_or_default();
                Some((
                    leg,
                    LegEvent::Info {
                        content_type,
                        body: request.body,
                    },
                ))
            }
            DialogState::Options(_, _, handle) => {
                // In-dialog OPTIONS keep-alives are acknowledged.
                tokio::spawn(async move {
                    let _ = handle.reply(StatusCode::OK).await;
                });
                None
            }
            DialogState::Terminated(_, reason) => self.terminated(leg, reason),
            _ => None,
        }
    }

    fn terminated(&mut self, leg: LegId, reason: TerminatedReason) -> Option<(LegId, LegEvent)> {
        if self.closing.contains(&leg) {
            return None;
        }
        match (leg, reason) {
            (LegId::A, TerminatedReason::UacCancel) => Some((leg, LegEvent::Cancelled)),
            (LegId::A, TerminatedReason::UacBye | TerminatedReason::UasBye) => {
                Some((leg, LegEvent::HungUp))
            }
            (LegId::A, TerminatedReason::Timeout) => Some((leg, LegEvent::HungUp)),
            (LegId::B(_), TerminatedReason::UasBye | TerminatedReason::UacBye)
                if self.answered.contains(&leg) =>
            {
                Some((leg, LegEvent::HungUp))
            }
            _ => None,
        }
    }

    pub fn ring(&self, sdp: Option<Vec<u8>>) {
        let headers = sdp_headers(&sdp);
        if let Some(caller) = &self.caller
            && let Err(error) = caller.ringing(headers, sdp)
        {
            debug!(%error, "could not send ringing");
        }
    }

    pub fn answer(&mut self, sdp: Option<Vec<u8>>) {
        let headers = sdp_headers(&sdp);
        if let Some(caller) = &mut self.caller
            && let Err(error) = caller.accept(headers, sdp)
        {
            debug!(%error, "could not answer the caller");
        }
    }

    pub fn reject(&mut self, status: u16) {
        self.closing.insert(LegId::A);
        if let Some(caller) = &mut self.caller
            && let Err(error) = caller.reject(Some(StatusCode::from(status)), None)
        {
            debug!(%error, status, "could not reject the caller");
        }
    }

    /// Sends INVITE for callee leg `leg`.
    pub fn dial(
        &mut self,
        leg: LegId,
        target: &DialTarget,
        sdp: Option<Vec<u8>>,
    ) -> Result<(), SipError> {
        self.dial_with(leg, target, sdp, Vec::new())
    }

    /// As [`dial`](Self::dial), with extra headers on the INVITE (the
    /// auto-answer hints of click-to-call).
    pub fn dial_with(
        &mut self,
        leg: LegId,
        target: &DialTarget,
        sdp: Option<Vec<u8>>,
        headers: Vec<(String, String)>,
    ) -> Result<(), SipError> {
        let local = self.stack.local_addr();
        let uri = |text: String| Uri::try_from(text.as_str()).map_err(|_| SipError::Uri(text));
        let callee = uri(target.request_uri.clone())?;
        let caller = uri(format!("sip:{}@{}", target.from_user, local))?;
        let contact = uri(format!("sip:{}@{}", target.from_user, local))?;
        let transport = match target.transport {
            Transport::Udp => rsipstack::sip::Transport::Udp,
            Transport::Tcp => rsipstack::sip::Transport::Tcp,
        };
        let option = InviteOption {
            caller_display_name: target.from_display.clone(),
            caller,
            callee,
            destination: Some(SipAddr {
                r#type: Some(transport),
                addr: target.reach.into(),
            }),
            content_type: sdp.as_ref().map(|_| "application/sdp".to_owned()),
            offer: sdp,
            contact,
            credential: target.credentials.as_ref().map(TrunkCredentials::to_stack),
            headers: (!headers.is_empty()).then(|| {
                headers
                    .into_iter()
                    .map(|(name, value)| make_header(&name, value))
                    .collect()
            }),
            ..Default::default()
        };
        let (dialog, outcome) = self
            .stack
            .dialogs
            .do_invite_async(option, self.states_tx.clone())
            .map_err(|e| SipError::Stack(e.to_string()))?;
        if self.call_id.is_empty() {
            self.call_id = dialog.id().call_id;
        }
        self.legs_by_dialog.insert(dialog_key(&dialog.id()), leg);
        self.callees.insert(leg, dialog);
        let results = self.results_tx.clone();
        tokio::spawn(async move {
            let event = match outcome.await {
                Ok(Ok((_, Some(response))))
                    if response.status_code.kind() == StatusCodeKind::Successful =>
                {
                    LegEvent::Answered {
                        sdp: body_of(&response.body),
                    }
                }
                Ok(Ok((_, Some(response)))) => LegEvent::Failed {
                    status: response.status_code.code(),
                    reason: response.status_code.to_string(),
                },
                Ok(Ok((_, None))) => LegEvent::Failed {
                    status: 408,
                    reason: "no final response".into(),
                },
                Ok(Err(error)) => LegEvent::Failed {
                    status: failure_status(&error),
                    reason: error.to_string(),
                },
                Err(_) => LegEvent::Failed {
                    status: 500,
                    reason: "INVITE task ended".into(),
                },
            };
            let _ = results.send((leg, event));
        });
        Ok(())
    }

    pub async fn cancel(&mut self, leg: LegId) {
        self.closing.insert(leg);
        if let Some(dialog) = self.callees.get(&leg)
            && let Err(error) = dialog.cancel().await
        {
            debug!(%error, ?leg, "could not cancel");
        }
    }

    pub async fn hangup(&mut self, leg: LegId) {
        self.closing.insert(leg);
        let dialog = match leg {
            LegId::A => self.caller.as_ref(),
            LegId::B(_) => self.callees.get(&leg),
        };
        if let Some(dialog) = dialog
            && let Err(error) = dialog.bye().await
        {
            debug!(%error, ?leg, "could not send BYE");
        }
    }

    /// Sends a re-INVITE on `leg`; its answer arrives as `ReInviteAnswered`.
    pub fn reinvite(&self, leg: LegId, sdp: Option<Vec<u8>>) {
        let dialog = match leg {
            LegId::A => self.caller.clone(),
            LegId::B(_) => self.callees.get(&leg).cloned(),
        };
        let Some(dialog) = dialog else {
            return;
        };
        let results = self.results_tx.clone();
        tokio::spawn(async move {
            let headers = sdp_headers(&sdp);
            let event = match dialog.reinvite(headers, sdp).await {
                Ok(Some(response)) => LegEvent::ReInviteAnswered {
                    status: response.status_code.code(),
                    sdp: body_of(&response.body),
                },
                Ok(None) => LegEvent::ReInviteAnswered {
                    status: 481,
                    sdp: None,
                },
                Err(error) => LegEvent::ReInviteAnswered {
                    status: failure_status(&error),
                    sdp: None,
                },
            };
            let _ = results.send((leg, event));
        });
    }

    pub async fn answer_reinvite(&mut self, leg: LegId, status: u16, sdp: Option<Vec<u8>>) {
        if let Some(handle) = self.pending_reinvites.remove(&leg) {
            let headers = sdp_headers(&sdp);
            let _ = handle.respond(StatusCode::from(status), headers, sdp).await;
        }
    }

    /// Forgets the call's dialogs in the dialog layer.
    pub fn release(&self) {
        if let Some(caller) = &self.caller {
            self.stack.dialogs.remove_dialog(&caller.id());
        }
        for dialog in self.callees.values() {
            self.stack.dialogs.remove_dialog(&dialog.id());
        }
    }
}

fn failure_status(error: &rsipstack::Error) -> u16 {
    match error {
        rsipstack::Error::DialogError(_, _, status) => status.code(),
        rsipstack::Error::TransportLayerError(..) => 503,
        _ => 408,
    }
}
