//! Every UDP datagram passes `wire::inspect` before the SIP stack sees it:
//! it must never panic, and a reply it builds must be one well-formed SIP
//! response head (nothing from the input may inject a line or end it early).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sb_sip::wire::{Inspection, inspect};

fuzz_target!(|data: &[u8]| {
    if let Inspection::Reply { response, .. } = inspect(data) {
        let text = std::str::from_utf8(&response).expect("reply is UTF-8");
        let head = text
            .strip_suffix("\r\n\r\n")
            .expect("reply head is terminated");
        let mut lines = head.split("\r\n");
        let status = lines.next().expect("status line");
        assert!(status.starts_with("SIP/2.0 4") || status.starts_with("SIP/2.0 5"));
        for line in lines {
            assert!(
                !line.chars().any(char::is_control),
                "control character in {line:?}"
            );
            assert!(line.contains(": "), "not a header line: {line:?}");
        }
    }
});
