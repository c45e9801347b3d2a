//! DTMF by every path a phone may use: RFC 4733 events (sender to receiver,
//! with reordering and loss), in-band tones (levels, noise, look-alikes,
//! digit strings), and SIP INFO bodies.

use sb_media::dtmf::{Digit, EventPayload, EventReceiver, EventSender, InbandDetector, parse_info};
use sb_media::frame::{FRAME_SAMPLES, Frame};
use sb_media::tone::ToneGenerator;

fn digit(key: char, duration_ms: u32) -> Digit {
    Digit { key, duration_ms }
}

// ---------------------------------------------------------------- RFC 4733

fn event_packets(key: char, duration_ms: u32) -> Vec<EventPayload> {
    EventSender::new(key, duration_ms, 20, 8000)
        .expect("valid digit")
        .collect()
}

/// Feeds packets of one event (start timestamp `start`) one per 20 ms from
/// `first_ms`; returns what each call reported.
fn feed(
    receiver: &mut EventReceiver,
    first_ms: u64,
    start: u32,
    packets: &[EventPayload],
) -> Vec<Option<Digit>> {
    packets
        .iter()
        .enumerate()
        .map(|(index, packet)| receiver.receive(first_ms + 20 * index as u64, start, &packet.bytes))
        .collect()
}

fn reported(results: &[Option<Digit>]) -> Vec<Digit> {
    results.iter().flatten().copied().collect()
}

#[test]
fn sender_follows_rfc_4733() {
    let packets = event_packets('#', 200);
    // 200 ms at 20 ms: interim durations 160..1440, then 1600 three times.
    assert_eq!(packets.len(), 9 + 3);
    assert!(packets[0].marker);
    assert!(packets[1..].iter().all(|packet| !packet.marker));
    for (index, packet) in packets[..9].iter().enumerate() {
        let duration = 160 * (index as u16 + 1);
        assert_eq!(
            packet.bytes,
            [11, 10, (duration >> 8) as u8, duration as u8]
        );
        assert!(!packet.end);
    }
    for packet in &packets[9..] {
        assert_eq!(packet.bytes, [11, 0x80 | 10, 0x06, 0x40]);
        assert!(packet.end);
    }

    // A digit no longer than a packet time is its end packets alone.
    let short = event_packets('1', 20);
    assert_eq!(short.len(), 3);
    assert!(short[0].marker && short.iter().all(|packet| packet.end));

    assert!(EventSender::new('E', 100, 20, 8000).is_none());
    assert!(EventSender::new('1', 0, 20, 8000).is_none());
    assert!(EventSender::new('1', 100, 0, 8000).is_none());
    assert!(EventSender::new('1', 100, 20, 0).is_none());
}

#[test]
fn a_digit_is_reported_once_at_its_first_end_packet() {
    let mut receiver = EventReceiver::new(8000);
    let packets = event_packets('5', 200);
    let results = feed(&mut receiver, 0, 8000, &packets);
    // Nothing until the first end packet, nothing for the two copies.
    assert!(results[..9].iter().all(Option::is_none));
    assert_eq!(results[9], Some(digit('5', 200)));
    assert_eq!(results[10..], [None, None]);
    assert_eq!(receiver.poll(10_000), None);
}

#[test]
fn reordered_packets_still_make_one_digit() {
    let mut receiver = EventReceiver::new(8000);
    let packets = event_packets('9', 200);
    // An end packet overtakes the interim ones; the first packet is late.
    let order = [1, 2, 10, 3, 0, 5, 4, 6, 7, 9, 8, 11];
    let shuffled: Vec<EventPayload> = order.iter().map(|&index| packets[index]).collect();
    let results = feed(&mut receiver, 0, 1234, &shuffled);
    assert_eq!(reported(&results), [digit('9', 200)]);
    assert_eq!(results[2], Some(digit('9', 200)), "at the first end packet");
    assert_eq!(receiver.poll(10_000), None);
}

#[test]
fn retransmitted_packets_are_ignored() {
    let mut receiver = EventReceiver::new(8000);
    let packets = event_packets('3', 100);
    let doubled: Vec<EventPayload> = packets
        .iter()
        .flat_map(|&packet| [packet, packet])
        .collect();
    assert_eq!(
        reported(&feed(&mut receiver, 0, 0, &doubled)),
        [digit('3', 100)]
    );
}

