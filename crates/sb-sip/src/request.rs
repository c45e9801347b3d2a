//! A request that opened a new server transaction outside any dialog, with
//! the accessors the switch needs, so the switch never names rsipstack.

use std::net::SocketAddr;

use rsipstack::sip::headers::make_header;
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::{Header, Method, StatusCode};
use rsipstack::transaction::transaction::Transaction;
use tracing::debug;

use crate::location::{ContactUpdate, Transport};

/// The Contact headers of a REGISTER.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contacts {
    /// `Contact: *` (remove every binding, with `Expires: 0`).
    Wildcard,
    List(Vec<ContactUpdate>),
}

pub struct ServerRequest {
    pub(crate) tx: Transaction,
    pub(crate) source: SocketAddr,
    pub(crate) transport: Transport,
}

impl std::fmt::Debug for ServerRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerRequest")
            .field("method", &self.method())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl ServerRequest {
    pub(crate) fn new(tx: Transaction) -> Option<ServerRequest> {
        let connection = tx.connection.as_ref()?;
        let transport = match connection.transport() {
            rsipstack::sip::Transport::Tcp => Transport::Tcp,
            _ => Transport::Udp,
        };
        // RFC 3581: the real source, as the transport layer wrote it into the
        // top Via (received/rport); the connection's peer for streams.
        let source = connection
            .get_remote_addr()
            .and_then(|a| a.get_socketaddr().ok())
            .or_else(|| {
                rsipstack::transport::SipConnection::get_destination(&tx.original.clone().into())
                    .ok()
            })?;
        Some(ServerRequest {
            tx,
            source,
            transport,
        })
    }

    pub fn method(&self) -> &str {
        method_name(&self.tx.original.method)
    }

    pub fn is(&self, method: &str) -> bool {
        self.method().eq_ignore_ascii_case(method)
    }

    pub fn source(&self) -> SocketAddr {
        self.source
    }

    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The user part of the Request-URI: the dialled number.
    pub fn request_user(&self) -> Option<String> {
        self.tx.original.uri.auth.as_ref().map(|a| a.user.clone())
    }

    pub fn request_uri(&self) -> String {
        self.tx.original.uri.to_string()
    }

    pub fn from_user(&self) -> Option<String> {
        let from = self.tx.original.from_header().ok()?.typed().ok()?;
        from.uri.auth.map(|a| a.user)
    }

    pub fn from_display(&self) -> Option<String> {
        let from = self.tx.original.from_header().ok()?.typed().ok()?;
        from.display_name.filter(|d| !d.is_empty())
    }

    pub fn to_user(&self) -> Option<String> {
        let to = self.tx.original.to_header().ok()?.typed().ok()?;
        to.uri.auth.map(|a| a.user)
    }

    pub fn has_to_tag(&self) -> bool {
        self.tx
            .original
            .to_header()
            .ok()
            .and_then(|t| t.tag().ok().flatten())
            .is_some()
    }

    pub fn call_id(&self) -> String {
        self.tx
            .original
            .call_id_header()
            .map(|c| c.value().to_owned())
            .unwrap_or_default()
    }

    pub fn cseq(&self) -> u32 {
        self.tx
            .original
            .cseq_header()
            .ok()
            .and_then(|c| c.seq().ok())
            .unwrap_or(0)
    }

    /// The digest credentials the request carries: `Authorization`
    /// headers, or `Proxy-Authorization` ones when `proxy`. Matched on the
    /// parsed header kind, so no header is formatted on this hot path.
    pub fn credentials(&self, proxy: bool) -> Vec<String> {
        self.tx
            .original
            .headers
            .iter()
            .filter_map(|h| match (h, proxy) {
                (Header::Authorization(a), false) => Some(a.value().to_owned()),
                (Header::ProxyAuthorization(a), true) => Some(a.value().to_owned()),
                _ => None,
            })
            .collect()
    }

    pub fn user_agent(&self) -> String {
        self.tx
            .original
            .user_agent_header()
            .map(|h| h.value().to_owned())
            .unwrap_or_default()
    }

    pub fn body(&self) -> &[u8] {
        &self.tx.original.body
    }

    /// `Expires` header in seconds, if present and numeric.
    pub fn expires(&self) -> Option<u32> {
        self.tx
            .original
            .expires_header()
            .and_then(|h| h.value().trim().parse().ok())
    }

    /// The REGISTER's contacts with their expiry: the contact's own
    /// `expires` parameter, else the Expires header, else `default`.
    pub fn contact_updates(&self, default: u32) -> Contacts {
        let header_expires = self.expires();
        let mut updates = Vec::new();
        for header in self.tx.original.headers.iter() {
            let Header::Contact(contact) = header else {
                continue;
            };
            if contact.value().trim() == "*" {
                return Contacts::Wildcard;
            }
            let Ok(typed) = contact.typed() else {
                continue;
            };
            let expires = typed.expires().or(header_expires).unwrap_or(default);
            updates.push(ContactUpdate {
                contact: typed.uri.to_string(),
                expires,
            });
        }
        Contacts::List(updates)
    }

    /// Answers with `status` and extra headers given as (name, value).
    pub async fn respond(mut self, status: u16, headers: Vec<(String, String)>) {
        let headers = headers
            .into_iter()
            .map(|(name, value)| make_header(&name, value))
            .collect();
        if let Err(error) = self
            .tx
            .reply_with(StatusCode::from(status), headers, None)
            .await
        {
            debug!(%error, status, "could not send response");
        }
    }

    pub(crate) async fn overloaded(self) {
        self.respond(503, vec![("Retry-After".into(), "5".into())])
            .await;
    }
}

fn method_name(method: &Method) -> &'static str {
    match method {
        Method::Ack => "ACK",
        Method::Bye => "BYE",
        Method::Cancel => "CANCEL",
        Method::Info => "INFO",
        Method::Invite => "INVITE",
        Method::Message => "MESSAGE",
        Method::Notify => "NOTIFY",
        Method::Options => "OPTIONS",
        Method::PRack => "PRACK",
        Method::Publish => "PUBLISH",
        Method::Refer => "REFER",
        Method::Register => "REGISTER",
        Method::Subscribe => "SUBSCRIBE",
        Method::Update => "UPDATE",
    }
}
