//! The SIP endpoint: rsipstack's transport, transaction and dialog layers on
//! a guarded UDP socket and a TCP listener. New requests outside a dialog go
//! to the switch as [`ServerRequest`]s over a bounded channel; requests inside
//! a dialog are handed to the dialog, whose events reach that call's
//! [`crate::SipCall`].

use std::net::SocketAddr;
use std::sync::Arc;

use rsipstack::EndpointBuilder;
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::transaction::endpoint::{EndpointInner, EndpointOption};
use rsipstack::transaction::transaction::Transaction;
use rsipstack::transport::TransportLayer;
use rsipstack::transport::tcp_listener::TcpListenerConnection;
use rsipstack::transport::udp::UdpConnection;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

use crate::error::SipError;
use crate::guard::{BanList, GuardedUdp, WireStats, unix_millis};
use crate::request::ServerRequest;

#[derive(Debug, Clone)]
pub struct SipConfig {
    pub listen: SocketAddr,
    pub enable_tcp: bool,
    pub user_agent: String,
    /// New out-of-dialog requests waiting for the switch; beyond this the
    /// stack itself answers 503 (overload control that costs no call task).
    pub queue_depth: usize,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 5060)),
            enable_tcp: true,
            user_agent: concat!("Switchboard/", env!("CARGO_PKG_VERSION")).to_owned(),
            queue_depth: 4096,
        }
    }
}

/// A handle to the running stack; cheap to clone.
#[derive(Clone)]
pub struct SipStack {
    pub(crate) endpoint: Arc<EndpointInner>,
    pub(crate) dialogs: Arc<DialogLayer>,
    local: SocketAddr,
    cancel: CancellationToken,
    stats: Arc<WireStats>,
}

impl std::fmt::Debug for SipStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipStack")
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl SipStack {
    /// Binds UDP (and TCP on the same port) and starts serving.
    pub async fn start(
        config: SipConfig,
        bans: BanList,
    ) -> Result<(SipStack, mpsc::Receiver<ServerRequest>), SipError> {
        let cancel = CancellationToken::new();
        let bind_error = |transport: &'static str, reason: String| SipError::Bind {
            transport,
            addr: config.listen,
            reason,
        };
        let (socket, local) = bind_udp(config.listen, config.enable_tcp)
            .await
            .map_err(|(transport, e)| bind_error(transport, e.to_string()))?;
        let stats = Arc::new(WireStats::default());
        let guarded = GuardedUdp::new(socket, bans.clone(), stats.clone());
        let udp = UdpConnection::from_socket(Arc::new(guarded), None, Some(cancel.child_token()))
            .await
            .map_err(|e| bind_error("UDP", e.to_string()))?;
        let transport = TransportLayer::new(cancel.child_token());
        transport.add_transport(udp.into());
        if config.enable_tcp {
            // The TCP listener binds when the endpoint starts serving; probe
            // the port now so a clash is reported at start-up.
            let tcp_addr = SocketAddr::new(local.ip(), local.port());
            drop(
                std::net::TcpListener::bind(tcp_addr)
                    .map_err(|e| bind_error("TCP", e.to_string()))?,
            );
            let tcp = TcpListenerConnection::new(tcp_addr, None)
                .await
                .map_err(|e| bind_error("TCP", e.to_string()))?;
            transport.add_transport(tcp.into());
        }
        let option = EndpointOption::default();
        let endpoint = EndpointBuilder::new()
            .with_user_agent(&config.user_agent)
            .with_transport_layer(transport)
            .with_cancel_token(cancel.clone())
            .with_option(option)
            .build();
        let mut incoming = endpoint
            .incoming_transactions()
            .map_err(|e| SipError::Stack(e.to_string()))?;
        let inner = endpoint.inner.clone();
        let dialogs = Arc::new(DialogLayer::new(inner.clone()));
        tokio::spawn(async move {
            endpoint.serve().await;
        });

        let (to_switch, from_stack) = mpsc::channel(config.queue_depth.max(1));
        let stack = SipStack {
            endpoint: inner,
            dialogs: dialogs.clone(),
            local,
            cancel: cancel.clone(),
            stats: stats.clone(),
        };
        tokio::spawn(async move {
            loop {
                let tx = tokio::select! {
                    _ = cancel.cancelled() => break,
                    tx = incoming.recv() => match tx { Some(tx) => tx, None => break },
                };
                dispatch(&dialogs, &to_switch, &bans, &stats, tx);
            }
        });
        Ok((stack, from_stack))
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    pub fn stats(&self) -> &WireStats {
        &self.stats
    }

    /// Dialogs and transactions the stack holds: (dialogs, running
    /// transactions, finished transactions kept for retransmissions).
    pub fn table_sizes(&self) -> (usize, usize, usize) {
        let stats = self.endpoint.get_stats();
        (
            self.dialogs.len(),
            stats.running_transactions,
            stats.finished_transactions,
        )
    }

    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

/// Binds the UDP socket on `listen`. With port 0 the system picks the port,
/// and TCP must get the same number: a pick whose TCP twin is taken is
/// dropped and another tried.
async fn bind_udp(
    listen: SocketAddr,
    with_tcp: bool,
) -> Result<(tokio::net::UdpSocket, SocketAddr), (&'static str, std::io::Error)> {
    let attempts = if listen.port() == 0 { 20 } else { 1 };
    let mut last = None;
    for _ in 0..attempts {
        let socket = tokio::net::UdpSocket::bind(listen)
            .await
            .map_err(|e| ("UDP", e))?;
        let local = socket.local_addr().map_err(|e| ("UDP", e))?;
        if !with_tcp {
            return Ok((socket, local));
        }
        match std::net::TcpListener::bind(local) {
            Ok(_) => return Ok((socket, local)),
            Err(e) => last = Some(e),
        }
    }
    Err((
        "TCP",
        last.unwrap_or_else(|| std::io::Error::other("no port free for both UDP and TCP")),
    ))
}

fn dispatch(
    dialogs: &Arc<DialogLayer>,
    to_switch: &mpsc::Sender<ServerRequest>,
    bans: &BanList,
    stats: &WireStats,
    mut tx: Transaction,
) {
    // UDP from a banned address never gets here (GuardedUdp drops it); TCP
    // connections are checked per request, and get no answer either.
    let source = tx
        .connection
        .as_ref()
        .and_then(|c| c.get_remote_addr())
        .and_then(|a| a.get_socketaddr().ok());
    if source.is_some_and(|addr| bans.is_banned(addr.ip(), unix_millis())) {
        stats
            .banned
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return;
    }
    if let Some(mut dialog) = dialogs.match_dialog(&tx) {
        tokio::spawn(async move {
            if let Err(error) = dialog.handle(&mut tx).await {
                debug!(%error, "in-dialog request failed");
            }
        });
        return;
    }
    let Some(request) = ServerRequest::new(tx) else {
        return;
    };
    match to_switch.try_send(request) {
        Ok(()) => {}
        Err(mpsc::error::TrySendError::Full(request)) => {
            warn!("SIP request queue full: answering 503");
            tokio::spawn(request.overloaded());
        }
        Err(mpsc::error::TrySendError::Closed(request)) => {
            tokio::spawn(request.overloaded());
        }
    }
}