#[test]
fn an_event_whose_end_packets_are_lost_is_reported_when_idle() {
    let mut receiver = EventReceiver::new(8000);
    let packets = event_packets('0', 200);
    let results = feed(&mut receiver, 1000, 5000, &packets[..9]);
    assert!(results.iter().all(Option::is_none));
    let last_heard_ms = 1000 + 8 * 20;
    assert_eq!(receiver.poll(last_heard_ms + 100), None);
    assert_eq!(
        receiver.poll(last_heard_ms + 200),
        None,
        "200 ms is not yet longer than 200 ms"
    );
    // The last duration heard: 1440 units, 180 ms.
    assert_eq!(receiver.poll(last_heard_ms + 201), Some(digit('0', 180)));
    assert_eq!(receiver.poll(last_heard_ms + 10_000), None);
    // The end packets turning up after all change nothing.
    assert_eq!(
        reported(&feed(&mut receiver, 2000, 5000, &packets[9..])),
        []
    );
}

#[test]
fn the_end_timeout_can_be_set() {
    let mut receiver = EventReceiver::with_end_timeout(8000, 50);
    let packets = event_packets('4', 100);
    feed(&mut receiver, 0, 0, &packets[..2]);
    assert_eq!(receiver.poll(20 + 51), Some(digit('4', 40)));
}

#[test]
fn a_new_event_reports_one_whose_end_packets_were_lost() {
    let mut receiver = EventReceiver::new(8000);
    let first = event_packets('1', 100);
    let second = event_packets('2', 100);
    let results = feed(&mut receiver, 0, 0, &first[..4]);
    assert!(results.iter().all(Option::is_none));
    // 160 ms later in RTP time, the next key's first packet.
    let results = feed(&mut receiver, 100, 1280, &second);
    assert_eq!(results[0], Some(digit('1', 80)));
    assert_eq!(reported(&results), [digit('1', 80), digit('2', 100)]);
}

#[test]
fn the_same_key_twice_is_two_digits() {
    let mut receiver = EventReceiver::new(8000);
    let packets = event_packets('7', 100);
    let mut digits = reported(&feed(&mut receiver, 0, 0, &packets));
    digits.extend(reported(&feed(&mut receiver, 200, 1600, &packets)));
    assert_eq!(digits, [digit('7', 100), digit('7', 100)]);
}

#[test]
fn a_late_copy_of_an_earlier_event_is_not_a_new_digit() {
    let mut receiver = EventReceiver::new(8000);
    let one = event_packets('1', 100);
    let two = event_packets('2', 100);
    feed(&mut receiver, 0, 0, &one);
    let results = feed(&mut receiver, 200, 1600, &two[..3]);
    for late in [one[1], one[6]] {
        assert_eq!(receiver.receive(300, 0, &late.bytes), None);
    }
    assert_eq!(reported(&results), []);
    assert_eq!(
        reported(&feed(&mut receiver, 300, 1600, &two[3..])),
        [digit('2', 100)]
    );
}

#[test]
fn a_restarted_rtp_clock_is_a_new_stream() {
    // After a transfer the new phone's timestamps may start anywhere,
    // including far "behind" the old ones.
    let mut receiver = EventReceiver::new(8000);
    let packets = event_packets('6', 100);
    feed(&mut receiver, 0, 3_000_000_000, &packets);
    assert_eq!(
        reported(&feed(&mut receiver, 500, 1000, &packets)),
        [digit('6', 100)]
    );
    receiver.reset();
    assert_eq!(
        reported(&feed(&mut receiver, 900, 1000, &packets)),
        [digit('6', 100)]
    );
}

