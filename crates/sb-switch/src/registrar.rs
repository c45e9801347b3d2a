//! The registrar (MISSION T1, RFC 3261 §10.3): authenticates REGISTER,
//! applies it to the location service and answers with the bindings.

use sb_sip::location::{RegisterOutcome, RegisterRequest};
use sb_sip::{Contacts, ServerRequest};
use tracing::{debug, info};

use crate::auth::{AuthKind, AuthOutcome, authenticate, refuse};
use crate::shared::{Shared, unix_millis};

pub(crate) async fn handle_register(shared: &Shared, request: ServerRequest) {
    let Some(aor) = request.to_user() else {
        request.respond(400, Vec::new()).await;
        return;
    };
    let account = match authenticate(shared, &request, AuthKind::Register).await {
        AuthOutcome::Authenticated(account) => account,
        outcome => {
            refuse(shared, request, AuthKind::Register, outcome).await;
            return;
        }
    };
    // Credentials of one extension never register another's address.
    if account.extension != aor {
        shared.auth_failed(request.source().ip(), &aor);
        request.respond(403, Vec::new()).await;
        return;
    }
    let config = &shared.config;
    let (updates, remove_all) = match request.contact_updates(config.default_expires) {
        Contacts::List(updates) => (updates, false),
        Contacts::Wildcard if request.expires() == Some(0) => (Vec::new(), true),
        Contacts::Wildcard => {
            request.respond(400, Vec::new()).await;
            return;
        }
    };
    let mut updates = updates;
    for update in &mut updates {
        if update.expires == 0 {
            continue;
        }
        if update.expires < config.min_expires {
            let min = config.min_expires.to_string();
            request
                .respond(423, vec![("Min-Expires".into(), min)])
                .await;
            return;
        }
        update.expires = update.expires.min(config.max_expires);
    }
    let call_id = request.call_id();
    let user_agent = request.user_agent();
    let now = unix_millis();
    let outcome = {
        let Ok(mut location) = shared.location.lock() else {
            request.respond(500, Vec::new()).await;
            return;
        };
        location.register(
            now,
            &RegisterRequest {
                extension: &aor,
                updates: &updates,
                remove_all,
                reach: request.source(),
                transport: request.transport(),
                call_id: &call_id,
                cseq: request.cseq(),
                user_agent: &user_agent,
                max_contacts: usize::try_from(account.max_contacts).unwrap_or(1),
            },
        )
    };
    match outcome {
        RegisterOutcome::OutOfOrder => {
            debug!(extension = %aor, "out-of-order REGISTER");
            request
                .respond(500, vec![("Retry-After".into(), "1".into())])
                .await;
        }
        RegisterOutcome::Bound(bindings) => {
            info!(extension = %aor, contacts = bindings.len(), source = %request.source(), "registered");
            let headers = bindings
                .iter()
                .map(|b| {
                    let left = b.expires_at.saturating_sub(now) / 1000;
                    (
                        "Contact".to_owned(),
                        format!("<{}>;expires={left}", b.contact),
                    )
                })
                .collect();
            request.respond(200, headers).await;
        }
    }
}
