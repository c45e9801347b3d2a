//! What the IVR says: a list of [`Speech`] items (uploaded prompts,
//! built-in prompts in Chinese or English, text spoken by espeak-ng, digits,
//! numbers, pauses) rendered into [`Prompt`]s that a `Player` plays back to
//! back.
//!
//! Layout: `builtin` (the embedded prompts, listed in `builtin_list`, which
//! scripts/generate-builtin-prompts writes), `number_words` (numbers and
//! digit strings as lists of built-in names, pure), `tts` (espeak-ng and its
//! caches), `stored` (uploaded prompts), `recent` (the in-memory cache of
//! spoken texts).
//!
//! An item that cannot be rendered is left out and reported: a caller hears
//! the rest of the list rather than silence.

mod builtin;
mod builtin_list;
mod language;
mod number_words;
mod problem;
mod recent;
mod stored;
mod tts;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use sb_media::frame::SAMPLE_RATE;
use sb_media::prompt::Prompt;
use tracing::{debug, warn};

pub use language::Language;
pub use problem::{ProblemCause, PromptProblem};
/// What an IVR asks the library to say: sb-ivr's own items.
pub use sb_ivr::Speech;

/// The longest pause a [`Speech::Silence`] may ask for.
pub const MAX_SILENCE_MS: u32 = 60_000;
/// The longest text a [`Speech::Tts`] may hold, in characters.
pub const MAX_TTS_CHARS: usize = tts::MAX_TEXT_CHARS;

#[derive(Debug, Clone, Default)]
pub struct PromptLibraryConfig {
    /// The folder of the uploaded prompts; their files are named relative to
    /// it.
    pub stored_dir: Option<PathBuf>,
    /// Where spoken texts are kept between runs; `None` keeps them in
    /// memory only.
    pub cache_dir: Option<PathBuf>,
    /// `None`: `espeak-ng` from the PATH.
    pub espeak_program: Option<PathBuf>,
}

/// The prompts of the IVR. Shared between calls as an `Arc`; every method
/// takes `&self`.
#[derive(Debug)]
pub struct PromptLibrary {
    stored: stored::StoredPrompts,
    tts: tts::Tts,
}

impl PromptLibrary {
    pub fn new(config: PromptLibraryConfig) -> PromptLibrary {
        let program = config
            .espeak_program
            .unwrap_or_else(|| PathBuf::from("espeak-ng"));
        PromptLibrary {
            stored: stored::StoredPrompts::new(config.stored_dir),
            tts: tts::Tts::new(program, config.cache_dir),
        }
    }

    /// How long espeak-ng may take for one text before it is killed and the
    /// item reported (10 s unless changed).
    pub fn with_tts_timeout(mut self, timeout: Duration) -> PromptLibrary {
        self.tts.set_timeout(timeout);
        self
    }

    /// The uploaded prompts by name, each with its file relative to the
    /// stored prompts folder; replaces the previous set whenever the admin
    /// changes prompts, and forgets every prompt read so far.
    pub fn set_stored_prompts(&self, files: HashMap<String, PathBuf>) {
        debug!(prompts = files.len(), "stored prompts replaced");
        self.stored.set_files(files);
    }

    /// Renders `items` into prompts to play in order, `language` being the
    /// call's. Items that cannot be rendered are skipped, logged and
    /// returned as problems.
    pub async fn render(
        &self,
        items: &[Speech],
        language: Language,
    ) -> (Vec<Prompt>, Vec<PromptProblem>) {
        let mut prompts = Vec::with_capacity(items.len());
        let mut problems = Vec::new();
        for (index, item) in items.iter().enumerate() {
            if let Err(cause) = self.render_item(item, language, &mut prompts).await {
                warn!(item = index, %language, %cause, "prompt item skipped");
                problems.push(PromptProblem { item: index, cause });
            }
        }
        (prompts, problems)
    }

    /// The built-in prompt `name` in `language`; see [`Self::builtin_names`].
    pub fn builtin(&self, name: &str, language: Language) -> Option<Prompt> {
        builtin::get(name, language)
    }

    /// Every built-in name, sorted. Messages ("welcome", "please-hold",
    /// "beep"...) and digits exist in both languages; the number words are
    /// each language's own ("wan", "yao" in Chinese, "13", "million" in
    /// English). Chinese also has "liang" (两), which [`Speech::Number`]
    /// never uses: a count of two before a measure word (您前面还有两位,
    /// 两分钟) is the caller's to choose.
    pub fn builtin_names() -> &'static [&'static str] {
        builtin::names()
    }

    async fn render_item(
        &self,
        item: &Speech,
        language: Language,
        prompts: &mut Vec<Prompt>,
    ) -> Result<(), ProblemCause> {
        match item {
            Speech::Stored(name) => prompts.push(self.stored.get(name).await?),
            Speech::Builtin(name) => prompts.push(builtin_prompt(name, language)?),
            Speech::Tts {
                text,
                language: text_language,
            } => {
                let text_language = text_language.unwrap_or(language);
                prompts.push(self.tts.speak(text, text_language).await?);
            }
            Speech::Digits(digits) => {
                let words = number_words::digit_words(digits, language);
                if words.is_empty() {
                    return Err(ProblemCause::NoDigits(digits.clone()));
                }
                push_builtins(&words, language, prompts)?;
            }
            Speech::Number(number) => {
                let words = number_words::number_words(number, language)
                    .unwrap_or_else(|| number_words::number_digit_words(number));
                if words.is_empty() {
                    return Err(ProblemCause::NoDigits(number.clone()));
                }
                push_builtins(&words, language, prompts)?;
            }
            Speech::Silence(ms) => {
                if *ms > MAX_SILENCE_MS {
                    return Err(ProblemCause::SilenceTooLong {
                        ms: *ms,
                        limit_ms: MAX_SILENCE_MS,
                    });
                }
                let samples = (u64::from(*ms) * u64::from(SAMPLE_RATE) / 1000) as usize;
                if samples > 0 {
                    prompts.push(Prompt::from_samples(vec![0; samples]));
                }
            }
        }
        Ok(())
    }
}

fn builtin_prompt(name: &str, language: Language) -> Result<Prompt, ProblemCause> {
    builtin::get(name, language).ok_or_else(|| ProblemCause::UnknownBuiltin {
        name: name.to_owned(),
        language,
    })
}

/// All of `names`, or none and the first that is missing: half a number is
/// a wrong number.
fn push_builtins(
    names: &[&str],
    language: Language,
    prompts: &mut Vec<Prompt>,
) -> Result<(), ProblemCause> {
    let words = names
        .iter()
        .map(|name| builtin_prompt(name, language))
        .collect::<Result<Vec<_>, _>>()?;
    prompts.extend(words);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_word_is_a_builtin() {
        for language in Language::ALL {
            for name in number_words::all_names(language) {
                assert!(
                    builtin::get(name, language).is_some(),
                    "`{name}` is missing in {language}"
                );
            }
        }
    }
}