#[test]
fn a_key_held_past_the_16_bit_duration_is_one_digit() {
    // RFC 4733 §2.5.1.3: the event goes on in a segment starting where the
    // full one ended.
    let mut receiver = EventReceiver::new(8000);
    assert_eq!(receiver.receive(0, 100, &[5, 10, 0xFF, 0x00]), None);
    assert_eq!(receiver.receive(20, 100, &[5, 10, 0xFF, 0xFF]), None);
    let next_segment = 100 + 0xFFFF;
    assert_eq!(
        receiver.receive(40, next_segment, &[5, 10, 0x03, 0x20]),
        None
    );
    let end = receiver.receive(60, next_segment, &[5, 0x8A, 0x3E, 0x80]);
    assert_eq!(end, Some(digit('5', (65_535 + 16_000) / 8)));
}

#[test]
fn packed_events_are_each_reported() {
    // RFC 4733 §2.5.1.5: `1` ended (800 units), then `2` ended (400 units).
    let mut receiver = EventReceiver::new(8000);
    let payload = [1, 0x8A, 0x03, 0x20, 2, 0x8A, 0x01, 0x90];
    assert_eq!(receiver.receive(0, 0, &payload), Some(digit('1', 100)));
    assert_eq!(receiver.poll(1), Some(digit('2', 50)));
    // The `2` retransmitted alone, at its own start timestamp.
    assert_eq!(receiver.receive(20, 800, &payload[4..]), None);
}

#[test]
fn malformed_payloads_are_ignored() {
    let mut receiver = EventReceiver::new(8000);
    for payload in [&[][..], &[1, 0x8A, 0x03], &[1, 0x8A, 0x03, 0x20, 9]] {
        assert_eq!(receiver.receive(0, 0, payload), None);
    }
    // Flash (16) and fax tones are events but not keys.
    assert_eq!(receiver.receive(0, 0, &[16, 0x8A, 0x03, 0x20]), None);
    assert_eq!(receiver.poll(100_000), None);

    let mut state = 0x1234_5678_9ABC_DEF0u64;
    let mut zero_clock = EventReceiver::new(0);
    for now_ms in 0..5000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bytes = state.to_le_bytes();
        let payload = &bytes[..(state % 9) as usize];
        let timestamp = (state >> 40) as u32 % 4096;
        let _ = receiver.receive(now_ms, timestamp, payload);
        let _ = receiver.poll(now_ms);
        let _ = zero_clock.receive(now_ms, timestamp, payload);
    }
}

// ----------------------------------------------------------------- in-band

const KEYS: &str = "0123456789*#ABCD";

/// xorshift64 white noise, uniform in ±`peak` (RMS `peak / √3`).
struct Noise {
    state: u64,
    peak: i32,
}

impl Noise {
    fn new(peak: i32) -> Self {
        Noise {
            state: 0x2545_F491_4F6C_DD1D,
            peak,
        }
    }

    fn sample(&mut self) -> i16 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        if self.peak == 0 {
            return 0;
        }
        let span = 2 * self.peak as u64 + 1;
        (((self.state >> 11) % span) as i32 - self.peak) as i16
    }
}

/// Per-sine amplitude for a key whose two sines together peak at `dbfs`.
fn amplitude_for(dbfs: f64) -> i16 {
    (32767.0 * 10f64.powf(dbfs / 20.0) / 2.0).round() as i16
}

fn tone(key: char, duration_ms: u32, dbfs: f64) -> Vec<i16> {
    let mut generator = ToneGenerator::dtmf(key, duration_ms, amplitude_for(dbfs)).expect("a key");
    let mut samples = Vec::new();
    let mut frame: Frame = [0; FRAME_SAMPLES];
    while generator.next_frame(&mut frame) {
        samples.extend_from_slice(&frame);
    }
    samples.truncate(duration_ms as usize * 8);
    samples
}

fn silence(duration_ms: u32) -> Vec<i16> {
    vec![0; duration_ms as usize * 8]
}

fn with_noise(mut samples: Vec<i16>, noise: &mut Noise) -> Vec<i16> {
    for sample in &mut samples {
        *sample = sample.saturating_add(noise.sample());
    }
    samples
}

/// Everything the detector reports for `samples` fed in `chunk`-sample
/// pieces, then empty pushes to drain what one long chunk completed.
fn detect(samples: &[i16], chunk: usize) -> Vec<Digit> {
    let mut detector = InbandDetector::new();
    let mut digits: Vec<Digit> = samples
        .chunks(chunk)
        .filter_map(|piece| detector.push(piece))
        .collect();
    while let Some(digit) = detector.push(&[]) {
        digits.push(digit);
    }
    digits
}

