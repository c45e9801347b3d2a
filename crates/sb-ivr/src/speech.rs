//! What the driver is asked to say: prompt items with their templates
//! filled in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::template::expand;
use crate::{Language, PromptRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speech {
    /// An uploaded prompt, by name.
    Stored(String),
    /// A built-in prompt in the Play's language.
    Builtin(String),
    /// Text-to-speech in `language`, or else the Play's language.
    Tts {
        text: String,
        language: Option<Language>,
    },
    /// Read digit by digit.
    Digits(String),
    /// Read as a number; the decimal text as the template produced it.
    Number(String),
    /// A pause in milliseconds.
    Silence(u32),
}

/// Fills in the templates of a prompt list.
pub(crate) fn render(prompts: &[PromptRef], variables: &BTreeMap<String, String>) -> Vec<Speech> {
    prompts
        .iter()
        .map(|prompt| match prompt {
            PromptRef::Stored(name) => Speech::Stored(name.clone()),
            PromptRef::Builtin(name) => Speech::Builtin(name.clone()),
            PromptRef::Tts { text, language } => Speech::Tts {
                text: expand(text, variables),
                language: *language,
            },
            PromptRef::SayDigits(template) => Speech::Digits(expand(template, variables)),
            PromptRef::SayNumber(template) => Speech::Number(expand(template, variables)),
            PromptRef::Silence(ms) => Speech::Silence(*ms),
        })
        .collect()
}
