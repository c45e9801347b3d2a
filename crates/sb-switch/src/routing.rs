//! Where an INVITE goes (MISSION T2-T4): to an extension's registered
//! phones, from a trunk's DID to an extension, or out through the first
//! outbound route whose pattern matches — if the caller's call class allows
//! it. Anything else is refused: the switch relays nothing it was not
//! configured to carry.

use std::net::{IpAddr, SocketAddr};

use sb_core::AddressRange;
use sb_sip::{DialTarget, Transport, TrunkCredentials};

use crate::admission::TrunkPermit;
use crate::directory::{
    Account, BlockAction, CallRecord, CallerIdMode, InboundTarget, Trunk, TrunkTransport,
};
use crate::shared::{Shared, unix_millis};

#[derive(Debug)]
pub(crate) struct CallPlan {
    pub direction: &'static str,
    pub caller: String,
    pub callee: String,
    pub caller_extension: Option<String>,
    pub callee_extension: Option<String>,
    pub trunk: Option<(i64, String)>,
    pub did: String,
    pub targets: Vec<DialTarget>,
    pub trunk_permit: Option<TrunkPermit>,
    /// Whether the call is recorded (the trunk's or either extension's
    /// setting asks for it).
    pub record: bool,
    /// Set when the switch answers the call itself (IVR, queue).
    pub service: Option<Service>,
    /// A target dialled with these auto-answer hints (a picker's phone, G7).
    pub auto_answer: Option<(usize, Vec<(String, String)>)>,
}

/// What the switch does with a call it answers itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Service {
    /// Runs a voice flow, by name.
    Flow(String),
    /// Straight into a queue, by name.
    Queue(String),
    /// A blacklisted caller hears a prompt, then the call ends.
    Refuse { prompt: String },
}

