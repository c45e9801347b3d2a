//! The `Range` request header (RFC 9110 §14.2), as far as audio players
//! use it: one range of bytes. Several ranges are answered with the whole
//! file, which the RFC allows and no player asks for.

/// What to send of a file of known length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAnswer {
    /// No usable Range header: the whole file, 200.
    Whole,
    /// Bytes `start..=end`, 206.
    Part { start: u64, end: u64 },
    /// The range lies outside the file: 416 with `Content-Range: bytes */len`.
    Unsatisfiable,
}

/// Reads a `Range` header value against a file of `len` bytes. A header that
/// is not a bytes range at all is ignored (RFC 9110: a server may ignore
/// Range), so a malformed one still gets the file.
pub fn answer(header: Option<&str>, len: u64) -> RangeAnswer {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAnswer::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let parse = |s: &str| s.parse::<u64>().ok();
    match (first.is_empty(), last.is_empty()) {
        // `-N`: the last N bytes.
        (true, false) => match parse(last) {
            Some(0) => RangeAnswer::Unsatisfiable,
            Some(_) if len == 0 => RangeAnswer::Unsatisfiable,
            Some(n) => RangeAnswer::Part {
                start: len.saturating_sub(n),
                end: len - 1,
            },
            None => RangeAnswer::Whole,
        },
        // `N-`: from N to the end.
        (false, true) => match parse(first) {
            Some(start) if start < len => RangeAnswer::Part {
                start,
                end: len - 1,
            },
            Some(_) => RangeAnswer::Unsatisfiable,
            None => RangeAnswer::Whole,
        },
        // `N-M`: clipped to the file.
        (false, false) => match (parse(first), parse(last)) {
            (Some(start), Some(end)) if start <= end => {
                if start >= len {
                    RangeAnswer::Unsatisfiable
                } else {
                    RangeAnswer::Part {
                        start,
                        end: end.min(len - 1),
                    }
                }
            }
            _ => RangeAnswer::Whole,
        },
        (true, true) => RangeAnswer::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_players_send() {
        let part = |start, end| RangeAnswer::Part { start, end };
        assert_eq!(answer(None, 100), RangeAnswer::Whole);
        assert_eq!(answer(Some("bytes=0-"), 100), part(0, 99));
        assert_eq!(answer(Some("bytes=10-19"), 100), part(10, 19));
        assert_eq!(answer(Some("bytes=90-200"), 100), part(90, 99), "clipped");
        assert_eq!(answer(Some("bytes=-10"), 100), part(90, 99));
        assert_eq!(answer(Some("bytes=-500"), 100), part(0, 99));
        assert_eq!(answer(Some("bytes=100-"), 100), RangeAnswer::Unsatisfiable);
        assert_eq!(answer(Some("bytes=-0"), 100), RangeAnswer::Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-"), 0), RangeAnswer::Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-1,5-6"), 100), RangeAnswer::Whole);
        assert_eq!(answer(Some("items=0-1"), 100), RangeAnswer::Whole);
        assert_eq!(answer(Some("bytes=5-2"), 100), RangeAnswer::Whole);
        assert_eq!(answer(Some("bytes=x-"), 100), RangeAnswer::Whole);
    }
}
