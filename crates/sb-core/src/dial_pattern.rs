//! Outbound dial patterns in the Asterisk style (MISSION T3): which dialled
//! numbers an outbound route takes.
//!
//! A pattern is read left to right, one position per dialled character:
//! a literal digit (or `*`, `#`, `+`), `X` (0-9), `Z` (1-9), `N` (2-9), or a
//! bracketed set such as `[1-5]` or `[1379]`. A trailing `.` stands for one
//! or more further digits. A leading `_` (Asterisk's pattern marker) is
//! accepted and ignored. Letters are case-insensitive.
//!
//! `0.` takes any number that starts with 0 and has at least one more digit;
//! `1[3-9]XXXXXXXXX` takes an 11-digit mainland mobile number.

use std::fmt;

use crate::CoreError;

/// The longest pattern accepted, in characters.
pub const MAX_PATTERN_LEN: usize = 64;

/// One position of a pattern: the set of characters it accepts, one bit per
/// character (`0`-`9` are bits 0-9, `*` is 10, `#` is 11, `+` is 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CharSet(u16);

const DIGITS: u16 = 0b11_1111_1111;

impl CharSet {
    fn range(from: u8, to: u8) -> CharSet {
        CharSet((from..=to).fold(0, |set, d| set | (1 << d)))
    }

    fn contains(self, c: char) -> bool {
        index(c).is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

/// The bit of a dialled character, `None` for anything that cannot be dialled.
fn index(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        '+' => Some(12),
        _ => None,
    }
}

/// A parsed dial pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialPattern {
    source: String,
    positions: Vec<CharSet>,
    /// A trailing `.`: one or more further digits.
    open_ended: bool,
}

fn invalid(reason: impl Into<String>) -> CoreError {
    CoreError::InvalidDialPattern(reason.into())
}

/// Reads a bracketed set; `chars` is just past its `[`.
fn bracket(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<CharSet, CoreError> {
    let mut set = 0u16;
    let mut previous: Option<u8> = None;
    loop {
        let Some((at, c)) = chars.next() else {
            return Err(invalid("`[` is not closed with `]`"));
        };
        match c {
            ']' if set == 0 => return Err(invalid(format!("empty set `[]` at position {at}"))),
            ']' => return Ok(CharSet(set)),
            '-' => {
                let from = previous.take().ok_or_else(|| {
                    invalid(format!("`-` at position {at} has no digit before it"))
                })?;
                let to = match chars.next() {
                    Some((_, d @ '0'..='9')) => d as u8 - b'0',
                    _ => {
                        return Err(invalid(format!(
                            "`-` at position {at} must be followed by a digit"
                        )));
                    }
                };
                if to < from {
                    return Err(invalid(format!("range {from}-{to} runs backwards")));
                }
                set |= CharSet::range(from, to).0;
            }
            '0'..='9' => {
                let d = c as u8 - b'0';
                set |= 1 << d;
                previous = Some(d);
            }
            other => {
                return Err(invalid(format!(
                    "`{other}` at position {at} is not allowed inside [ ]: use digits and ranges such as 1-5"
                )));
            }
        }
    }
}

impl DialPattern {
    pub fn parse(text: &str) -> Result<DialPattern, CoreError> {
        let source = text.trim();
        let body = source.strip_prefix('_').unwrap_or(source);
        if body.is_empty() {
            return Err(invalid("the pattern is empty"));
        }
        if source.chars().count() > MAX_PATTERN_LEN {
            return Err(invalid(format!(
                "the pattern is longer than {MAX_PATTERN_LEN} characters"
            )));
        }
        let mut positions = Vec::new();
        let mut open_ended = false;
        let mut chars = body.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let set = match c.to_ascii_uppercase() {
                'X' => CharSet(DIGITS),
                'Z' => CharSet::range(1, 9),
                'N' => CharSet::range(2, 9),
                '[' => bracket(&mut chars)?,
                '.' if chars.peek().is_none() => {
                    open_ended = true;
                    break;
                }
                '.' => {
                    return Err(invalid(format!(
                        "`.` at position {at} may only end the pattern"
                    )));
                }
                literal => match index(literal) {
                    Some(i) => CharSet(1 << i),
                    None => {
                        return Err(invalid(format!(
                            "`{literal}` at position {at} is not a digit, X, Z, N, [set] or a final `.`"
                        )));
                    }
                },
            };
            positions.push(set);
        }
        Ok(DialPattern {
            source: source.to_owned(),
            positions,
            open_ended,
        })
    }

    /// Whether a dialled number (digits, `*`, `#`, a leading `+`) fits.
    pub fn matches(&self, number: &str) -> bool {
        let mut chars = number.chars();
        for set in &self.positions {
            match chars.next() {
                Some(c) if set.contains(c) => {}
                _ => return false,
            }
        }
        let rest = chars.as_str();
        if self.open_ended {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
        } else {
            rest.is_empty()
        }
    }

    /// The fewest characters a matching number has.
    pub fn min_len(&self) -> usize {
        self.positions.len() + usize::from(self.open_ended)
    }

    /// The pattern as written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for DialPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> DialPattern {
        DialPattern::parse(text).expect(text)
    }

    #[test]
    fn literals_and_classes() {
        assert!(p("1001").matches("1001"));
        assert!(!p("1001").matches("10011"));
        assert!(!p("1001").matches("100"));
        assert!(p("NXXXXXXX").matches("28881234"));
        assert!(!p("NXXXXXXX").matches("18881234"), "N is 2-9");
        assert!(p("ZX").matches("10"));
        assert!(!p("ZX").matches("01"), "Z is 1-9");
        assert!(p("_nxx").matches("299"), "leading _ and lower case");
        assert!(p("*7X").matches("*71"));
        assert!(p("+86X.").matches("+8613800138000"));
        assert!(!p("X").matches(""));
    }

    #[test]
    fn sets_and_ranges() {
        let mobile = p("1[3-9]XXXXXXXXX");
        assert!(mobile.matches("13800138000"));
        assert!(!mobile.matches("12800138000"));
        assert!(!mobile.matches("1380013800"));
        let odd = p("[13579-9]");
        assert!(odd.matches("9") && odd.matches("1") && !odd.matches("2"));
    }

    #[test]
    fn trailing_dot_needs_one_or_more_digits() {
        let zero = p("0.");
        assert!(zero.matches("01"));
        assert!(zero.matches("01058881234"));
        assert!(!zero.matches("0"), "the dot needs at least one digit");
        assert!(!zero.matches("10"));
        assert!(!zero.matches("0#"), "only digits after the fixed part");
        assert_eq!(zero.min_len(), 2);
        assert!(p(".").matches("5") && !p(".").matches(""));
    }

    #[test]
    fn bad_patterns_say_why() {
        for bad in [
            "", "_", "1.2", "[", "[]", "[5-1]", "[a]", "[-3]", "[1-]", "Q", "1 2", "!",
        ] {
            match DialPattern::parse(bad) {
                Err(CoreError::InvalidDialPattern(reason)) => assert!(!reason.is_empty()),
                other => panic!("{bad:?} should be refused, got {other:?}"),
            }
        }
        assert!(DialPattern::parse(&"X".repeat(MAX_PATTERN_LEN + 1)).is_err());
        assert_eq!(p(" 0. ").as_str(), "0.");
        assert_eq!(p("0.").to_string(), "0.");
    }
}
