//! The first look at every datagram, before rsipstack parses it (the
//! "check, then parse" of mini-redis). rsipstack drops what it cannot parse
//! without a word and reads a malformed Content-Length as 0; a switch must
//! instead answer 400 where a response can be built (RFC 3261 §8.2, §18.3)
//! and drop the rest, and never let a bad message reach call logic.

use crate::error::SipError;

/// Largest message accepted over UDP; bigger requests get 513 (RFC 3261 §21.5.14).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 128;
/// The methods the stack parses; others would be dropped by it unanswered.
const KNOWN_METHODS: [&str; 14] = [
    "ACK",
    "BYE",
    "CANCEL",
    "INFO",
    "INVITE",
    "MESSAGE",
    "NOTIFY",
    "OPTIONS",
    "PRACK",
    "PUBLISH",
    "REFER",
    "REGISTER",
    "SUBSCRIBE",
    "UPDATE",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inspection {
    /// Well-formed enough for the stack.
    Accept,
    /// A request we refuse: send this response back to the source.
    Reply { response: Vec<u8>, error: SipError },
    /// Nothing can be answered (a broken response, no Via, binary junk).
    Drop { error: SipError },
}

/// Inspects one UDP datagram.
pub fn inspect(datagram: &[u8]) -> Inspection {
    let Some(head_end) = find(datagram, b"\r\n\r\n") else {
        return Inspection::Drop {
            error: SipError::Malformed("no end of headers"),
        };
    };
    let Ok(head) = std::str::from_utf8(&datagram[..head_end]) else {
        return Inspection::Drop {
            error: SipError::Malformed("headers are not UTF-8"),
        };
    };
    let body_len = datagram.len() - head_end - 4;
    let mut lines = head.split("\r\n");
    let start = lines.next().unwrap_or_default();
    let request_method = match start_line(start) {
        StartLine::Request(method) => method,
        StartLine::BadVersion => {
            let headers = collect(head.split("\r\n").skip(1));
            return refuse(
                &headers,
                505,
                "Version Not Supported",
                SipError::Malformed("SIP version"),
            );
        }
        StartLine::UnknownScheme => {
            let headers = collect(head.split("\r\n").skip(1));
            return refuse(
                &headers,
                416,
                "Unsupported URI Scheme",
                SipError::Malformed("Request-URI scheme"),
            );
        }
        StartLine::Response => {
            return match check_headers(lines, body_len, None) {
                Ok(_) => Inspection::Accept,
                Err(error) => Inspection::Drop { error },
            };
        }
        StartLine::Invalid => {
            let headers = collect(head.split("\r\n").skip(1));
            return refuse(
                &headers,
                400,
                "Bad Request",
                SipError::Malformed("start line"),
            );
        }
    };
    let headers = collect(head.split("\r\n").skip(1));
    if !KNOWN_METHODS.contains(&request_method) {
        // RFC 3261 §8.2.1: a method the switch does not know gets 501.
        return refuse(
            &headers,
            501,
            "Not Implemented",
            SipError::Malformed("unknown method"),
        );
    }
    if datagram.len() > MAX_MESSAGE_BYTES {
        return refuse(
            &headers,
            513,
            "Message Too Large",
            SipError::Malformed("message too large"),
        );
    }
    if let Err(error) = check_headers(head.split("\r\n").skip(1), body_len, Some(request_method)) {
        return refuse(&headers, 400, error.phrase(), error);
    }
    Inspection::Accept
}

enum StartLine<'a> {
    Request(&'a str),
    Response,
    /// A request for a SIP version other than 2.0 (505, RFC 3261 §21.5.20).
    BadVersion,
    /// A Request-URI this switch cannot route (416, RFC 3261 §8.2.2.1).
    UnknownScheme,
    Invalid,
}

fn start_line(line: &str) -> StartLine<'_> {
    if let Some(rest) = line.strip_prefix("SIP/2.0 ") {
        let code = rest.get(..3).unwrap_or_default();
        return if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) {
            StartLine::Response
        } else {
            StartLine::Invalid
        };
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return StartLine::Invalid;
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return StartLine::Invalid;
    }
    let Some((scheme, _)) = uri.split_once(':') else {
        return StartLine::Invalid;
    };
    if version != "SIP/2.0" {
        let looks_like_sip = version
            .strip_prefix("SIP/")
            .is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
        return if looks_like_sip {
            StartLine::BadVersion
        } else {
            StartLine::Invalid
        };
    }
    if !["sip", "sips", "tel"]
        .iter()
        .any(|known| scheme.eq_ignore_ascii_case(known))
    {
        return StartLine::UnknownScheme;
    }
    StartLine::Request(method)
}