fn keys(digits: &[Digit]) -> String {
    digits.iter().map(|digit| digit.key).collect()
}

#[test]
fn every_key_is_heard_from_minus_3_to_minus_25_dbfs_in_noise() {
    // Noise of RMS about 170 (-46 dBFS): 21 dB under the quietest pair.
    let mut noise = Noise::new(300);
    for level in [-3.0, -10.0, -20.0, -25.0] {
        for key in KEYS.chars() {
            let mut samples = silence(30);
            samples.extend(tone(key, 100, level));
            samples.extend(silence(100));
            let digits = detect(&with_noise(samples, &mut noise), FRAME_SAMPLES);
            assert_eq!(keys(&digits), key.to_string(), "{key} at {level} dBFS");
            let duration = digits[0].duration_ms;
            assert!(
                (75..=125).contains(&duration),
                "{key} at {level} dBFS lasted {duration} ms"
            );
        }
    }
}

#[test]
fn a_40_ms_tone_is_enough() {
    for offset_ms in [0, 3, 7, 11] {
        let mut samples = silence(offset_ms);
        samples.extend(tone('8', 40, -10.0));
        samples.extend(silence(60));
        assert_eq!(
            keys(&detect(&samples, FRAME_SAMPLES)),
            "8",
            "offset {offset_ms} ms"
        );
    }
}

#[test]
fn a_blip_shorter_than_two_blocks_is_not_a_key() {
    let mut samples = silence(20);
    samples.extend(tone('8', 20, -10.0));
    samples.extend(silence(60));
    assert_eq!(detect(&samples, FRAME_SAMPLES), []);
}

#[test]
fn a_dialled_string_with_50_ms_gaps_is_heard_in_order() {
    let mut noise = Noise::new(300);
    let mut samples = Vec::new();
    for key in "1234567890*#".chars() {
        samples.extend(tone(key, 50, -10.0));
        samples.extend(silence(50));
    }
    let samples = with_noise(samples, &mut noise);
    assert_eq!(keys(&detect(&samples, FRAME_SAMPLES)), "1234567890*#");
    // However the audio is chunked.
    assert_eq!(keys(&detect(&samples, 37)), "1234567890*#");
    assert_eq!(keys(&detect(&samples, samples.len())), "1234567890*#");
}

#[test]
fn silence_is_not_a_key() {
    assert_eq!(detect(&silence(2000), FRAME_SAMPLES), []);
}

#[test]
fn noise_alone_is_not_a_key() {
    for peak in [300, 3000, 20_000] {
        let samples = with_noise(silence(3000), &mut Noise::new(peak));
        assert_eq!(detect(&samples, FRAME_SAMPLES), [], "noise of peak {peak}");
    }
}

fn sines(components: &[(f64, f64)], duration_ms: u32) -> Vec<i16> {
    (0..duration_ms as usize * 8)
        .map(|index| {
            let t = index as f64 / 8000.0;
            let value: f64 = components
                .iter()
                .map(|&(hz, amplitude)| amplitude * (std::f64::consts::TAU * hz * t).sin())
                .sum();
            value.round() as i16
        })
        .collect()
}

#[test]
fn a_single_tone_is_not_a_key() {
    for amplitude in [1000.0, 8000.0, 30_000.0] {
        assert_eq!(
            detect(&sines(&[(700.0, amplitude)], 500), FRAME_SAMPLES),
            []
        );
    }
    // Nor are two tones of the same group.
    assert_eq!(
        detect(
            &sines(&[(697.0, 8000.0), (770.0, 8000.0)], 500),
            FRAME_SAMPLES
        ),
        []
    );
    assert_eq!(
        detect(
            &sines(&[(1209.0, 8000.0), (1336.0, 8000.0)], 500),
            FRAME_SAMPLES
        ),
        []
    );
}

