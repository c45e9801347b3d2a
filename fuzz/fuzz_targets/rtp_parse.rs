//! Every datagram on a media port is demultiplexed and parsed before
//! anything else looks at it: neither may panic, a parsed payload must lie
//! inside the datagram, and a telephone-event payload from it must not
//! panic the DTMF receiver either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sb_media::dtmf::EventReceiver;
use sb_media::rtp::{RtpPacket, is_rtcp};

fuzz_target!(|data: &[u8]| {
    let _ = is_rtcp(data);
    if let Ok(packet) = RtpPacket::parse(data) {
        let start = packet.payload.as_ptr() as usize - data.as_ptr() as usize;
        assert!(start >= 12 && start + packet.payload.len() <= data.len());

        let mut receiver = EventReceiver::new(8000);
        let now_ms = u64::from(packet.sequence);
        let _ = receiver.receive(now_ms, packet.timestamp, packet.payload);
        let _ = receiver.receive(now_ms + 20, packet.timestamp, packet.payload);
        let _ = receiver.poll(now_ms + 1000);
    }
});