/// Header lines with folding undone: (lower-case name, value).
fn collect<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((expand(name.trim()), value.trim().to_owned()));
        }
        if headers.len() > MAX_HEADERS {
            break;
        }
    }
    headers
}

/// RFC 3261 §7.3.3 compact forms.
fn expand(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "v" => "via".into(),
        "f" => "from".into(),
        "t" => "to".into(),
        "i" => "call-id".into(),
        "l" => "content-length".into(),
        "m" => "contact".into(),
        "c" => "content-type".into(),
        _ => lower,
    }
}

fn check_headers<'a>(
    lines: impl Iterator<Item = &'a str>,
    body_len: usize,
    request_method: Option<&str>,
) -> Result<(), SipError> {
    let mut count = 0;
    let mut raw = Vec::new();
    for line in lines {
        count += 1;
        if count > MAX_HEADERS {
            return Err(SipError::Malformed("too many headers"));
        }
        if line.starts_with([' ', '\t']) {
            if raw.is_empty() {
                return Err(SipError::Malformed("continuation before any header"));
            }
            raw.push(line);
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            return Err(SipError::Malformed("header line without a colon"));
        };
        let name = name.trim_end();
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(SipError::Malformed("header name"));
        }
        raw.push(line);
    }
    let headers = collect(raw.into_iter());
    let find_all = |name: &'static str| headers.iter().filter(move |(n, _)| n == name);
    let mut lengths = find_all("content-length");
    if let Some((_, value)) = lengths.next() {
        let declared: usize = value
            .parse()
            .map_err(|_| SipError::Malformed("Content-Length"))?;
        if lengths.any(|(_, other)| other != value) {
            return Err(SipError::Malformed("Content-Length"));
        }
        // RFC 3261 §18.3: over UDP a body shorter than declared is an error;
        // bytes beyond the declared length are discarded by the parser.
        if declared > body_len {
            return Err(SipError::Malformed("Content-Length"));
        }
    }
    let Some(method) = request_method else {
        return Ok(());
    };
    for required in ["via", "from", "to", "call-id", "cseq"] {
        if find_all(required).next().is_none() {
            return Err(SipError::MissingHeader(required));
        }
    }
    let cseq = find_all("cseq")
        .next()
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let mut parts = cseq.split_whitespace();
    let number_ok = parts
        .next()
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n < 1 << 31);
    let cseq_method = parts.next();
    if !number_ok || parts.next().is_some() {
        return Err(SipError::Malformed("CSeq"));
    }
    if cseq_method != Some(method) {
        return Err(SipError::Malformed(
            "CSeq method differs from the request method",
        ));
    }
    if let Some((_, max_forwards)) = find_all("max-forwards").next()
        && max_forwards.parse::<u8>().is_err()
    {
        return Err(SipError::Malformed("Max-Forwards"));
    }
    Ok(())
}

/// Builds a response by copying the headers RFC 3261 §8.2.6.2 requires;
/// without a Via there is no one to answer.
fn refuse(headers: &[(String, String)], status: u16, phrase: &str, error: SipError) -> Inspection {
    let vias: Vec<&str> = headers
        .iter()
        .filter(|(n, _)| n == "via")
        .map(|(_, v)| v.as_str())
        .collect();
    if vias.is_empty() {
        return Inspection::Drop { error };
    }
    let mut response = format!("SIP/2.0 {status} {phrase}\r\n");
    for via in vias {
        response.push_str(&format!("Via: {}\r\n", sanitize(via)));
    }
    for name in ["from", "to", "call-id", "cseq"] {
        if let Some((_, value)) = headers.iter().find(|(n, _)| n == name) {
            let label = match name {
                "from" => "From",
                "to" => "To",
                "call-id" => "Call-ID",
                _ => "CSeq",
            };
            response.push_str(&format!("{label}: {}\r\n", sanitize(value)));
        }
    }
    response.push_str("Content-Length: 0\r\n\r\n");
    Inspection::Reply {
        response: response.into_bytes(),
        error,
    }
}

