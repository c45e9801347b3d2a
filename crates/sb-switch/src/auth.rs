//! Digest authentication of REGISTER (401, RFC 3261 §22.2) and INVITE (407,
//! §22.3) against the extensions in the directory.

use sb_sip::ServerRequest;
use sb_sip::digest::{DigestResponse, NonceCheck, challenges};
use tracing::{debug, warn};

use crate::directory::Account;
use crate::shared::{Shared, unix_millis};

#[derive(Debug)]
pub(crate) enum AuthOutcome {
    Authenticated(Account),
    /// No usable credentials: send a (possibly stale) challenge.
    Challenge {
        stale: bool,
    },
    /// Credentials that are wrong: 403.
    Forbidden,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum AuthKind {
    Register,
    Invite,
}

impl AuthKind {
    /// INVITEs are challenged as a proxy would (407, Proxy-Authorization).
    fn proxy(self) -> bool {
        matches!(self, AuthKind::Invite)
    }

    fn challenge_header(self) -> &'static str {
        match self {
            AuthKind::Register => "WWW-Authenticate",
            AuthKind::Invite => "Proxy-Authenticate",
        }
    }

    fn challenge_status(self) -> u16 {
        match self {
            AuthKind::Register => 401,
            AuthKind::Invite => 407,
        }
    }
}

pub(crate) async fn authenticate(
    shared: &Shared,
    request: &ServerRequest,
    kind: AuthKind,
) -> AuthOutcome {
    let realm = &shared.config.realm;
    let source = request.source().ip();
    let credentials = request
        .credentials(kind.proxy())
        .into_iter()
        .filter_map(|value| DigestResponse::parse(&value).ok())
        .find(|c| &c.realm == realm);
    let Some(credentials) = credentials else {
        return AuthOutcome::Challenge { stale: false };
    };
    let check = shared
        .nonces
        .lock()
        .map(|mut n| n.check(unix_millis(), &credentials.nonce, credentials.nc.as_deref()))
        .unwrap_or(NonceCheck::Unknown);
    match check {
        NonceCheck::Fresh => {}
        NonceCheck::Stale => return AuthOutcome::Challenge { stale: true },
        NonceCheck::Unknown => return AuthOutcome::Challenge { stale: false },
        NonceCheck::Replayed => {
            debug!(%source, "replayed digest nonce");
            shared.auth_failed(source, &credentials.username);
            return AuthOutcome::Challenge { stale: false };
        }
    }
    let account = match shared.directory.account(&credentials.username).await {
        Ok(Some(account)) if account.enabled => account,
        Ok(_) => {
            shared.auth_failed(source, &credentials.username);
            return AuthOutcome::Forbidden;
        }
        Err(error) => {
            warn!(%error, "extension lookup failed");
            return AuthOutcome::Challenge { stale: false };
        }
    };
    if account.secret.realm != *realm {
        warn!(extension = %account.extension, "stored SIP secret was derived for another realm: reset the password");
        return AuthOutcome::Forbidden;
    }
    if credentials.proves(&account.secret, request.method()) {
        shared.auth_succeeded(source);
        AuthOutcome::Authenticated(account)
    } else {
        shared.auth_failed(source, &credentials.username);
        AuthOutcome::Forbidden
    }
}

/// Answers with the challenge or the refusal an outcome calls for.
pub(crate) async fn refuse(
    shared: &Shared,
    request: ServerRequest,
    kind: AuthKind,
    outcome: AuthOutcome,
) {
    match outcome {
        AuthOutcome::Authenticated(_) => {}
        AuthOutcome::Challenge { stale } => {
            let nonce = shared.issue_nonce();
            let headers = challenges(
                &shared.config.realm,
                &nonce,
                stale,
                &shared.config.digest_algorithms,
            )
            .into_iter()
            .map(|value| (kind.challenge_header().to_owned(), value))
            .collect();
            request.respond(kind.challenge_status(), headers).await;
        }
        AuthOutcome::Forbidden => request.respond(403, Vec::new()).await,
    }
}
