//! RTP peers played by the test: a phone's media socket whose port is put in
//! that phone's SDP (`-key rtp_port`). The SIPp scenario writes the switch's
//! anchored address from the SDP it received into a file (`-key relay_file`);
//! each peer then sends RTP there and counts what the relay forwards to it.

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

use super::poll;

pub const PACKETS: u16 = 50;

#[derive(Debug)]
pub struct RtpPeer {
    socket: UdpSocket,
    ssrc: u32,
    pub port: u16,
}

impl RtpPeer {
    pub fn new(ssrc: u32) -> RtpPeer {
        RtpPeer::on("127.0.0.1", ssrc)
    }

    /// A peer on another loopback address (a carrier's media).
    pub fn on(ip: &str, ssrc: u32) -> RtpPeer {
        let socket = UdpSocket::bind((ip, 0)).expect("bind RTP peer");
        let port = socket.local_addr().expect("local addr").port();
        RtpPeer { socket, ssrc, port }
    }

    /// One 20 ms PCMU packet: RTP v2, payload type 0.
    fn packet(&self, seq: u16) -> Vec<u8> {
        let mut p = vec![0x80, 0x00];
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
        p.extend_from_slice(&self.ssrc.to_be_bytes());
        p.extend(std::iter::repeat_n(0xff_u8, 160));
        p
    }

    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Sends a packet built by the test.
    pub fn send_raw(&self, to: SocketAddr, packet: &[u8]) {
        self.socket.send_to(packet, to).expect("send RTP");
    }

    /// Every packet that arrives within `within` (stops after a quiet 500 ms
    /// once something came).
    pub fn collect(&self, within: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + within;
        let mut packets = Vec::new();
        let mut buf = [0u8; 2048];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let wait = if packets.is_empty() {
                left
            } else {
                left.min(Duration::from_millis(500))
            };
            self.socket
                .set_read_timeout(Some(wait))
                .expect("read timeout");
            match self.socket.recv_from(&mut buf) {
                Ok((len, _)) => packets.push(buf[..len].to_vec()),
                Err(_) if packets.is_empty() => continue,
                Err(_) => break,
            }
        }
        packets
    }

    pub fn send(&self, to: SocketAddr, seq: u16) {
        self.socket
            .send_to(&self.packet(seq), to)
            .expect("send RTP");
    }

    /// Counts the packets from `from_ssrc` that arrive within `within`,
    /// stopping early once `expected` are in. A packet that is not the peer's
    /// RTP unchanged is a failure.
    pub fn receive(&self, from_ssrc: u32, expected: u16, within: Duration) -> u16 {
        let deadline = Instant::now() + within;
        let mut count = 0;
        let mut buf = [0u8; 2048];
        while count < expected {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.socket
                .set_read_timeout(Some(left))
                .expect("read timeout");
            let Ok((len, _)) = self.socket.recv_from(&mut buf) else {
                break;
            };
            assert_eq!(len, 172, "the relay passes RTP packets unchanged");
            assert_eq!(
                buf[8..12],
                from_ssrc.to_be_bytes(),
                "RTP from the other party"
            );
            count += 1;
        }
        count
    }
}

/// The `ip port` a scenario wrote, once the file exists (15 s at most).
pub fn relay_address(file: &Path) -> Option<SocketAddr> {
    poll(Duration::from_secs(15), || {
        let text = std::fs::read_to_string(file).ok()?;
        let mut parts = text.split_whitespace();
        let ip = parts.next()?;
        let port = parts.next()?;
        format!("{ip}:{port}").parse().ok()
    })
}

/// Sends PACKETS each way through the relay and returns how many arrived
/// (caller to callee, callee to caller).
pub fn exchange(
    caller: &RtpPeer,
    to_caller_side: SocketAddr,
    callee: &RtpPeer,
    to_callee_side: SocketAddr,
) -> (u16, u16) {
    for seq in 0..PACKETS {
        caller.send(to_caller_side, seq);
        callee.send(to_callee_side, seq);
        std::thread::sleep(Duration::from_millis(2));
    }
    let forward = callee.receive(caller.ssrc, PACKETS, Duration::from_secs(2));
    let back = caller.receive(callee.ssrc, PACKETS, Duration::from_secs(2));
    (forward, back)
}

/// Where the next key press starts its RTP sequence numbers and
/// timestamps: a phone's later keys never repeat an earlier event's
/// timestamp (the switch would take them for retransmissions).
static NEXT_PRESS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

/// Sends `keys` as RFC 4733 events (payload type 101), 100 ms each, paced
/// like a phone.
pub fn press(peer: &RtpPeer, to: SocketAddr, keys: &str) {
    let base = NEXT_PRESS.fetch_add(keys.len() as u32 + 1, std::sync::atomic::Ordering::Relaxed);
    let mut sequence = (base * 16) as u16;
    for (index, key) in keys.chars().enumerate() {
        let timestamp = 8000 * (base + index as u32);
        let sender = sb_media::dtmf::EventSender::new(key, 100, 20, 8000).expect("a key");
        for payload in sender {
            let mut packet = vec![0x80, 101 | if payload.marker { 0x80 } else { 0 }];
            packet.extend_from_slice(&sequence.to_be_bytes());
            packet.extend_from_slice(&timestamp.to_be_bytes());
            packet.extend_from_slice(&peer.ssrc().to_be_bytes());
            packet.extend_from_slice(&payload.bytes);
            peer.send_raw(to, &packet);
            sequence = sequence.wrapping_add(1);
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(80));
    }
}

/// `seconds` of a phone's voice: a `frequency` Hz tone as PCMU, 50
/// packets a second, paced.
pub fn talk(peer: &RtpPeer, to: SocketAddr, frequency: f64, seconds: u16) {
    let mut encoder = sb_media::codec::Encoder::new(sb_media::codec::Codec::Pcmu);
    for seq in 0..seconds * 50 {
        let samples: Vec<i16> = (0..160)
            .map(|i| {
                let t = f64::from(u32::from(seq) * 160 + i) / 8000.0;
                (8000.0 * (2.0 * std::f64::consts::PI * frequency * t).sin()) as i16
            })
            .collect();
        let mut packet = vec![0x80, 0x00];
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&(u32::from(seq) * 160).to_be_bytes());
        packet.extend_from_slice(&peer.ssrc().to_be_bytes());
        encoder.encode(&samples, &mut packet);
        peer.send_raw(to, &packet);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The caller and `phone` hear each other: what each sends reaches the
/// other (the switch may restamp it toward a caller it answered itself,
/// so packets are counted, not compared). Music the caller heard before is
/// drained first.
pub fn assert_talking(caller: (&RtpPeer, SocketAddr), phone: (&RtpPeer, SocketAddr)) {
    caller.0.collect(Duration::from_millis(700));
    phone.0.collect(Duration::from_millis(700));
    for seq in 0..50 {
        caller.0.send(caller.1, seq);
        phone.0.send(phone.1, seq);
        std::thread::sleep(Duration::from_millis(20));
    }
    let to_phone = phone.0.collect(Duration::from_secs(2)).len();
    let to_caller = caller.0.collect(Duration::from_secs(2)).len();
    assert!(
        to_phone > 10 && to_caller > 10,
        "audio both ways: {to_phone} packets to the phone, {to_caller} to the caller"
    );
}
