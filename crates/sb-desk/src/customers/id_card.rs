//! Resident identity card numbers (GB 11643-1999): 18 characters, the last a
//! check digit over the first 17 (or X for 10), with the holder's birth date
//! at positions 7-14 and sex in the 17th digit (odd for men). The old
//! 15-digit cards carry a two-digit year and no check digit.

use time::{Date, Month};

use sb_store::Gender;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// A checked card number and what it says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCard {
    /// Upper-cased, without spaces.
    pub number: String,
    pub birth_date: Date,
    pub gender: Gender,
}

/// Checks `raw`; the error says what is wrong in words a clerk understands.
pub fn parse_id_card(raw: &str) -> Result<IdCard, String> {
    let number: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let bytes = number.as_bytes();
    let (year, rest) = match bytes.len() {
        18 => {
            if !bytes[..17].iter().all(u8::is_ascii_digit) {
                return Err("the first 17 characters must be digits".into());
            }
            let sum: u32 = bytes[..17]
                .iter()
                .zip(WEIGHTS)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            let expected = CHECK[usize::try_from(sum % 11).unwrap_or(0)];
            if bytes[17] != expected {
                return Err(format!(
                    "the check character is wrong (expected {} for these 17 digits)",
                    char::from(expected)
                ));
            }
            (digits(&number[6..10])?, &number[10..])
        }
        15 => {
            if !bytes.iter().all(u8::is_ascii_digit) {
                return Err("a 15-character card number is all digits".into());
            }
            (1900 + digits(&number[6..8])?, &number[8..])
        }
        n => return Err(format!("a card number has 18 characters (or 15), not {n}")),
    };
    let month = Month::try_from(u8::try_from(digits(&rest[..2])?).unwrap_or(0))
        .map_err(|_| "the birth month in the number is not a month".to_owned())?;
    let day = u8::try_from(digits(&rest[2..4])?).unwrap_or(0);
    let birth_date = Date::from_calendar_date(i32::try_from(year).unwrap_or(0), month, day)
        .map_err(|_| "the birth date in the number is not a date".to_owned())?;
    let sex_digit = if bytes.len() == 18 {
        bytes[16]
    } else {
        bytes[14]
    };
    let gender = if (sex_digit - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    };
    Ok(IdCard {
        number,
        birth_date,
        gender,
    })
}

fn digits(text: &str) -> Result<u32, String> {
    text.parse()
        .map_err(|_| format!("`{text}` in the number should be digits"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_valid_card_gives_birth_date_and_sex() {
        // The standard's published example.
        let card = parse_id_card("11010519491231002x").expect("valid");
        assert_eq!(card.number, "11010519491231002X");
        assert_eq!(card.birth_date, date!(1949 - 12 - 31));
        assert_eq!(card.gender, Gender::Female);
        let old = parse_id_card("110105491231001").expect("valid 15");
        assert_eq!(old.birth_date, date!(1949 - 12 - 31));
        assert_eq!(old.gender, Gender::Male);
    }

    #[test]
    fn typing_errors_are_caught() {
        assert!(
            parse_id_card("110105194912310021")
                .expect_err("bad check")
                .contains("check character")
        );
        assert!(parse_id_card("1101051949123100").is_err());
        assert!(parse_id_card("11010519491331002X").is_err(), "month 13");
        assert!(parse_id_card("A1010519491231002X").is_err());
    }
}
