//! The uploaded voice prompts: named files under the stored prompts folder,
//! each read and converted on first use and then kept in memory until the
//! admin changes the prompts.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use sb_media::prompt::Prompt;

use super::ProblemCause;

/// The largest stored file read. Uploads are stored converted (8 kHz mono
/// 16-bit: 600 s is 9.6 MB); this leaves room for a file copied in by hand
/// without reading a stray multi-gigabyte file into memory.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug)]
pub(super) struct StoredPrompts {
    dir: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Name -> file relative to `dir`.
    files: HashMap<String, PathBuf>,
    /// Name -> the file it was read from and its prompt.
    loaded: HashMap<String, (PathBuf, Prompt)>,
    /// Bumped by every change of `files`, so that a read that started before
    /// a change does not put the old audio back into `loaded`.
    generation: u64,
}

impl StoredPrompts {
    pub(super) fn new(dir: Option<PathBuf>) -> StoredPrompts {
        StoredPrompts {
            dir,
            state: Mutex::new(State::default()),
        }
    }

    pub(super) fn set_files(&self, files: HashMap<String, PathBuf>) {
        let mut state = self.state();
        state.files = files;
        // A prompt re-uploaded under the same name and file has new audio:
        // nothing loaded survives a change.
        state.loaded.clear();
        state.generation += 1;
    }

    pub(super) async fn get(&self, name: &str) -> Result<Prompt, ProblemCause> {
        let (relative, generation) = {
            let state = self.state();
            let Some(relative) = state.files.get(name) else {
                return Err(ProblemCause::UnknownStored(name.to_owned()));
            };
            if let Some((file, prompt)) = state.loaded.get(name)
                && file == relative
            {
                return Ok(prompt.clone());
            }
            (relative.clone(), state.generation)
        };
        let Some(dir) = &self.dir else {
            return Err(ProblemCause::NoStoredFolder(name.to_owned()));
        };
        let unreadable = |reason: String| ProblemCause::StoredUnreadable {
            name: name.to_owned(),
            file: relative.display().to_string(),
            reason,
        };
        if !is_plain_relative(&relative) {
            return Err(unreadable(
                "the file must be a plain path inside the stored prompts folder".into(),
            ));
        }

        let path = dir.join(&relative);
        let prompt = tokio::task::spawn_blocking(move || read_prompt(&path))
            .await
            .map_err(|error| unreadable(error.to_string()))?
            .map_err(unreadable)?;

        let mut state = self.state();
        if state.generation == generation {
            state
                .loaded
                .insert(name.to_owned(), (relative, prompt.clone()));
        }
        Ok(prompt)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// No absolute path, no `..`: a name cannot reach outside the folder.
fn is_plain_relative(path: &Path) -> bool {
    path.components().count() > 0
        && path
            .components()
            .all(|component| matches!(component, Component::Normal(_)))
}

fn read_prompt(path: &Path) -> Result<Prompt, String> {
    let size = std::fs::metadata(path)
        .map_err(|error| error.to_string())?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!("{size} bytes, more than the {MAX_FILE_BYTES} read"));
    }
    let bytes = std::fs::read(path).map_err(|error| error.to_string())?;
    Prompt::from_wav_bytes(&bytes).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_read() {
        assert!(is_plain_relative(Path::new("12.wav")));
        assert!(is_plain_relative(Path::new("sub/12.wav")));
        assert!(!is_plain_relative(Path::new("")));
        assert!(!is_plain_relative(Path::new("/etc/passwd")));
        assert!(!is_plain_relative(Path::new("../12.wav")));
        assert!(!is_plain_relative(Path::new("sub/../../12.wav")));
    }
}
