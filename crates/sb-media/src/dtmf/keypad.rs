//! The DTMF keypad (ITU-T Q.23): each key is one row and one column
//! frequency, and has an RFC 4733 event code (§3.2, table 1).

/// Low group, one per keypad row.
pub(crate) const ROW_HZ: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
/// High group, one per keypad column.
pub(crate) const COLUMN_HZ: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

const KEYS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];

/// The key as `Digit` spells it (A-D upper case), or `None` for anything
/// that is not on the keypad.
pub(crate) fn normalize(key: char) -> Option<char> {
    let key = key.to_ascii_uppercase();
    matches!(key, '0'..='9' | '*' | '#' | 'A'..='D').then_some(key)
}

pub(crate) fn key_at(row: usize, column: usize) -> char {
    KEYS[row][column]
}

/// (row frequency, column frequency) of a key.
pub(crate) fn frequencies(key: char) -> Option<(f64, f64)> {
    let key = normalize(key)?;
    KEYS.iter().enumerate().find_map(|(row, keys)| {
        let column = keys.iter().position(|&candidate| candidate == key)?;
        Some((ROW_HZ[row], COLUMN_HZ[column]))
    })
}

/// RFC 4733 §3.2: 0-9, then * = 10, # = 11, A-D = 12-15.
pub(crate) fn event_code(key: char) -> Option<u8> {
    match normalize(key)? {
        digit @ '0'..='9' => Some(digit as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        letter => Some(12 + (letter as u8 - b'A')),
    }
}

/// The key of a DTMF event code; other events (flash, fax tones) have none.
pub(crate) fn key_of_event(code: u8) -> Option<char> {
    match code {
        0..=9 => Some(char::from(b'0' + code)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + code - 12)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_codes_round_trip_for_every_key() {
        for key in "0123456789*#ABCD".chars() {
            let code = event_code(key).expect("a key");
            assert_eq!(key_of_event(code), Some(key));
        }
        assert_eq!(event_code('b'), Some(13));
        assert_eq!(event_code('E'), None);
        assert_eq!(key_of_event(16), None);
    }

    #[test]
    fn frequencies_follow_the_keypad() {
        assert_eq!(frequencies('1'), Some((697.0, 1209.0)));
        assert_eq!(frequencies('0'), Some((941.0, 1336.0)));
        assert_eq!(frequencies('d'), Some((941.0, 1633.0)));
        assert_eq!(frequencies('x'), None);
        assert_eq!(key_at(2, 2), '9');
    }
}
