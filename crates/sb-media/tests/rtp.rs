//! RTP parsing and writing (RFC 3550 §5.1) and RTP/RTCP demultiplexing
//! (RFC 5761 §4). Parsing reads datagrams straight off the network, so
//! every truncated or inconsistent input must come back as an error.

use sb_media::rtp::{RtpHeader, RtpPacket, RtpSender, is_rtcp};

fn header() -> RtpHeader {
    RtpHeader {
        marker: true,
        payload_type: 8,
        sequence: 0xFFFE,
        timestamp: 0xDEAD_BEEF,
        ssrc: 0x0102_0304,
    }
}

/// A packet with two CSRCs, a one-word header extension and 3 bytes of
/// padding around a 4-byte payload.
fn packet_with_everything() -> Vec<u8> {
    let mut bytes = vec![
        0b1011_0010, // V=2, P=1, X=1, CC=2
        0x80 | 101,  // marker, payload type 101
        0x12,
        0x34,
        0,
        0,
        0x01,
        0x40,
        0xCA,
        0xFE,
        0xBA,
        0xBE,
    ];
    bytes.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 2]); // CSRCs
    bytes.extend_from_slice(&[0xBE, 0xDE, 0, 1, 0x10, 0xAA, 0, 0]); // extension, 1 word
    bytes.extend_from_slice(&[5, 0x8A, 0x20, 0x40]); // payload
    bytes.extend_from_slice(&[0, 0, 3]); // padding, count last
    bytes
}

#[test]
fn written_header_parses_back() {
    let mut bytes = Vec::new();
    header().write(&mut bytes);
    assert_eq!(bytes.len(), 12);
    bytes.extend_from_slice(&[0xD5; 160]);

    let packet = RtpPacket::parse(&bytes).expect("valid packet");
    assert!(packet.marker);
    assert_eq!(packet.payload_type, 8);
    assert_eq!(packet.sequence, 0xFFFE);
    assert_eq!(packet.timestamp, 0xDEAD_BEEF);
    assert_eq!(packet.ssrc, 0x0102_0304);
    assert_eq!(packet.payload, &[0xD5; 160][..]);
    assert_eq!(bytes[0], 0x80, "version 2, no padding, extension or CSRC");
}

#[test]
fn write_appends_and_keeps_the_payload_type_to_seven_bits() {
    let mut bytes = vec![0xAA];
    RtpHeader {
        marker: false,
        payload_type: 0xFF,
        ..header()
    }
    .write(&mut bytes);
    assert_eq!(bytes.len(), 13);
    assert_eq!(bytes[0], 0xAA);
    assert_eq!(bytes[2], 0x7F, "marker clear, payload type masked");
}

#[test]
fn csrcs_extension_and_padding_are_skipped() {
    let bytes = packet_with_everything();
    let packet = RtpPacket::parse(&bytes).expect("valid packet");
    assert!(packet.marker);
    assert_eq!(packet.payload_type, 101);
    assert_eq!(packet.sequence, 0x1234);
    assert_eq!(packet.timestamp, 0x140);
    assert_eq!(packet.ssrc, 0xCAFE_BABE);
    assert_eq!(packet.payload, &[5, 0x8A, 0x20, 0x40]);
}

#[test]
fn padding_may_take_the_whole_payload() {
    let mut bytes = Vec::new();
    header().write(&mut bytes);
    bytes[0] |= 0x20;
    bytes.extend_from_slice(&[0, 0, 0, 4]);
    assert_eq!(
        RtpPacket::parse(&bytes).expect("valid").payload,
        &[] as &[u8]
    );
}

#[test]
fn every_prefix_of_a_valid_packet_is_rejected() {
    let bytes = packet_with_everything();
    for length in 0..bytes.len() {
        // The P bit is set, so each prefix past the extension reads its last
        // byte as a padding count; none of these bytes is a count that fits.
        assert!(
            RtpPacket::parse(&bytes[..length]).is_err(),
            "prefix of {length} bytes accepted"
        );
    }
}

