//! OPTIONS keep-alive to registered contacts (MISSION T1): a contact that no
//! longer answers is dropped from the location service, so calls do not ring
//! a phone that left the network.

use std::net::SocketAddr;
use std::time::Duration;

use rsipstack::sip::{Method, Param, SipMessage, StatusCodeKind, Uri, typed};
use rsipstack::transaction::key::{TransactionKey, TransactionRole};
use rsipstack::transaction::{Transaction, make_tag, make_via_branch};
use rsipstack::transport::SipAddr;

use crate::location::Transport;
use crate::stack::SipStack;

impl SipStack {
    /// Sends OPTIONS to `request_uri` at `reach`; the final status, or `None`
    /// when nothing answered within `wait`.
    pub async fn ping(
        &self,
        request_uri: &str,
        reach: SocketAddr,
        transport: Transport,
        wait: Duration,
    ) -> Option<u16> {
        let uri = Uri::try_from(request_uri).ok()?;
        let local = self.local_addr();
        let via = self.endpoint.get_via(None, Some(make_via_branch())).ok()?;
        let from = typed::From {
            display_name: None,
            uri: Uri::try_from(format!("sip:switchboard@{local}").as_str()).ok()?,
            params: vec![Param::Tag(make_tag())],
        };
        let to = typed::To {
            display_name: None,
            uri: uri.clone(),
            params: vec![],
        };
        let request = self
            .endpoint
            .make_request(Method::Options, uri, via, from, to, 1, None);
        let key = TransactionKey::from_request(&request, TransactionRole::Client).ok()?;
        let mut tx = Transaction::new_client(key, request, self.endpoint.clone(), None);
        tx.destination = Some(SipAddr {
            r#type: Some(match transport {
                Transport::Udp => rsipstack::sip::Transport::Udp,
                Transport::Tcp => rsipstack::sip::Transport::Tcp,
            }),
            addr: reach.into(),
        });
        tx.send().await.ok()?;
        tokio::time::timeout(wait, async {
            while let Some(message) = tx.receive().await {
                if let SipMessage::Response(response) = message
                    && response.status_code.kind() != StatusCodeKind::Provisional
                {
                    return Some(response.status_code.code());
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
    }
}