impl CallPlan {
    /// The CDR of this call attempt.
    pub fn record(&self, call_id: String, summary: &sb_call::CallSummary) -> CallRecord {
        CallRecord {
            call_id,
            direction: self.direction,
            caller: self.caller.clone(),
            callee: self.callee.clone(),
            caller_extension: self.caller_extension.clone(),
            callee_extension: self.callee_extension.clone(),
            trunk_id: self.trunk.as_ref().map(|t| t.0),
            trunk_name: self.trunk.as_ref().map(|t| t.1.clone()).unwrap_or_default(),
            did: self.did.clone(),
            started_at: summary.started_at,
            answered_at: summary.answered_at,
            ended_at: summary.ended_at,
            ring_ms: summary.ring_ms(),
            talk_ms: summary.talk_ms(),
            disposition: summary.disposition.code(),
            hangup_cause: summary.cause.clone(),
            hangup_side: summary.side.code(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: u16,
    pub disposition: &'static str,
    pub cause: String,
}

impl Refusal {
    fn new(status: u16, disposition: &'static str, cause: impl Into<String>) -> Refusal {
        Refusal {
            status,
            disposition,
            cause: cause.into(),
        }
    }
}

/// The trunk whose trusted addresses include `source`, if any.
pub(crate) fn trunk_for_source(trunks: &[Trunk], source: IpAddr) -> Option<&Trunk> {
    trunks.iter().find(|trunk| {
        trunk
            .host
            .parse::<IpAddr>()
            .is_ok_and(|ip| AddressRange::single(ip).contains(source))
            || trunk.trusted.iter().any(|range| range.contains(source))
    })
}

/// The registered phones of `extension` as dial targets.
pub(crate) fn extension_targets(
    shared: &Shared,
    extension: &str,
    from_user: &str,
    from_display: Option<String>,
) -> Vec<DialTarget> {
    let bindings = shared
        .location
        .lock()
        .map(|l| l.lookup(unix_millis(), extension))
        .unwrap_or_default();
    bindings
        .into_iter()
        .map(|binding| DialTarget {
            request_uri: binding.contact,
            reach: binding.reach,
            transport: binding.transport,
            from_user: from_user.to_owned(),
            from_display: from_display.clone(),
            to_user: extension.to_owned(),
            credentials: None,
        })
        .collect()
}

pub(crate) async fn plan_from_trunk(
    shared: &Shared,
    trunk: &Trunk,
    caller: String,
    did: String,
) -> Result<CallPlan, (Refusal, CallPlan)> {
    let mut plan = CallPlan {
        direction: "inbound",
        caller: caller.clone(),
        callee: did.clone(),
        caller_extension: None,
        callee_extension: None,
        trunk: Some((trunk.id, trunk.name.clone())),
        did: did.clone(),
        targets: Vec::new(),
        trunk_permit: None,
        record: false,
        service: None,
        auto_answer: None,
    };
    match shared.admission.trunk_channel(trunk.id, trunk.max_channels) {
        Ok(permit) => plan.trunk_permit = Some(permit),
        Err(_) => return Err((Refusal::new(503, "congestion", "trunk channels full"), plan)),
    }
    plan.record = trunk.record_calls;
    match shared.directory.blocked_caller(&caller).await {
        Ok(None) => {}
        Ok(Some(BlockAction::Busy)) => {
            return Err((Refusal::new(486, "rejected", "caller blacklisted"), plan));
        }
        Ok(Some(BlockAction::Hangup)) => {
            return Err((Refusal::new(603, "rejected", "caller blacklisted"), plan));
        }
        Ok(Some(BlockAction::Prompt(prompt))) => {
            plan.service = Some(Service::Refuse { prompt });
            return Ok(plan);
        }
        Err(_) => return Err((Refusal::new(500, "failed", "directory unavailable"), plan)),
    }
    let target = match shared.directory.inbound_target(trunk.id, &did).await {
        Ok(Some(InboundTarget::Extension(target))) => target,
        Ok(Some(InboundTarget::Flow(flow))) => {
            plan.service = Some(Service::Flow(flow));
            return Ok(plan);
        }
        Ok(Some(InboundTarget::Queue(queue))) => {
            plan.service = Some(Service::Queue(queue));
            return Ok(plan);
        }
        Ok(None) => {
            return Err((
                Refusal::new(404, "failed", "no route for the dialled number"),
                plan,
            ));
        }
        Err(_) => return Err((Refusal::new(500, "failed", "directory unavailable"), plan)),
    };
    plan.callee_extension = Some(target.clone());
    plan.record = trunk.record_calls
        || matches!(shared.directory.account(&target).await, Ok(Some(a)) if a.record_calls);
    plan.targets = extension_targets(shared, &target, &caller, None);
    // Follow-me (G8) rings the owner's mobile when no desk phone is there.
    if plan.targets.is_empty() && !crate::follow_me::reaches_mobile(shared, &target).await {
        return Err((
            Refusal::new(480, "failed", "extension not registered"),
            plan,
        ));
    }
    Ok(plan)
}

pub(crate) async fn plan_from_extension(
    shared: &Shared,
    account: &Account,
    dialled: String,
) -> Result<CallPlan, (Refusal, CallPlan)> {
    let display = (!account.display_name.is_empty()).then(|| account.display_name.clone());
    let mut plan = CallPlan {
        direction: "internal",
        caller: account.extension.clone(),
        callee: dialled.clone(),
        caller_extension: Some(account.extension.clone()),
        callee_extension: None,
        trunk: None,
        did: String::new(),
        targets: Vec::new(),
        trunk_permit: None,
        record: false,
        service: None,
        auto_answer: None,
    };
    match shared.directory.account(&dialled).await {
        Ok(Some(callee)) if callee.enabled => {
            plan.callee_extension = Some(callee.extension.clone());
            plan.record = account.record_calls || callee.record_calls;
            plan.targets =
                extension_targets(shared, &callee.extension, &account.extension, display);
            if plan.targets.is_empty()
                && !crate::follow_me::reaches_mobile(shared, &callee.extension).await
            {
                return Err((
                    Refusal::new(480, "failed", "extension not registered"),
                    plan,
                ));
            }
            return Ok(plan);
        }
        Ok(Some(_)) => return Err((Refusal::new(404, "failed", "extension disabled"), plan)),
        Ok(None) => {}
        Err(_) => return Err((Refusal::new(500, "failed", "directory unavailable"), plan)),
    }
    match shared.directory.flow_for_number(&dialled).await {
        Ok(Some(flow)) => {
            plan.record = account.record_calls;
            plan.service = Some(Service::Flow(flow));
            return Ok(plan);
        }
        Ok(None) => {}
        Err(_) => return Err((Refusal::new(500, "failed", "directory unavailable"), plan)),
    }
    plan.direction = "outbound";
    match route_out(shared, &dialled, account.call_class, &account.extension).await {
        Ok(out) => {
            plan.trunk = Some(out.trunk);
            plan.record = account.record_calls || out.record;
            plan.trunk_permit = Some(out.permit);
            plan.callee = out.number;
            plan.caller = out.caller_id;
            plan.targets = vec![out.target];
            Ok(plan)
        }
        Err((refusal, trunk)) => {
            plan.trunk = trunk;
            Err((refusal, plan))
        }
    }
}

/// A call leaving through a trunk.
#[derive(Debug)]
pub(crate) struct Outbound {
    pub trunk: (i64, String),
    /// The trunk records its calls.
    pub record: bool,
    pub permit: TrunkPermit,
    /// The number as the carrier gets it (after strip and prepend).
    pub number: String,
    pub caller_id: String,
    pub target: DialTarget,
}

/// Routes `dialled` out through the first outbound route whose pattern
/// matches, if `call_class` allows it; `own_number` is presented when the
/// route keeps the caller's number. A refusal names the trunk once chosen.
pub(crate) async fn route_out(
    shared: &Shared,
    dialled: &str,
    call_class: sb_core::CallClass,
    own_number: &str,
) -> Result<Outbound, (Refusal, Option<(i64, String)>)> {
    let routes = shared.directory.outbound_routes().await.unwrap_or_default();
    let Some(route) = routes.into_iter().find(|r| r.pattern.matches(dialled)) else {
        return Err((
            Refusal::new(404, "failed", "no route for the dialled number"),
            None,
        ));
    };
    if !call_class.permits(route.call_class) {
        tracing::warn!(
            caller = %own_number,
            class = %call_class,
            needed = %route.call_class,
            "outbound call refused by call class"
        );
        let cause = format!(
            "call class {} may not dial {} numbers",
            call_class, route.call_class
        );
        return Err((Refusal::new(403, "forbidden", cause), None));
    }
    let trunks = shared.directory.trunks().await.unwrap_or_default();
    let Some(trunk) = trunks.into_iter().find(|t| t.id == route.trunk_id) else {
        return Err((
            Refusal::new(503, "failed", "route's trunk is disabled"),
            None,
        ));
    };
    let named = Some((trunk.id, trunk.name.clone()));
    let permit = match shared.admission.trunk_channel(trunk.id, trunk.max_channels) {
        Ok(permit) => permit,
        Err(_) => {
            return Err((
                Refusal::new(503, "congestion", "trunk channels full"),
                named,
            ));
        }
    };
    let number = format!(
        "{}{}",
        route.prepend,
        dialled.get(route.strip..).unwrap_or("")
    );
    let caller_id = match route.caller_id_mode {
        CallerIdMode::Keep => own_number.to_owned(),
        CallerIdMode::Trunk if !trunk.caller_id.is_empty() => trunk.caller_id.clone(),
        CallerIdMode::Trunk => own_number.to_owned(),
        CallerIdMode::Fixed => route.caller_id.clone(),
    };
    let Some(reach) = resolve(&trunk.host, trunk.port).await else {
        return Err((
            Refusal::new(503, "failed", "cannot resolve the trunk's host"),
            named,
        ));
    };
    let target = DialTarget {
        request_uri: format!("sip:{number}@{}:{}", trunk.host, trunk.port),
        reach,
        transport: match trunk.transport {
            TrunkTransport::Udp => Transport::Udp,
            TrunkTransport::Tcp => Transport::Tcp,
        },
        from_user: caller_id.clone(),
        from_display: None,
        to_user: number.clone(),
        credentials: (!trunk.username.is_empty()).then(|| TrunkCredentials {
            username: trunk.username.clone(),
            password: trunk.password.clone(),
        }),
    };
    Ok(Outbound {
        trunk: (trunk.id, trunk.name),
        record: trunk.record_calls,
        permit,
        number,
        caller_id,
        target,
    })
}

pub(crate) async fn resolve(host: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, port));
    }
    tokio::net::lookup_host((host, port)).await.ok()?.next()
}