#[test]
fn inconsistent_headers_are_rejected() {
    let valid = packet_with_everything();
    let mut version_one = valid.clone();
    version_one[0] = (version_one[0] & 0x3F) | 0x40;
    assert!(RtpPacket::parse(&version_one).is_err());

    let mut too_many_csrcs = valid.clone();
    too_many_csrcs[0] |= 0x0F;
    assert!(RtpPacket::parse(&too_many_csrcs).is_err());

    let mut long_extension = valid.clone();
    long_extension[23] = 9;
    assert!(RtpPacket::parse(&long_extension).is_err());

    let mut zero_padding = valid.clone();
    *zero_padding.last_mut().expect("non-empty") = 0;
    assert!(RtpPacket::parse(&zero_padding).is_err());

    let mut long_padding = valid;
    *long_padding.last_mut().expect("non-empty") = 8; // reaches into the extension
    assert!(RtpPacket::parse(&long_padding).is_err());
}

/// xorshift64: fixed seed, so a failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_never_panic_and_what_parses_is_consistent() {
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let length = (random.next() % 80) as usize;
        let mut bytes: Vec<u8> = (0..length).map(|_| random.next() as u8).collect();
        if random.next().is_multiple_of(2)
            && let Some(first) = bytes.first_mut()
        {
            *first = (*first & 0x3F) | 0x80; // version 2, to get past the first check
        }
        let _ = is_rtcp(&bytes);
        if let Ok(packet) = RtpPacket::parse(&bytes) {
            accepted += 1;
            assert_eq!(bytes[0] >> 6, 2);
            let header_len = 12 + 4 * usize::from(bytes[0] & 0x0F);
            assert!(packet.payload.len() + header_len <= bytes.len());
            let start = packet.payload.as_ptr() as usize - bytes.as_ptr() as usize;
            assert!(start >= header_len, "payload starts inside the header");
        }
    }
    assert!(
        accepted > 100,
        "the generator should also produce valid packets"
    );
}

#[test]
fn rtcp_is_told_from_rtp() {
    // Receiver report: V=2, RC=1, PT=201.
    assert!(is_rtcp(&[0x81, 201, 0, 7, 1, 2, 3, 4]));
    assert!(is_rtcp(&[0x80, 192]));
    assert!(is_rtcp(&[0x80, 223]));
    assert!(!is_rtcp(&[0x80, 191]));
    assert!(!is_rtcp(&[0x80, 224]));
    assert!(!is_rtcp(&[0x40, 200]), "version 1");
    assert!(!is_rtcp(&[0x80]));
    assert!(!is_rtcp(&[]));

    let mut audio = Vec::new();
    header().write(&mut audio); // marker + PCMA is 0x88
    assert!(!is_rtcp(&audio));
}

#[test]
fn sender_numbers_packets_continuously_across_wrap() {
    let mut sender = RtpSender::new(7, u16::MAX, u32::MAX - 100);
    let first = sender.next(0, true, 160);
    let second = sender.next(0, false, 160);
    assert_eq!(
        (first.sequence, first.timestamp, first.ssrc),
        (u16::MAX, u32::MAX - 100, 7)
    );
    assert!(first.marker && !second.marker);
    assert_eq!(second.sequence, 0);
    assert_eq!(second.timestamp, 59, "wrapped by 160");
    assert_eq!(sender.timestamp(), 219);
}

#[test]
fn dtmf_packets_share_the_event_timestamp_while_the_clock_runs_on() {
    let mut sender = RtpSender::new(1, 100, 8000);
    sender.next(0, false, 160);
    let event_start = sender.timestamp();
    let headers: Vec<RtpHeader> = (0..4)
        .map(|index| sender.next_with_timestamp(101, index == 0, event_start))
        .collect();
    assert!(headers.iter().all(|header| header.timestamp == event_start));
    let sequences: Vec<u16> = headers.iter().map(|header| header.sequence).collect();
    assert_eq!(sequences, [101, 102, 103, 104]);

    let audio = sender.next(0, false, 160);
    assert_eq!(audio.sequence, 105);
    assert_eq!(
        audio.timestamp,
        event_start + 4 * 160,
        "four packet times later"
    );

    sender.skip(320);
    assert_eq!(sender.next(0, false, 160).timestamp, event_start + 7 * 160);
}
