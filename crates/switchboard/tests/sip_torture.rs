//! RFC 4475 torture messages (tests/sip/torture) and 2,000 garbled datagrams
//! sent over UDP to the real binary. Invalid requests must be refused (4xx,
//! 5xx) or dropped, never accepted; valid requests must be answered; stray
//! responses never are; and afterwards the switch still answers OPTIONS and
//! challenges REGISTER. What it answered to each message is printed as the
//! table kept in docs/SIP-CONFORMANCE.md (run with --nocapture).

mod sip_support;

use std::collections::BTreeMap;
use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

use sip_support::{Switch, TORTURE, poll};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A well-formed request: some response must come back.
    Answer,
    /// A malformed request: a 4xx/5xx or nothing, never 1xx-3xx.
    Refuse,
    /// A response (to nothing we sent): never answered.
    Silence,
}

use Expect::{Answer, Refuse, Silence};

#[derive(Debug)]
struct Case {
    file: &'static str,
    section: &'static str,
    expect: Expect,
    rfc: String,
}

/// file, RFC 4475 section, rule, and what the RFC expects of an element.
const TABLE: &str = "
valid/wsinv       3.1.1.1   answer  valid INVITE: parse and process
valid/intmeth     3.1.1.2   answer  valid unknown method: 501 (or process)
valid/esc01       3.1.1.3   answer  valid % escapes: process
valid/escnull     3.1.1.4   answer  valid %00 in user part: process
valid/esc02       3.1.1.5   answer  RE%47IST%45R is an unknown method: 501
valid/lwsdisp     3.1.1.6   answer  valid: process
valid/longreq     3.1.1.7   answer  valid long values: process
valid/dblreq      3.1.1.8   answer  process the REGISTER, ignore the trailing INVITE
valid/semiuri     3.1.1.9   answer  valid ; in user part: process
valid/transports  3.1.1.10  answer  valid unknown transports in Via: process
valid/mpart01     3.1.1.11  answer  valid multipart MESSAGE: process
valid/unreason    3.1.1.12  silence valid response: no reply
valid/noreason    3.1.1.13  silence valid response: no reply
invalid/badinv01  3.1.2.1   refuse  400
invalid/clerr     3.1.2.2   refuse  400 (UDP: body shorter than Content-Length)
invalid/ncl       3.1.2.3   refuse  400
invalid/scalar02  3.1.2.4   refuse  400
invalid/scalarlg  3.1.2.5   silence response: drop
invalid/quotbal   3.1.2.6   refuse  400
invalid/ltgtruri  3.1.2.7   refuse  400
invalid/lwsruri   3.1.2.8   refuse  400
invalid/lwsstart  3.1.2.9   refuse  400 (or be liberal)
invalid/trws      3.1.2.10  refuse  400 (or be liberal)
invalid/escruri   3.1.2.11  refuse  400, or ignore the escaped headers
invalid/baddate   3.1.2.12  refuse  400, or ignore Date
invalid/regbadct  3.1.2.13  refuse  400
invalid/badaspec  3.1.2.14  refuse  400
invalid/baddn     3.1.2.15  refuse  400 (the archive's file also lacks the blank line)
invalid/badvers   3.1.2.16  refuse  505
invalid/mismatch01 3.1.2.17  refuse  400
invalid/mismatch02 3.1.2.18  refuse  501 (400 acceptable)
invalid/bigcode   3.1.2.19  silence response: drop
valid/badbranch   3.2.1     answer  branch is only the cookie: process
invalid/insuf     3.3.1     refuse  400
invalid/unkscm    3.3.2     refuse  416
invalid/novelsc   3.3.3     refuse  416
valid/unksm2      3.3.4     answer  REGISTER with a non-SIP To: 400
valid/bext01      3.3.5     answer  420 with Unsupported
valid/invut       3.3.6     answer  415 (after authentication)
valid/regaut01    3.3.7     answer  401 challenge
invalid/multi01   3.3.8     refuse  400
invalid/mcl01     3.3.9     refuse  400
valid/bcast       3.3.10    silence response: drop
valid/zeromf      3.3.11    answer  endpoint: process; proxy: 483
valid/cparam01    3.3.12    answer  process (here: 401 challenge)
valid/cparam02    3.3.13    answer  process (here: 401 challenge)
valid/regescrt    3.3.14    answer  process (here: 401 challenge)
valid/sdp01       3.3.15    answer  406 (after authentication)
valid/inv2543     3.4.1     answer  RFC 2543 INVITE: process
";

fn cases() -> Vec<Case> {
    TABLE
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let mut word = || words.next().expect("a full row");
            let (file, section, rule) = (word(), word(), word());
            let expect = match rule {
                "answer" => Answer,
                "refuse" => Refuse,
                "silence" => Silence,
                other => panic!("unknown rule {other} in {line}"),
            };
            let rfc = words.collect::<Vec<_>>().join(" ");
            Case {
                file,
                section,
                expect,
                rfc,
            }
        })
        .collect()
}

