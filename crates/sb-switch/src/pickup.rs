//! Call pickup (MISSION G7): a call ringing at an extension of the picker's
//! pickup group is taken by the picker. The pickup group of an extension is
//! every extension it shares an extension group with.
//!
//! | dialled         | picks up                                            |
//! |-----------------|-----------------------------------------------------|
//! | `*8`            | the longest-ringing call in the caller's group       |
//! | `**<extension>` | the call ringing at that extension of the group      |
//!
//! A phone that dials a code is not routed a call of its own: its INVITE
//! is handed to the ringing call's task, which answers it and cancels the
//! phones that rang (`SipCall::adopt`). The API's pickup instead has the
//! switch ring the picker's phones with auto-answer hints.

use std::sync::Arc;

use sb_sip::ServerRequest;
use tracing::info;

use crate::directory::Account;
use crate::error::SwitchError;
use crate::live_calls::{CallControl, LiveCall, Picker, PickerInvite, PickerParty};
use crate::shared::Shared;

/// The longest extension a directed pickup names.
const MAX_EXTENSION: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PickupCode {
    Group,
    Directed(String),
}

/// The pickup code in a dialled number, or `None` when it is not one.
pub(crate) fn parse(dialled: &str) -> Option<PickupCode> {
    let dialled = crate::feature_codes::unescape(dialled);
    let dialled = dialled.strip_suffix('#').unwrap_or(&dialled);
    if dialled == "*8" {
        return Some(PickupCode::Group);
    }
    let extension = dialled.strip_prefix("**")?;
    let valid = !extension.is_empty()
        && extension.len() <= MAX_EXTENSION
        && extension.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| PickupCode::Directed(extension.to_owned()))
}

/// The live calls `picker` may pick up, longest ringing first: ringing at
/// an extension of its pickup group (only at `only` when given), and not
/// its own.
async fn pickable(
    shared: &Shared,
    picker: &str,
    only: Option<&str>,
) -> Result<Vec<LiveCall>, SwitchError> {
    let peers = shared.directory.pickup_peers(picker).await?;
    let mut calls: Vec<LiveCall> = shared
        .live_calls
        .list()
        .into_iter()
        .filter(|call| {
            call.caller != picker
                && call.ringing.iter().any(|ringing| {
                    peers.contains(ringing) && only.is_none_or(|only| only == ringing)
                })
        })
        .collect();
    calls.sort_by_key(|call| (call.started_at, call.id));
    Ok(calls)
}

/// A phone dialled a pickup code: its INVITE goes to the call it picks
/// up, or is answered 404 when nothing rings in its group.
pub(crate) async fn by_phone(
    shared: &Arc<Shared>,
    account: &Account,
    code: PickupCode,
    request: ServerRequest,
) {
    let only = match &code {
        PickupCode::Directed(extension) => Some(extension.as_str()),
        PickupCode::Group => None,
    };
    let calls = match pickable(shared, &account.extension, only).await {
        Ok(calls) => calls,
        Err(error) => {
            info!(%error, "pickup: the pickup group could not be read");
            request.respond(500, Vec::new()).await;
            return;
        }
    };
    let Some(call) = calls.first() else {
        info!(picker = %account.extension, ?code, "pickup: nothing rings in the group");
        request.respond(404, Vec::new()).await;
        return;
    };
    let party = PickerParty {
        extension: account.extension.clone(),
        agent: crate::feature_task::agent_at(shared, &account.extension).await,
    };
    let offer = Some(request.body().to_vec()).filter(|b| !b.is_empty());
    let picker = Picker::Invite(Box::new(PickerInvite {
        party,
        request,
        offer,
    }));
    let id = call.id;
    match shared
        .live_calls
        .control(id, CallControl::PickUp { picker })
        .await
    {
        Ok(()) => info!(picker = %account.extension, call = id, "call picked up"),
        Err(error) => info!(picker = %account.extension, call = id, %error, "pickup refused"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_recognised_and_anything_else_is_routed() {
        assert_eq!(parse("*8"), Some(PickupCode::Group));
        assert_eq!(parse("%2A8#"), Some(PickupCode::Group));
        assert_eq!(parse("**1002"), Some(PickupCode::Directed("1002".into())));
        assert_eq!(parse("**"), None);
        assert_eq!(parse("**10a2"), None);
        assert_eq!(parse("*80"), None);
        assert_eq!(parse("8"), None);
        assert_eq!(parse(&format!("**{}", "1".repeat(33))), None);
    }
}
