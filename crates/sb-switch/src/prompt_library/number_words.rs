//! Numbers and digit strings as lists of built-in prompt names, pure logic.
//!
//! Chinese counts in groups of four digits (万 = 10^4, 亿 = 10^8): 一千零四,
//! 十一 (not 一十一) at the head of a number but 一百一十 inside, one 零 for any
//! run of zeros between non-zero digits, 十万, 一亿零一. English says "one
//! thousand two hundred thirty four", without "and". Digit strings read
//! every digit; Chinese reads 1 there as 幺 (yāo), as IVRs read phone and
//! order numbers, but as 一 after 点 in a number.

use super::Language;

/// The largest integer part read as a number; beyond it, digits.
pub(super) const MAX_NUMBER: u64 = 999_999_999_999;
/// The most decimals read as a number; beyond them, digits.
pub(super) const MAX_DECIMALS: usize = 2;

/// Built-in names of 0 to 19 (the digits in both languages, the teens in
/// English).
const ONES: [&str; 20] = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16",
    "17", "18", "19",
];
/// English tens by tens digit (0 and 1 are never looked up).
const EN_TENS: [&str; 10] = ["", "", "20", "30", "40", "50", "60", "70", "80", "90"];
/// English scale words, largest first, with their values.
const EN_SCALES: [(u64, &str); 3] = [
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1_000, "thousand"),
];
/// Chinese place words inside a group of four digits, thousands first.
const ZH_PLACES: [&str; 4] = ["thousand", "hundred", "ten", ""];

pub(super) const MINUS: &str = "minus";
pub(super) const POINT: &str = "point";
/// 幺: the Chinese 1 of digit strings.
pub(super) const ZH_DIGIT_ONE: &str = "yao";

/// Every name [`digit_words`] and [`number_words`] can produce in `language`
/// (for checking that each one is a built-in).
#[cfg(test)]
pub(super) fn all_names(language: Language) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ONES[..10].to_vec();
    names.extend([MINUS, POINT, "hundred", "thousand"]);
    match language {
        Language::Zh => names.extend([ZH_DIGIT_ONE, "ten", "wan", "yi"]),
        Language::En => {
            names.extend(&ONES[10..]);
            names.extend(&EN_TENS[2..]);
            names.extend(EN_SCALES.iter().map(|(_, name)| *name));
        }
    }
    names
}

/// The digits of `text` one by one; anything that is not an ASCII digit is
/// passed over (dashes and spaces of a formatted phone number).
pub(super) fn digit_words(text: &str, language: Language) -> Vec<&'static str> {
    text.bytes()
        .filter(u8::is_ascii_digit)
        .map(|digit| match (language, digit) {
            (Language::Zh, b'1') => ZH_DIGIT_ONE,
            _ => ONES[usize::from(digit - b'0')],
        })
        .collect()
}

/// `text` read as a number: an optional `-`, digits, then optionally `.` and
/// one or two digits. `None` when it is not such a number or is larger than
/// [`MAX_NUMBER`]: the caller reads it as digits.
pub(super) fn number_words(text: &str, language: Language) -> Option<Vec<&'static str>> {
    let number = ParsedNumber::parse(text)?;
    let mut words = Vec::new();
    if number.negative && !number.is_zero() {
        words.push(MINUS);
    }
    match language {
        Language::Zh => zh_integer(number.integer, &mut words),
        Language::En => en_integer(number.integer, &mut words),
    }
    if !number.decimals.is_empty() {
        words.push(POINT);
        // After the point digits are read one by one, and 1 is 一, not 幺.
        words.extend(
            number
                .decimals
                .bytes()
                .map(|digit| ONES[usize::from(digit - b'0')]),
        );
    }
    Some(words)
}

/// A `Speech::Number` that [`number_words`] does not read as a number (too
/// large, too many decimals, not a number), read digit by digit with 一 for
/// 1 (it was given as a number, not a code), keeping its sign and point:
/// "1.234" is "one point two three four", never "one two three four".
/// Other characters are passed over; nothing at all if there is no digit.
pub(super) fn number_digit_words(text: &str) -> Vec<&'static str> {
    let text = text.trim();
    if !text.bytes().any(|byte| byte.is_ascii_digit()) {
        return Vec::new();
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut words = Vec::with_capacity(text.len());
    if negative {
        words.push(MINUS);
    }
    for byte in unsigned.bytes() {
        match byte {
            b'0'..=b'9' => words.push(ONES[usize::from(byte - b'0')]),
            b'.' => words.push(POINT),
            _ => {}
        }
    }
    words
}

/// A number in the accepted shape, before it is read.
#[derive(Debug, PartialEq, Eq)]
struct ParsedNumber<'a> {
    negative: bool,
    integer: u64,
    /// The decimal digits as written ("50" stays "50": read 五零).
    decimals: &'a str,
}

