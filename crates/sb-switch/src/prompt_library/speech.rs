//! What an IVR asks the library to say.

use super::Language;

/// One thing to say; a list of them is rendered into prompts played back to
/// back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Speech {
    /// An uploaded voice prompt, by the name the admin gave it.
    Stored(String),
    /// A built-in prompt in the call's language (see
    /// [`super::PromptLibrary::builtin_names`]).
    Builtin(String),
    /// Text spoken by espeak-ng, in `language` or else the call's language.
    Tts {
        text: String,
        language: Option<Language>,
    },
    /// Digit by digit, the way phone and order numbers are read (Chinese
    /// reads 1 as 幺). Characters other than digits are passed over.
    Digits(String),
    /// A number read as a number: "1234", "-12.5". Beyond 999,999,999,999 or
    /// two decimals, or not a number at all, it is read digit by digit
    /// (keeping a leading minus and the point).
    Number(String),
    /// A pause, in milliseconds.
    Silence(u32),
}
