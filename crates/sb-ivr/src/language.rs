//! The language a flow speaks (built-in prompts and text-to-speech).

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Mandarin Chinese.
    #[default]
    Zh,
    /// English.
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

    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
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
    use super::Language;

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
