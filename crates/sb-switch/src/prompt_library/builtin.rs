//! The built-in prompts: WAVs embedded in the binary (assets/prompts,
//! listed in `builtin_list.rs` by scripts/generate-builtin-prompts), decoded
//! once per process on first use, plus the beep, which is generated.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use sb_media::frame::SAMPLE_RATE;
use sb_media::prompt::Prompt;
use tracing::warn;

use super::Language;
use super::builtin_list;

/// The name of the generated tone ("please leave a message after the tone").
pub(super) const BEEP: &str = "beep";
const BEEP_HZ: f64 = 1000.0;
const BEEP_MS: u32 = 400;
/// About -10 dBFS: clearly a tone, not a blast in the ear.
const BEEP_LEVEL: f64 = 10_000.0;
/// Fades at each end so the tone starts and stops without a click.
const BEEP_FADE_SAMPLES: usize = 80;

static BUILTINS: LazyLock<Builtins> = LazyLock::new(Builtins::decode);

struct Builtins {
    zh: HashMap<&'static str, Prompt>,
    en: HashMap<&'static str, Prompt>,
    /// Every name in either language, sorted.
    names: Vec<&'static str>,
}

impl Builtins {
    fn decode() -> Builtins {
        let beep = beep();
        let zh = decode_list(Language::Zh, builtin_list::ZH, &beep);
        let en = decode_list(Language::En, builtin_list::EN, &beep);
        let names: BTreeSet<&'static str> = zh.keys().chain(en.keys()).copied().collect();
        Builtins {
            zh,
            en,
            names: names.into_iter().collect(),
        }
    }
}

fn decode_list(
    language: Language,
    list: &'static [(&'static str, &'static [u8])],
    beep: &Prompt,
) -> HashMap<&'static str, Prompt> {
    let mut prompts = HashMap::with_capacity(list.len() + 1);
    for &(name, wav) in list {
        match Prompt::from_wav_bytes(wav) {
            Ok(prompt) => {
                prompts.insert(name, prompt);
            }
            // Only a bad regeneration gets here; the test of every built-in
            // catches it before a release.
            Err(error) => warn!(%language, name, %error, "built-in prompt does not decode"),
        }
    }
    prompts.insert(BEEP, beep.clone());
    prompts
}

pub(super) fn get(name: &str, language: Language) -> Option<Prompt> {
    let builtins = &*BUILTINS;
    let prompts = match language {
        Language::Zh => &builtins.zh,
        Language::En => &builtins.en,
    };
    prompts.get(name).cloned()
}

pub(super) fn names() -> &'static [&'static str] {
    &BUILTINS.names
}

/// A 1 kHz tone of 400 ms.
fn beep() -> Prompt {
    let samples = (SAMPLE_RATE * BEEP_MS / 1000) as usize;
    let step = 2.0 * std::f64::consts::PI * BEEP_HZ / f64::from(SAMPLE_RATE);
    let tone = (0..samples)
        .map(|index| {
            let fade = index.min(samples - 1 - index).min(BEEP_FADE_SAMPLES) as f64
                / BEEP_FADE_SAMPLES as f64;
            (BEEP_LEVEL * fade * (step * index as f64).sin()).round() as i16
        })
        .collect();
    Prompt::from_samples(tone)
}
