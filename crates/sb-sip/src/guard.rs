//! The UDP socket rsipstack reads from, wrapped so every datagram passes the
//! ban list and [`wire::inspect`] first. Malformed requests are answered here
//! with 400 and never reach the stack; banned sources are not answered at all
//! (a scanner learns nothing).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rsipstack::platform::net::UdpSocket as StackUdpSocket;
use tracing::{debug, trace};

use crate::wire::{self, Inspection};

/// Addresses refused at the socket, each until a unix-millis instant.
#[derive(Debug, Clone, Default)]
pub struct BanList {
    banned: Arc<RwLock<HashMap<IpAddr, u64>>>,
}

impl BanList {
    pub fn ban(&self, address: IpAddr, until_millis: u64) {
        if let Ok(mut banned) = self.banned.write() {
            banned.insert(address, until_millis);
        }
    }

    pub fn lift(&self, address: IpAddr) {
        if let Ok(mut banned) = self.banned.write() {
            banned.remove(&address);
        }
    }

    pub fn is_banned(&self, address: IpAddr, now_millis: u64) -> bool {
        self.banned
            .read()
            .map(|banned| {
                banned
                    .get(&address)
                    .is_some_and(|until| *until > now_millis)
            })
            .unwrap_or(false)
    }
}

/// Datagram counters for /metrics and tests.
#[derive(Debug, Default)]
pub struct WireStats {
    pub accepted: AtomicU64,
    pub rejected: AtomicU64,
    pub dropped: AtomicU64,
    pub banned: AtomicU64,
}

#[derive(Debug)]
pub(crate) struct GuardedUdp {
    socket: tokio::net::UdpSocket,
    bans: BanList,
    stats: Arc<WireStats>,
}

impl GuardedUdp {
    pub(crate) fn new(socket: tokio::net::UdpSocket, bans: BanList, stats: Arc<WireStats>) -> Self {
        GuardedUdp {
            socket,
            bans,
            stats,
        }
    }
}

pub(crate) fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[async_trait::async_trait]
impl StackUdpSocket for GuardedUdp {
    async fn recv_from(&self, buf: &mut [u8]) -> rsipstack::Result<(usize, SocketAddr)> {
        loop {
            let (len, from) = self.socket.recv_from(buf).await?;
            if self.bans.is_banned(from.ip(), unix_millis()) {
                self.stats.banned.fetch_add(1, Ordering::Relaxed);
                trace!(%from, "datagram from a banned address dropped");
                continue;
            }
            let datagram = &buf[..len];
            // Keep-alives (CRLF, RFC 5626 §3.5.1) pass straight to the stack.
            if datagram.iter().all(u8::is_ascii_whitespace) {
                return Ok((len, from));
            }
            match wire::inspect(datagram) {
                Inspection::Accept => {
                    self.stats.accepted.fetch_add(1, Ordering::Relaxed);
                    return Ok((len, from));
                }
                Inspection::Reply { response, error } => {
                    self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                    debug!(%from, %error, "malformed SIP request answered");
                    let _ = self.socket.send_to(&response, from).await;
                }
                Inspection::Drop { error } => {
                    self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    debug!(%from, %error, "malformed SIP datagram dropped");
                }
            }
        }
    }

    async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> rsipstack::Result<usize> {
        Ok(self.socket.send_to(buf, addr).await?)
    }

    fn local_addr(&self) -> rsipstack::Result<SocketAddr> {
        Ok(self.socket.local_addr()?)
    }
}
