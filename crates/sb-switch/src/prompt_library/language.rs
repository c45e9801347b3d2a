//! The languages the prompt library speaks.

use std::fmt;

/// A language of the built-in prompts and of text-to-speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Mandarin Chinese.
    Zh,
    /// English (American voice).
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Zh, Language::En];

    /// Reads a language tag: "zh", "zh-CN", "zh_Hans", "cmn", "en", "en-US",
    /// "EN_gb"... (case-insensitive, only the primary subtag counts). Any
    /// other language is `None`: the caller decides what to fall back to.
    pub fn parse(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "zh" | "cmn" | "chi" | "zho" => Some(Language::Zh),
            "en" | "eng" => Some(Language::En),
            _ => None,
        }
    }

    /// The short tag, "zh" or "en".
    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
        }
    }

    /// The espeak-ng voice. Mandarin is `cmn-latn-pinyin`, not `cmn`: in
    /// espeak-ng 1.51 (Debian 12) the `cmn` voice reads the pinyin tone
    /// numbers of its own dictionary as English words (一 becomes "yi one",
    /// espeak-ng issues #1028 and #1370), the pinyin voice reads them as
    /// tones. Both read Latin words as English.
    pub(super) fn espeak_voice(self) -> &'static str {
        match self {
            Language::Zh => "cmn-latn-pinyin",
            Language::En => "en-us",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_by_their_primary_subtag() {
        for tag in ["zh", "zh-CN", "ZH_cn", "zh-Hans-CN", "cmn", " zh "] {
            assert_eq!(Language::parse(tag), Some(Language::Zh), "{tag}");
        }
        for tag in ["en", "en-US", "EN_gb", "eng"] {
            assert_eq!(Language::parse(tag), Some(Language::En), "{tag}");
        }
        for tag in ["", "fr", "zhx", "-zh", "english"] {
            assert_eq!(Language::parse(tag), None, "{tag}");
        }
    }
}
