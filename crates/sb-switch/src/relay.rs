//! Anchored media for one call: the caller's side and the callee's side each
//! have a port pair on the switch; every RTP and RTCP packet arriving on one
//! side is sent on from the other side's socket. Symmetric RTP (MISSION T5):
//! a side's peer is latched on its first packet, so a phone behind NAT is
//! reached at the address its packets really come from, and packets from
//! anyone else are dropped.
//!
//! One task per call for now; the media engine issue replaces it with media
//! threads that batch many calls (docs/PERFORMANCE.md has the figures).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::net::UdpSocket;
use tokio::sync::watch;

use crate::ports::PortPair;

/// The address each side's phone said (in SDP) it receives audio on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Peers {
    pub caller: Option<SocketAddr>,
    pub callee: Option<SocketAddr>,
}

#[derive(Debug, Default)]
pub struct RelayCounters {
    pub caller_to_callee: AtomicU64,
    pub callee_to_caller: AtomicU64,
    pub dropped: AtomicU64,
}

#[derive(Debug)]
pub struct MediaRelay {
    pub caller_side: PortPair,
    pub callee_side: PortPair,
    peers: watch::Sender<Peers>,
    pub counters: Arc<RelayCounters>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl MediaRelay {
    /// `totals` are the switch-wide counters the call's packets also count in.
    pub fn start(
        caller_side: PortPair,
        callee_side: PortPair,
        totals: Arc<RelayCounters>,
    ) -> MediaRelay {
        let (peers, watch) = watch::channel(Peers::default());
        let counters = Arc::new(RelayCounters::default());
        let tasks = vec![
            tokio::spawn(relay(
                caller_side.rtp.clone(),
                callee_side.rtp.clone(),
                watch.clone(),
                0,
                [counters.clone(), totals.clone()],
            )),
            tokio::spawn(relay(
                caller_side.rtcp.clone(),
                callee_side.rtcp.clone(),
                watch,
                1,
                [counters.clone(), totals],
            )),
        ];
        MediaRelay {
            caller_side,
            callee_side,
            peers,
            counters,
            tasks,
        }
    }

    /// New SDP from either side (answer, re-INVITE): re-latch on it.
    pub fn set_peers(&self, update: impl FnOnce(&mut Peers)) {
        self.peers.send_modify(update);
    }
}

impl Drop for MediaRelay {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// `offset` is 0 for RTP, 1 for RTCP (the next port).
async fn relay(
    caller: Arc<UdpSocket>,
    callee: Arc<UdpSocket>,
    mut peers: watch::Receiver<Peers>,
    offset: u16,
    counters: [Arc<RelayCounters>; 2],
) {
    let count = |pick: fn(&RelayCounters) -> &AtomicU64| {
        for c in &counters {
            pick(c).fetch_add(1, Ordering::Relaxed);
        }
    };
    let shift = |addr: Option<SocketAddr>| {
        addr.map(|a| SocketAddr::new(a.ip(), a.port().saturating_add(offset)))
    };
    let mut expected = *peers.borrow();
    let mut latched_caller: Option<SocketAddr> = None;
    let mut latched_callee: Option<SocketAddr> = None;
    let mut from_caller = vec![0u8; 2048];
    let mut from_callee = vec![0u8; 2048];
    loop {
        tokio::select! {
            changed = peers.changed() => {
                if changed.is_err() {
                    return;
                }
                let now = *peers.borrow();
                if now.caller != expected.caller {
                    latched_caller = None;
                }
                if now.callee != expected.callee {
                    latched_callee = None;
                }
                expected = now;
            }
            received = caller.recv_from(&mut from_caller) => {
                let Ok((len, source)) = received else { continue };
                if !accept(&mut latched_caller, source) {
                    count(|c| &c.dropped);
                    continue;
                }
                let target = latched_callee.or(shift(expected.callee));
                if let Some(target) = target
                    && callee.send_to(&from_caller[..len], target).await.is_ok() && offset == 0 {
                        count(|c| &c.caller_to_callee);
                    }
            }
            received = callee.recv_from(&mut from_callee) => {
                let Ok((len, source)) = received else { continue };
                if !accept(&mut latched_callee, source) {
                    count(|c| &c.dropped);
                    continue;
                }
                let target = latched_caller.or(shift(expected.caller));
                if let Some(target) = target
                    && caller.send_to(&from_callee[..len], target).await.is_ok() && offset == 0 {
                        count(|c| &c.callee_to_caller);
                    }
            }
        }
    }
}

/// Latch on the first source; afterwards only that source is relayed.
fn accept(latched: &mut Option<SocketAddr>, source: SocketAddr) -> bool {
    match latched {
        Some(peer) => *peer == source,
        None => {
            *latched = Some(source);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::time::Duration;

    use super::*;
    use crate::ports::PortPool;

    #[tokio::test]
    async fn packets_flow_both_ways_and_strangers_are_dropped() {
        let pool = Arc::new(PortPool::parse("42000-42009").expect("range"));
        let ip = IpAddr::from([127, 0, 0, 1]);
        let relay = MediaRelay::start(
            pool.bind_pair(ip).await.expect("pair"),
            pool.bind_pair(ip).await.expect("pair"),
            Arc::new(RelayCounters::default()),
        );
        let phone_a = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let phone_b = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let stranger = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        // SDP says B listens on its socket; A's address is learnt by latching.
        let b_addr = phone_b.local_addr().expect("addr");
        relay.set_peers(|p| p.callee = Some(b_addr));
        let a_side = SocketAddr::new(ip, relay.caller_side.port);
        let b_side = SocketAddr::new(ip, relay.callee_side.port);

        let mut buf = [0u8; 64];
        phone_a.send_to(b"hello-b", a_side).await.expect("send");
        let (n, from) = tokio::time::timeout(Duration::from_secs(2), phone_b.recv_from(&mut buf))
            .await
            .expect("relayed in time")
            .expect("recv");
        assert_eq!((&buf[..n], from), (&b"hello-b"[..], b_side));

        phone_b.send_to(b"hello-a", b_side).await.expect("send");
        let (n, _) = tokio::time::timeout(Duration::from_secs(2), phone_a.recv_from(&mut buf))
            .await
            .expect("relayed in time")
            .expect("recv");
        assert_eq!(&buf[..n], b"hello-a");

        stranger.send_to(b"inject", a_side).await.expect("send");
        phone_a.send_to(b"again", a_side).await.expect("send");
        let (n, _) = tokio::time::timeout(Duration::from_secs(2), phone_b.recv_from(&mut buf))
            .await
            .expect("relayed in time")
            .expect("recv");
        assert_eq!(&buf[..n], b"again", "the stranger's packet was not relayed");
        assert_eq!(relay.counters.dropped.load(Ordering::Relaxed), 1);
    }
}
