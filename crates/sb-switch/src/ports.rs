//! RTP port pairs (even RTP port, RTCP on the next odd one, RFC 3550 §11)
//! from the configured range. A pair returns to the pool when dropped.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use std::net::UdpSocket;

use crate::error::SwitchError;

#[derive(Debug)]
pub struct PortPool {
    first: u16,
    last: u16,
    state: Mutex<PoolState>,
}

#[derive(Debug)]
struct PoolState {
    next: u16,
    in_use: HashSet<u16>,
}

impl PortPool {
    /// `range` is `FIRST-LAST`, FIRST even.
    pub fn parse(range: &str) -> Result<PortPool, SwitchError> {
        let bad = || SwitchError::PortRange(range.to_owned());
        let (first, last) = range.split_once('-').ok_or_else(bad)?;
        let first: u16 = first.trim().parse().map_err(|_| bad())?;
        let last: u16 = last.trim().parse().map_err(|_| bad())?;
        if !first.is_multiple_of(2) || first >= last || first < 1024 {
            return Err(bad());
        }
        Ok(PortPool {
            first,
            last,
            state: Mutex::new(PoolState {
                next: first,
                in_use: HashSet::new(),
            }),
        })
    }

    pub fn capacity(&self) -> usize {
        usize::from((self.last - self.first).div_ceil(2))
    }

    /// Binds the next free pair on `ip` (non-blocking sockets for the media
    /// threads), skipping ports other programs hold.
    pub fn bind_pair(self: &Arc<Self>, ip: IpAddr) -> Result<PortPair, SwitchError> {
        for _ in 0..self.capacity() {
            let Some(port) = self.reserve() else { break };
            let bound = |port| {
                let socket = UdpSocket::bind(SocketAddr::new(ip, port))?;
                socket.set_nonblocking(true)?;
                Ok::<_, std::io::Error>(socket)
            };
            match (bound(port), bound(port + 1)) {
                (Ok(rtp), Ok(rtcp)) => {
                    return Ok(PortPair {
                        port,
                        rtp,
                        rtcp,
                        lease: PortLease {
                            port,
                            pool: self.clone(),
                        },
                    });
                }
                _ => self.release(port),
            }
        }
        Err(SwitchError::PortsExhausted {
            first: self.first,
            last: self.last,
        })
    }

    fn reserve(&self) -> Option<u16> {
        let mut state = self.state.lock().ok()?;
        for _ in 0..self.capacity() {
            let port = state.next;
            state.next = if port + 3 > self.last {
                self.first
            } else {
                port + 2
            };
            if port < self.last && state.in_use.insert(port) {
                return Some(port);
            }
        }
        None
    }

    fn release(&self, port: u16) {
        if let Ok(mut state) = self.state.lock() {
            state.in_use.remove(&port);
        }
    }

    pub fn in_use(&self) -> usize {
        self.state.lock().map(|s| s.in_use.len()).unwrap_or(0)
    }
}

#[derive(Debug)]
pub struct PortPair {
    pub port: u16,
    pub rtp: UdpSocket,
    pub rtcp: UdpSocket,
    /// Keeps the pair reserved; the sockets may move elsewhere (the media
    /// threads) as long as the lease goes with them.
    pub lease: PortLease,
}

#[derive(Debug)]
pub struct PortLease {
    port: u16,
    pool: Arc<PortPool>,
}

impl Drop for PortLease {
    fn drop(&mut self) {
        self.pool.release(self.port);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_validated() {
        for bad in ["", "30001-30010", "30010-30000", "x-y", "100-200"] {
            assert!(PortPool::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            PortPool::parse("30000-30009").map(|p| p.capacity()).ok(),
            Some(5)
        );
    }

    #[test]
    fn pairs_are_even_distinct_and_returned() {
        let pool = Arc::new(PortPool::parse("41000-41005").expect("range"));
        let ip = IpAddr::from([127, 0, 0, 1]);
        let a = pool.bind_pair(ip).expect("first");
        let b = pool.bind_pair(ip).expect("second");
        assert!(a.port % 2 == 0 && b.port % 2 == 0 && a.port != b.port);
        assert_eq!(pool.in_use(), 2);
        drop(a);
        assert_eq!(pool.in_use(), 1);
    }
}
