//! Text to speech through espeak-ng, cached three ways: in memory (recent
//! texts), on disk (every text ever spoken, named by the SHA-256 of voice and
//! text, so the same text is synthesised once ever), and in flight (renders
//! of a text being synthesised wait for that one run instead of starting
//! their own).
//!
//! espeak-ng runs without a shell: the text is one argument after `--`, so
//! no text can be read as an option or a command. It writes into a temporary
//! file that is converted to the engine's format and renamed into place, so
//! a reader never sees half a file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sb_media::prompt::Prompt;
use sha2::{Digest, Sha256};
use tokio::process::Command;
use tokio::sync::OnceCell;
use tracing::{debug, warn};

use super::recent::RecentPrompts;
use super::{Language, ProblemCause};

/// The longest text spoken, in characters: a sentence or two of an IVR.
/// Longer text is refused rather than cut mid-word.
pub(super) const MAX_TEXT_CHARS: usize = 500;
/// How long espeak-ng may take before it is killed.
pub(super) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Spoken texts kept in memory: 8 minutes of audio, 8 MB.
const RECENT_SAMPLES: usize = 8 * 60 * 8000;
/// What is kept of espeak-ng's error output in a problem.
const MAX_STDERR_CHARS: usize = 300;

/// One synthesis, shared by every render of its text that asks meanwhile.
type Pending = Arc<OnceCell<Result<Prompt, ProblemCause>>>;

#[derive(Debug)]
pub(super) struct Tts {
    program: PathBuf,
    /// `None`: nothing is kept on disk, espeak-ng writes into the system's
    /// temporary folder.
    cache_dir: Option<PathBuf>,
    timeout: Duration,
    recent: Mutex<RecentPrompts>,
    pending: Mutex<HashMap<String, Pending>>,
    /// Makes temporary file names unique within the process (the process
    /// id makes them unique between processes sharing the cache).
    temp_counter: AtomicU64,
}

impl Tts {
    pub(super) fn new(program: PathBuf, cache_dir: Option<PathBuf>) -> Tts {
        Tts {
            program,
            cache_dir,
            timeout: DEFAULT_TIMEOUT,
            recent: Mutex::new(RecentPrompts::new(RECENT_SAMPLES)),
            pending: Mutex::new(HashMap::new()),
            temp_counter: AtomicU64::new(0),
        }
    }

    pub(super) fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// `text` spoken in `language`.
    pub(super) async fn speak(
        &self,
        text: &str,
        language: Language,
    ) -> Result<Prompt, ProblemCause> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ProblemCause::EmptyText);
        }
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(ProblemCause::TextTooLong {
                chars,
                limit: MAX_TEXT_CHARS,
            });
        }
        let voice = super::language::espeak_voice(language);
        let key = cache_key(voice, text);
        if let Some(prompt) = self.recent().get(&key) {
            return Ok(prompt);
        }

        let pending = Arc::clone(
            self.pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key.clone())
                .or_default(),
        );
        // Only one render runs the closure; if it is dropped half-way (its
        // call hung up), the next waiter runs it instead.
        let result = pending
            .get_or_init(|| async {
                let result = self.load_or_synthesise(&key, voice, text).await;
                if let Ok(prompt) = &result {
                    // Before the pending entry goes, so that a render that
                    // comes after finds it here.
                    self.recent().insert(key.clone(), prompt.clone());
                }
                result
            })
            .await
            .clone();
        let mut pending_by_key = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending_by_key
            .get(&key)
            .is_some_and(|entry| Arc::ptr_eq(entry, &pending))
        {
            // A failure is not remembered: the next render tries again.
            pending_by_key.remove(&key);
        }
        result
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, RecentPrompts> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn load_or_synthesise(
        &self,
        key: &str,
        voice: &str,
        text: &str,
    ) -> Result<Prompt, ProblemCause> {
        if let Some(dir) = &self.cache_dir {
            let cached = dir.join(format!("{key}.wav"));
            if let Ok(Some(prompt)) = run_blocking(move || read_cached(&cached)).await {
                return Ok(prompt);
            }
        }
        self.synthesise(key, voice, text).await
    }

    async fn synthesise(&self, key: &str, voice: &str, text: &str) -> Result<Prompt, ProblemCause> {
        let temp_dir = match &self.cache_dir {
            Some(dir) => {
                let create = dir.clone();
                run_blocking(move || std::fs::create_dir_all(&create))
                    .await?
                    .map_err(|error| {
                        ProblemCause::TtsFailed(format!("cannot create the cache folder: {error}"))
                    })?;
                dir.clone()
            }
            None => std::env::temp_dir(),
        };
        let unique = format!(
            "{}-{}",
            std::process::id(),
            self.temp_counter.fetch_add(1, Ordering::Relaxed)
        );
        let raw = temp_dir.join(format!(".{key}.{unique}.espeak.wav"));
        let outcome = self.run_espeak(voice, text, &raw).await;

        let cache_file = self.cache_dir.as_ref().map(|dir| {
            (
                dir.join(format!(".{key}.{unique}.part")),
                dir.join(format!("{key}.wav")),
            )
        });
        run_blocking(move || {
            let converted = outcome.and_then(|()| convert(&raw));
            // The raw output is never kept, whatever happened.
            let _ = std::fs::remove_file(&raw);
            let prompt = converted?;
            if let Some((part, cache_file)) = cache_file {
                store_cached(&prompt, &part, &cache_file);
            }
            Ok(prompt)
        })
        .await?
    }

    async fn run_espeak(&self, voice: &str, text: &str, output: &Path) -> Result<(), ProblemCause> {
        let mut command = Command::new(&self.program);
        command
            .arg("-v")
            .arg(voice)
            .arg("-w")
            .arg(output)
            .arg("--")
            .arg(text)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Dropping the run (time limit, or the render was dropped) kills
            // espeak-ng; tokio reaps it.
            .kill_on_drop(true);
        let child = command
            .spawn()
            .map_err(|error| ProblemCause::TtsUnavailable {
                program: self.program.display().to_string(),
                reason: error.to_string(),
            })?;
        debug!(voice, chars = text.chars().count(), "espeak-ng started");
        let output = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| ProblemCause::TtsTimedOut {
                limit_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            })?
            .map_err(|error| ProblemCause::TtsFailed(error.to_string()))?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stderr: String = stderr.trim().chars().take(MAX_STDERR_CHARS).collect();
        Err(ProblemCause::TtsFailed(format!(
            "{} {stderr}",
            output.status
        )))
    }
}