/// Where the switch breaks its rule today, with why; reported to the
/// switch's owner. The test fails on any other deviation, and on an entry
/// here that no longer deviates, so this list can only shrink on purpose.
const DEVIATIONS: &[(&str, &str)] = &[
    (
        "valid/wsinv",
        "dropped unanswered: the stack's parser rejects it",
    ),
    (
        "valid/inv2543",
        "dropped unanswered: the stack's parser rejects it",
    ),
    (
        "invalid/badaspec",
        "200 to an OPTIONS with spaces in the addr-spec",
    ),
];

/// Sends every message from its own socket, then gathers the status codes
/// that come back to each within two seconds (repeats folded).
fn send_corpus(sip: SocketAddr, cases: &[Case]) -> BTreeMap<&'static str, Vec<u16>> {
    let sockets: Vec<(&Case, UdpSocket)> = cases
        .iter()
        .map(|case| {
            let bytes = std::fs::read(Path::new(TORTURE).join(format!("{}.dat", case.file)))
                .unwrap_or_else(|e| panic!("{}: {e}", case.file));
            let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
            socket.set_nonblocking(true).expect("nonblocking");
            socket.send_to(&bytes, sip).expect("send");
            (case, socket)
        })
        .collect();
    let mut answers: BTreeMap<&str, Vec<u16>> =
        cases.iter().map(|c| (c.file, Vec::new())).collect();
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut buf = [0u8; 65_535];
    while Instant::now() < deadline {
        for (case, socket) in &sockets {
            while let Ok(len) = socket.recv(&mut buf) {
                let codes = answers.get_mut(case.file).expect("case");
                let code = status(&buf[..len]).unwrap_or(0);
                if codes.last() != Some(&code) {
                    codes.push(code);
                }
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    answers
}

fn status(datagram: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(datagram.get(..12)?).ok()?;
    text.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}

/// None when the answers keep the rule, else what is wrong.
fn breaks_rule(case: &Case, codes: &[u16]) -> Option<String> {
    let fault = match case.expect {
        Answer if codes.iter().all(|c| *c < 200) => "no final response to a valid request",
        Refuse if codes.iter().any(|c| (200..400).contains(c)) => "accepted an invalid request",
        Refuse if codes.iter().any(|c| *c < 100) => "answered with something not a SIP response",
        Silence if !codes.is_empty() => "answered a response",
        _ => return None,
    };
    Some(format!("{fault}: got {codes:?}"))
}

fn shown(codes: &[u16]) -> String {
    if codes.is_empty() {
        return "none".into();
    }
    codes
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// xorshift64*: garbage that is the same on every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// One garbled datagram: random bytes, or a torture message cut short,
    /// bit-flipped, with lines shuffled or repeated, or blown up in size.
    fn datagram(&mut self, corpus: &[Vec<u8>]) -> Vec<u8> {
        let mut message = corpus[self.below(corpus.len())].clone();
        match self.below(6) {
            0 => (0..self.below(1400)).map(|_| self.next() as u8).collect(),
            1 => {
                message.truncate(self.below(message.len() + 1));
                message
            }
            2 => {
                for _ in 0..=self.below(16) {
                    let at = self.below(message.len());
                    message[at] ^= 1 << self.below(8);
                }
                message
            }
            3 => {
                let mut lines: Vec<&[u8]> = message.split(|b| *b == b'\n').collect();
                for _ in 0..lines.len() {
                    let (a, b) = (self.below(lines.len()), self.below(lines.len()));
                    lines.swap(a, b);
                }
                lines.join(&b"\n"[..])
            }
            4 => {
                let line_end = message.iter().position(|b| *b == b'\n').unwrap_or(0);
                let header = message[line_end..]
                    .iter()
                    .take(80)
                    .copied()
                    .collect::<Vec<_>>();
                for _ in 0..self.below(300) {
                    message.splice(line_end..line_end, header.iter().copied());
                }
                message
            }
            _ => {
                let filler = [b'A', b'\0', b'\r', b'\n', b' ', b';', b'"', b'<', 0xff];
                let at = self.below(message.len());
                let byte = filler[self.below(filler.len())];
                let count = self.below(30_000);
                message.splice(at..at, std::iter::repeat_n(byte, count));
                message.truncate(65_000);
                message
            }
        }
    }
}

const OPTIONS: &str = "OPTIONS sip:1001@127.0.0.1 SIP/2.0\r\n\
    Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-alive-1;rport\r\n\
    Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=alive\r\n\
    To: <sip:1001@127.0.0.1>\r\nCall-ID: alive-options@127.0.0.1\r\n\
    CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

const REGISTER: &str = "REGISTER sip:127.0.0.1 SIP/2.0\r\n\
    Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-alive-2;rport\r\n\
    Max-Forwards: 70\r\nFrom: <sip:1001@127.0.0.1>;tag=alive\r\n\
    To: <sip:1001@127.0.0.1>\r\nCall-ID: alive-register@127.0.0.1\r\n\
    CSeq: 1 REGISTER\r\nContact: <sip:1001@127.0.0.1:9>\r\nContent-Length: 0\r\n\r\n";

/// Sends `request` and waits for its final status (retrying, as UDP does).
fn final_status(sip: SocketAddr, request: &str) -> Option<u16> {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("timeout");
    let mut buf = [0u8; 4096];
    poll(Duration::from_secs(10), || {
        socket.send_to(request.as_bytes(), sip).ok()?;
        loop {
            let len = socket.recv(&mut buf).ok()?;
            match status(&buf[..len]) {
                Some(code) if code >= 200 => return Some(code),
                _ => continue,
            }
        }
    })
}

const GARBAGE: usize = 2_000;

#[test]
fn torture_corpus_and_garbage_leave_the_switch_answering() {
    let switch = Switch::start();
    let cases = cases();
    let answers = send_corpus(switch.sip, &cases);

    println!("| message | RFC 4475 | RFC expectation | Switchboard answered |");
    println!("|---|---|---|---|");
    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    for case in &cases {
        let codes = &answers[case.file];
        println!(
            "| {} | {} | {} | {} |",
            case.file,
            case.section,
            case.rfc,
            shown(codes)
        );
        let known = DEVIATIONS.iter().any(|(file, _)| *file == case.file);
        match (breaks_rule(case, codes), known) {
            (Some(fault), false) => unexpected.push(format!("{}: {fault}", case.file)),
            (None, true) => stale.push(case.file),
            _ => {}
        }
    }
    assert!(
        unexpected.is_empty(),
        "switch behaviour broke the rules:\n{}\n{}",
        unexpected.join("\n"),
        switch.log()
    );
    assert!(
        stale.is_empty(),
        "these now behave: remove them from DEVIATIONS: {stale:?}"
    );

    let corpus: Vec<Vec<u8>> = cases
        .iter()
        .map(|c| std::fs::read(Path::new(TORTURE).join(format!("{}.dat", c.file))).expect("read"))
        .collect();
    let mut noise = Noise(0x5eed_4475_0000_0001);
    let sender = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let (mut probes, mut blank) = (0, 0);
    for i in 1..=GARBAGE {
        let datagram = noise.datagram(&corpus);
        // Blank datagrams are keep-alives (RFC 5626), passed on uncounted.
        blank += usize::from(datagram.iter().all(u8::is_ascii_whitespace));
        sender.send_to(&datagram, switch.sip).expect("send");
        // Not a flood: after every 10 datagrams, or a big one, the switch must
        // answer an OPTIONS before more come, so none is lost in a full buffer.
        if i % 10 == 0 || datagram.len() > 8_192 {
            let answered = final_status(switch.sip, OPTIONS);
            assert!(
                answered.is_some(),
                "OPTIONS unanswered after {i} garbled datagrams\n{}",
                switch.log()
            );
            probes += 1;
        }
    }
    let counts: Vec<(&str, u64)> = ["accepted", "rejected", "dropped", "banned"]
        .into_iter()
        .map(|k| {
            (
                k,
                switch
                    .metric(&format!("switchboard_sip_datagrams_{k}_total"))
                    .unwrap_or(0),
            )
        })
        .collect();
    println!("datagrams seen by the switch: {counts:?} ({probes} OPTIONS probes, {blank} blank)");
    let seen: u64 = counts.iter().map(|(_, n)| n).sum();
    let sent = (cases.len() + GARBAGE + probes - blank) as u64;
    assert!(
        seen >= sent,
        "the switch saw {seen} of the {sent} datagrams sent"
    );

    assert!(
        final_status(switch.sip, OPTIONS).is_some(),
        "OPTIONS unanswered after the garbage\n{}",
        switch.log()
    );
    assert_eq!(
        final_status(switch.sip, REGISTER),
        Some(401),
        "REGISTER challenged\n{}",
        switch.log()
    );
}