fn sanitize(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(1024)
        .collect()
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "OPTIONS sip:1001@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n\
        From: <sip:a@example.com>;tag=1\r\nTo: <sip:1001@example.com>\r\n\
        Call-ID: abc\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";

    fn status(inspection: &Inspection) -> Option<&str> {
        match inspection {
            Inspection::Reply { response, .. } => std::str::from_utf8(&response[8..11]).ok(),
            _ => None,
        }
    }

    #[test]
    fn a_plain_request_is_accepted() {
        assert_eq!(inspect(GOOD.as_bytes()), Inspection::Accept);
    }

    #[test]
    fn bad_content_length_and_cseq_get_400_with_the_dialog_headers() {
        for (from, to) in [
            ("Content-Length: 0", "Content-Length: 50"),
            ("Content-Length: 0", "Content-Length: zero"),
            ("CSeq: 1 OPTIONS", "CSeq: 1 INVITE"),
            ("CSeq: 1 OPTIONS", "CSeq: -1 OPTIONS"),
            ("Max-Forwards: 70", "Max-Forwards: 300"),
            ("Call-ID: abc\r\n", ""),
        ] {
            let bad = GOOD.replace(from, to);
            let result = inspect(bad.as_bytes());
            assert_eq!(status(&result), Some("400"), "{to:?}");
            let Inspection::Reply { response, .. } = result else {
                unreachable!()
            };
            let text = String::from_utf8(response).expect("utf-8");
            assert!(text.contains("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n"));
        }
    }

    #[test]
    fn junk_and_broken_responses_are_dropped() {
        for junk in [
            &b"\x00\x01\x02\xff"[..],
            b"hello",
            b"\r\n\r\n",
            b"SIP/2.0 2x0 OK\r\n\r\n",
        ] {
            assert!(matches!(inspect(junk), Inspection::Drop { .. }), "{junk:?}");
        }
        let no_via = GOOD.replace("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n", "");
        assert!(matches!(
            inspect(no_via.as_bytes()),
            Inspection::Drop { .. }
        ));
    }

    #[test]
    fn other_versions_get_505_and_other_schemes_416() {
        let v7 = GOOD.replace("@example.com SIP/2.0\r\n", "@example.com SIP/7.0\r\n");
        assert_eq!(status(&inspect(v7.as_bytes())), Some("505"));
        let soap = GOOD.replace(
            "OPTIONS sip:1001@example.com",
            "OPTIONS soap.beep://192.0.2.1:3002",
        );
        assert_eq!(status(&inspect(soap.as_bytes())), Some("416"));
        let tel = GOOD.replace("OPTIONS sip:1001@example.com", "OPTIONS tel:+8610123");
        assert_eq!(inspect(tel.as_bytes()), Inspection::Accept);
    }

    #[test]
    fn unknown_methods_get_501() {
        let odd = GOOD
            .replace("OPTIONS sip:", "NEWMETHOD sip:")
            .replace("1 OPTIONS", "1 NEWMETHOD");
        assert_eq!(status(&inspect(odd.as_bytes())), Some("501"));
    }

    #[test]
    fn huge_requests_get_513() {
        let huge = GOOD.replace(
            "Max-Forwards: 70\r\n",
            &format!("X-Pad: {}\r\n", "a".repeat(20_000)),
        );
        assert_eq!(status(&inspect(huge.as_bytes())), Some("513"));
    }

    #[test]
    fn compact_and_folded_headers_are_understood() {
        let compact = "OPTIONS sip:1001@example.com SIP/2.0\r\n\
            v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n\
            f: <sip:a@example.com>;tag=1\r\nt: <sip:1001@example.com>\r\n\
            i: abc\r\nCSeq:\r\n 1 OPTIONS\r\nl: 0\r\n\r\n";
        assert_eq!(inspect(compact.as_bytes()), Inspection::Accept);
    }
}