#[test]
fn a_row_and_column_pair_with_wide_twist_is_not_a_key() {
    // 20 dB between the two tones.
    assert_eq!(
        detect(
            &sines(&[(697.0, 10_000.0), (1209.0, 1000.0)], 300),
            FRAME_SAMPLES
        ),
        []
    );
}

#[test]
fn voiced_sounds_are_not_keys() {
    // Vowel-like: a harmonic series, 1/k amplitudes, over pitches that
    // put harmonics on or near the keypad frequencies.
    for pitch in [100.0, 116.2, 139.4, 151.0, 174.25, 201.5, 232.3] {
        let harmonics: Vec<(f64, f64)> = (1..=25)
            .map(|k| (pitch * f64::from(k), 6000.0 / f64::from(k)))
            .filter(|&(hz, _)| hz < 3800.0)
            .collect();
        let samples = sines(&harmonics, 600);
        assert_eq!(detect(&samples, FRAME_SAMPLES), [], "pitch {pitch} Hz");
    }
    // A key plus its own second harmonics, as distorted speech could make.
    let distorted = sines(&[(697.0, 6000.0), (1209.0, 6000.0), (2418.0, 3000.0)], 300);
    assert_eq!(detect(&distorted, FRAME_SAMPLES), []);
}

// --------------------------------------------------------------- SIP INFO

#[test]
fn dtmf_relay_bodies() {
    let relay = "application/dtmf-relay";
    assert_eq!(
        parse_info(relay, b"Signal=5\r\nDuration=160\r\n"),
        Some(digit('5', 160))
    );
    assert_eq!(
        parse_info(relay, b"Signal=5\r\nDuration=250"),
        Some(digit('5', 250))
    );
    assert_eq!(
        parse_info(relay, b"Duration=90\nSignal=#\n"),
        Some(digit('#', 90))
    );
    assert_eq!(
        parse_info(relay, b"signal = *\r\n"),
        Some(digit('*', 160)),
        "default duration"
    );
    assert_eq!(
        parse_info(relay, b"Signal=b\r\nDuration=100"),
        Some(digit('B', 100))
    );
    assert_eq!(
        parse_info(relay, b"Signal=11\r\nDuration=100"),
        Some(digit('#', 100)),
        "event code"
    );
    assert_eq!(
        parse_info(
            "Application/DTMF-Relay; charset=UTF-8",
            b"Signal=1\r\nDuration=100"
        ),
        Some(digit('1', 100))
    );
}

#[test]
fn dtmf_bodies() {
    assert_eq!(parse_info("application/dtmf", b"5"), Some(digit('5', 160)));
    assert_eq!(
        parse_info("APPLICATION/DTMF ;x=y", b" #\r\n"),
        Some(digit('#', 160))
    );
    assert_eq!(parse_info("application/dtmf", b"10"), Some(digit('*', 160)));
}

#[test]
fn junk_info_bodies_are_refused() {
    let relay = "application/dtmf-relay";
    assert_eq!(parse_info("text/plain", b"Signal=5"), None);
    assert_eq!(parse_info("application/dtmf-relayx", b"Signal=5"), None);
    assert_eq!(parse_info(relay, b""), None);
    assert_eq!(parse_info(relay, b"Duration=160"), None, "no signal");
    assert_eq!(parse_info(relay, b"Signal="), None);
    assert_eq!(parse_info(relay, b"Signal=E"), None);
    assert_eq!(parse_info(relay, b"Signal=16"), None, "flash is not a key");
    assert_eq!(parse_info(relay, b"Signal=55"), None);
    assert_eq!(
        parse_info(relay, b"Signal=5\r\nDuration=long"),
        None,
        "bad duration is not defaulted"
    );
    assert_eq!(parse_info(relay, b"Signal=5\r\nDuration=-1"), None);
    assert_eq!(parse_info(relay, b"Signal=5\r\nSignal=6"), None);
    assert_eq!(parse_info(relay, b"Signal 5"), None);
    assert_eq!(parse_info(relay, &[0xFF, 0xFE, b'5']), None, "not UTF-8");
    assert_eq!(parse_info("application/dtmf", b""), None);
    assert_eq!(parse_info("application/dtmf", b"55"), None);
    assert_eq!(parse_info("", b"5"), None);
}