impl<'a> ParsedNumber<'a> {
    fn parse(text: &'a str) -> Option<ParsedNumber<'a>> {
        let text = text.trim();
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (integer_digits, decimals) = match unsigned.split_once('.') {
            Some((integer, decimals)) => (integer, decimals),
            None => (unsigned, ""),
        };
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if integer_digits.is_empty()
            || !all_digits(integer_digits)
            || !all_digits(decimals)
            || decimals.len() > MAX_DECIMALS
            || (unsigned.contains('.') && decimals.is_empty())
        {
            return None;
        }
        // Leading zeros are allowed ("007" is seven); the length check keeps
        // the parse from overflowing before the range check.
        let significant = integer_digits.trim_start_matches('0');
        if significant.len() > 12 {
            return None;
        }
        let integer = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        (integer <= MAX_NUMBER).then_some(ParsedNumber {
            negative,
            integer,
            decimals,
        })
    }

    fn is_zero(&self) -> bool {
        self.integer == 0 && self.decimals.bytes().all(|digit| digit == b'0')
    }
}

fn en_integer(number: u64, words: &mut Vec<&'static str>) {
    if number == 0 {
        words.push(ONES[0]);
        return;
    }
    let mut rest = number;
    for (scale, name) in EN_SCALES {
        if rest >= scale {
            en_below_thousand(rest / scale, words);
            words.push(name);
            rest %= scale;
        }
    }
    en_below_thousand(rest, words);
}

/// 0 says nothing (it is the empty tail of 2000).
fn en_below_thousand(number: u64, words: &mut Vec<&'static str>) {
    let hundreds = number / 100;
    let rest = (number % 100) as usize;
    if hundreds > 0 {
        words.push(ONES[hundreds as usize]);
        words.push("hundred");
    }
    match rest {
        0 => {}
        1..=19 => words.push(ONES[rest]),
        _ => {
            words.push(EN_TENS[rest / 10]);
            if !rest.is_multiple_of(10) {
                words.push(ONES[rest % 10]);
            }
        }
    }
}

fn zh_integer(number: u64, words: &mut Vec<&'static str>) {
    if number == 0 {
        words.push(ONES[0]);
        return;
    }
    let groups = [
        (number / 100_000_000, "yi"),
        (number / 10_000 % 10_000, "wan"),
        (number % 10_000, ""),
    ];
    let mut started = false;
    // Zeros seen since the last word, said as one 零 before the next
    // non-zero group (一亿零一, 十万零一十), never at the end (一亿).
    let mut zero_pending = false;
    for (group, unit) in groups {
        if group == 0 {
            zero_pending |= started;
            continue;
        }
        // A group without thousands follows its elder group with a 零
        // (一万零五百).
        if (started && group < 1000) || zero_pending {
            words.push(ONES[0]);
            zero_pending = false;
        }
        zh_group(group, !started, words);
        if !unit.is_empty() {
            words.push(unit);
        }
        started = true;
    }
}

/// A group of four digits (1..=9999). `head`: the group opens the number, so
/// a leading 一十 is said 十.
fn zh_group(group: u64, head: bool, words: &mut Vec<&'static str>) {
    let digits = [group / 1000, group / 100 % 10, group / 10 % 10, group % 10];
    let mut said_any = false;
    let mut zero_pending = false;
    for (digit, place) in digits.into_iter().zip(ZH_PLACES) {
        if digit == 0 {
            zero_pending |= said_any;
            continue;
        }
        if zero_pending {
            words.push(ONES[0]);
            zero_pending = false;
        }
        let tens_at_head = place == "ten" && digit == 1 && head && !said_any;
        if !tens_at_head {
            words.push(ONES[digit as usize]);
        }
        if !place.is_empty() {
            words.push(place);
        }
        said_any = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zh(text: &str) -> String {
        words_as_text(number_words(text, Language::Zh), Language::Zh)
    }

    fn en(text: &str) -> String {
        words_as_text(number_words(text, Language::En), Language::En)
    }

    /// Names rendered as the words they say, so the expectations read as
    /// Chinese and English.
    fn words_as_text(words: Option<Vec<&str>>, language: Language) -> String {
        let Some(words) = words else {
            return "DIGITS".into();
        };
        let said: Vec<String> = words
            .iter()
            .map(|name| match language {
                Language::Zh => zh_char(name).to_string(),
                Language::En => en_word(name).to_string(),
            })
            .collect();
        match language {
            Language::Zh => said.concat(),
            Language::En => said.join(" "),
        }
    }

    fn zh_char(name: &str) -> char {
        match name {
            "ten" => '十',
            "hundred" => '百',
            "thousand" => '千',
            "wan" => '万',
            "yi" => '亿',
            "point" => '点',
            "minus" => '负',
            "yao" => '幺',
            digit => "零一二三四五六七八九"
                .chars()
                .nth(digit.parse().expect("a digit name"))
                .expect("0-9"),
        }
    }

    fn en_word(name: &str) -> &str {
        const WORDS: [&str; 20] = [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ];
        const TENS: [&str; 10] = [
            "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
        ];
        match name.parse::<usize>() {
            Ok(value) if value < 20 => WORDS[value],
            Ok(value) => TENS[value / 10],
            Err(_) => name,
        }
    }

    #[test]
    fn chinese_small_numbers() {
        assert_eq!(zh("0"), "零");
        assert_eq!(zh("7"), "七");
        assert_eq!(zh("10"), "十");
        assert_eq!(zh("11"), "十一");
        assert_eq!(zh("20"), "二十");
        assert_eq!(zh("99"), "九十九");
        assert_eq!(zh("100"), "一百");
        assert_eq!(zh("101"), "一百零一");
        assert_eq!(zh("110"), "一百一十");
        assert_eq!(zh("111"), "一百一十一");
    }

    #[test]
    fn chinese_zeros_collapse_to_one_ling() {
        assert_eq!(zh("1004"), "一千零四");
        assert_eq!(zh("1010"), "一千零一十");
        assert_eq!(zh("1100"), "一千一百");
        assert_eq!(zh("1234"), "一千二百三十四");
        assert_eq!(zh("10001"), "一万零一");
        assert_eq!(zh("10500"), "一万零五百");
        assert_eq!(zh("15000"), "一万五千");
        assert_eq!(zh("100000"), "十万");
        assert_eq!(zh("100010"), "十万零一十");
        assert_eq!(zh("110000"), "十一万");
        assert_eq!(zh("1000000"), "一百万");
        assert_eq!(zh("10000000"), "一千万");
    }

    #[test]
    fn chinese_hundred_millions() {
        assert_eq!(zh("100000000"), "一亿");
        assert_eq!(zh("100000001"), "一亿零一");
        assert_eq!(zh("100010000"), "一亿零一万");
        assert_eq!(zh("101000000"), "一亿零一百万");
        assert_eq!(zh("110000000"), "一亿一千万");
        assert_eq!(zh("1000000000"), "十亿");
        assert_eq!(zh("1200003400"), "十二亿零三千四百");
        assert_eq!(
            zh("999999999999"),
            "九千九百九十九亿九千九百九十九万九千九百九十九"
        );
    }

    #[test]
    fn chinese_signs_and_decimals() {
        assert_eq!(zh("-12.5"), "负十二点五");
        assert_eq!(zh("0.5"), "零点五");
        assert_eq!(zh("3.14"), "三点一四");
        assert_eq!(zh("12.50"), "十二点五零");
        assert_eq!(zh("-0"), "零");
        assert_eq!(zh("-0.01"), "负零点零一");
        assert_eq!(zh("007"), "七");
    }

    #[test]
    fn english_numbers() {
        assert_eq!(en("0"), "zero");
        assert_eq!(en("13"), "thirteen");
        assert_eq!(en("40"), "forty");
        assert_eq!(en("42"), "forty two");
        assert_eq!(en("100"), "one hundred");
        assert_eq!(en("105"), "one hundred five");
        assert_eq!(en("1234"), "one thousand two hundred thirty four");
        assert_eq!(en("2000"), "two thousand");
        assert_eq!(en("1000001"), "one million one");
        assert_eq!(
            en("999999999999"),
            "nine hundred ninety nine billion nine hundred ninety nine million \
             nine hundred ninety nine thousand nine hundred ninety nine"
        );
        assert_eq!(en("-12.5"), "minus twelve point five");
        assert_eq!(en("0.75"), "zero point seven five");
    }

    #[test]
    fn anything_else_is_left_to_digits() {
        for text in [
            "",
            "-",
            "abc",
            "12a",
            "1.234",
            "1.",
            ".5",
            "--1",
            "+1",
            "1,000",
            "1000000000000",
            "99999999999999999999999",
        ] {
            assert_eq!(number_words(text, Language::Zh), None, "{text}");
            assert_eq!(number_words(text, Language::En), None, "{text}");
        }
        assert!(number_words("0000000000001", Language::En).is_some());
    }

    #[test]
    fn numbers_out_of_range_keep_their_sign_and_point() {
        assert_eq!(
            number_digit_words("-1.234"),
            ["minus", "1", "point", "2", "3", "4"]
        );
        assert_eq!(number_digit_words("1000000000000").len(), 13);
        assert_eq!(number_digit_words(" 1,000 "), ["1", "0", "0", "0"]);
        assert!(number_digit_words("-.").is_empty());
        assert!(number_digit_words("abc").is_empty());
    }

    #[test]
    fn digit_strings_read_one_as_yao_in_chinese() {
        assert_eq!(
            digit_words("400-810 1", Language::Zh),
            ["4", "0", "0", "8", "yao", "0", "yao"]
        );
        assert_eq!(digit_words("101", Language::En), ["1", "0", "1"]);
        assert!(digit_words("*#", Language::En).is_empty());
    }

    #[test]
    fn every_name_produced_is_listed() {
        for language in Language::ALL {
            let listed = all_names(language);
            let samples = [
                "1234567890",
                "-12.5",
                "999999999999",
                "100010",
                "11",
                "19",
                "70",
            ];
            for text in samples {
                for word in number_words(text, language)
                    .expect("a number")
                    .into_iter()
                    .chain(digit_words(text, language))
                    .chain(number_digit_words(text))
                {
                    assert!(listed.contains(&word), "{word} in {language}");
                }
            }
        }
    }
}
