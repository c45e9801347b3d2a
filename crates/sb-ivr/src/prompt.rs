//! Prompt items as a flow document writes them: single-key objects such as
//! `{"builtin": "welcome"}` or `{"tts": "您好", "language": "zh"}`.

use serde::{Deserialize, Serialize};

use crate::Language;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PromptDocument", into = "PromptDocument")]
pub enum PromptRef {
    /// A prompt an admin uploaded, by name.
    Stored(String),
    /// A built-in prompt in the flow's language.
    Builtin(String),
    /// Text-to-speech (a template), in `language` or else the flow's.
    Tts {
        text: String,
        language: Option<Language>,
    },
    /// A template read digit by digit.
    SayDigits(String),
    /// A template read as a number.
    SayNumber(String),
    /// A pause.
    Silence(u32),
}

pub const PROMPT_KINDS: &str = "prompt, builtin, tts, say_digits, say_number, silence_ms";

/// The written form: exactly one kind set (`language` only with `tts`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromptDocument {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    builtin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tts: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    language: Option<Language>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    say_digits: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    say_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    silence_ms: Option<u32>,
}

impl TryFrom<PromptDocument> for PromptRef {
    type Error = String;

    fn try_from(document: PromptDocument) -> Result<Self, Self::Error> {
        let PromptDocument {
            prompt,
            builtin,
            tts,
            language,
            say_digits,
            say_number,
            silence_ms,
        } = document;
        if language.is_some() && tts.is_none() {
            return Err("`language` goes only with `tts`".to_owned());
        }
        let mut kinds = [
            prompt.map(PromptRef::Stored),
            builtin.map(PromptRef::Builtin),
            tts.map(|text| PromptRef::Tts { text, language }),
            say_digits.map(PromptRef::SayDigits),
            say_number.map(PromptRef::SayNumber),
            silence_ms.map(PromptRef::Silence),
        ]
        .into_iter()
        .flatten();
        match (kinds.next(), kinds.next()) {
            (Some(kind), None) => Ok(kind),
            (None, _) => Err(format!("a prompt item needs one of {PROMPT_KINDS}")),
            (Some(_), Some(_)) => Err(format!("a prompt item has exactly one of {PROMPT_KINDS}")),
        }
    }
}

impl From<PromptRef> for PromptDocument {
    fn from(prompt: PromptRef) -> Self {
        match prompt {
            PromptRef::Stored(name) => PromptDocument {
                prompt: Some(name),
                ..PromptDocument::default()
            },
            PromptRef::Builtin(name) => PromptDocument {
                builtin: Some(name),
                ..PromptDocument::default()
            },
            PromptRef::Tts { text, language } => PromptDocument {
                tts: Some(text),
                language,
                ..PromptDocument::default()
            },
            PromptRef::SayDigits(template) => PromptDocument {
                say_digits: Some(template),
                ..PromptDocument::default()
            },
            PromptRef::SayNumber(template) => PromptDocument {
                say_number: Some(template),
                ..PromptDocument::default()
            },
            PromptRef::Silence(ms) => PromptDocument {
                silence_ms: Some(ms),
                ..PromptDocument::default()
            },
        }
    }
}