/// The hex SHA-256 of voice and text; the NUL cannot occur in a voice name,
/// so no two (voice, text) pairs share a key.
fn cache_key(voice: &str, text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(voice.as_bytes());
    hasher.update([0]);
    hasher.update(text.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A cached prompt, or `None` when there is none (or a bad one, which is
/// removed so that it is made again).
fn read_cached(path: &Path) -> Option<Prompt> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return None,
        Err(error) => {
            warn!(file = %path.display(), %error, "spoken text cache unreadable");
            return None;
        }
    };
    match Prompt::from_wav_bytes(&bytes) {
        Ok(prompt) => Some(prompt),
        Err(error) => {
            warn!(file = %path.display(), %error, "spoken text cache file is bad; speaking again");
            let _ = std::fs::remove_file(path);
            None
        }
    }
}

fn convert(raw: &Path) -> Result<Prompt, ProblemCause> {
    let bytes = std::fs::read(raw)
        .map_err(|error| ProblemCause::TtsFailed(format!("no output from espeak-ng ({error})")))?;
    Prompt::from_wav_bytes(&bytes)
        .map_err(|error| ProblemCause::TtsFailed(format!("its output is unusable: {error}")))
}

/// Writes the converted prompt beside its final name and renames it into
/// place. A failure costs a synthesis next time, not this render.
fn store_cached(prompt: &Prompt, part: &Path, cache_file: &Path) {
    let written = std::fs::write(part, prompt.to_wav_bytes())
        .and_then(|()| std::fs::rename(part, cache_file));
    if let Err(error) = written {
        warn!(file = %cache_file.display(), %error, "spoken text not cached");
        let _ = std::fs::remove_file(part);
    }
}

/// Runs file work off the async threads. A panic there is a bug; it is
/// reported as a failed synthesis rather than taking the render down.
async fn run_blocking<T, F>(work: F) -> Result<T, ProblemCause>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|error| ProblemCause::TtsFailed(format!("file work failed: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_separate_voice_and_text() {
        assert_eq!(cache_key("en-us", "hello").len(), 64);
        assert_eq!(cache_key("en-us", "hello"), cache_key("en-us", "hello"));
        assert_ne!(cache_key("en-us", "hello"), cache_key("en-u", "shello"));
        assert_ne!(
            cache_key("en-us", "hello"),
            cache_key("cmn-latn-pinyin", "hello")
        );
    }
}
