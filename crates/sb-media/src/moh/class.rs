//! One class of music on hold: its tracks decoded once and joined into a
//! single loop that every listener reads at the clock's position.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::MediaError;
use crate::frame::{FRAME_SAMPLES, Frame, PTIME_MS, SAMPLE_RATE};
use crate::prompt::Prompt;

/// One class of music (a folder of WAVs, played in file-name order,
/// looped). Every listener hears the same stream: the position is derived
/// from the clock (a shared epoch), so a thousand callers on hold cost one
/// decoded buffer, not a thousand decoders.
pub struct MusicClass {
    name: String,
    /// The tracks back to back; never empty.
    audio: Arc<[i16]>,
}

impl MusicClass {
    /// A class playing `tracks` in order; no audio at all is
    /// [`MediaError::EmptyMusicClass`].
    pub fn from_prompts(name: &str, tracks: Vec<Prompt>) -> Result<MusicClass, MediaError> {
        let mut tracks: Vec<Prompt> = tracks
            .into_iter()
            .filter(|track| !track.samples().is_empty())
            .collect();
        let audio: Arc<[i16]> = match tracks.len() {
            0 => return Err(MediaError::EmptyMusicClass(name.to_owned())),
            // One track (the usual case) is shared with its prompt, not copied.
            1 => tracks.remove(0).shared_samples(),
            _ => tracks
                .iter()
                .flat_map(|track| track.samples().iter().copied())
                .collect(),
        };
        Ok(MusicClass {
            name: name.to_owned(),
            audio,
        })
    }

    /// Reads every `*.wav` in `dir` (sorted by name) through
    /// [`Prompt::from_wav_bytes`]. Unreadable files are skipped and returned
    /// as (file name, error) so the caller can log them; no playable file is
    /// [`MediaError::EmptyMusicClass`], an unreadable folder
    /// [`MediaError::Io`].
    pub fn load_dir(
        name: &str,
        dir: &Path,
    ) -> Result<(MusicClass, Vec<(String, MediaError)>), MediaError> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let is_wav = path
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("wav"));
            if is_wav && path.is_file() {
                files.push(path);
            }
        }
        files.sort();

        let mut tracks = Vec::with_capacity(files.len());
        let mut skipped = Vec::new();
        for path in files {
            let file_name = path
                .file_name()
                .map(|file_name| file_name.to_string_lossy().into_owned())
                .unwrap_or_default();
            match std::fs::read(&path)
                .map_err(MediaError::from)
                .and_then(|bytes| Prompt::from_wav_bytes(&bytes))
            {
                Ok(track) => tracks.push(track),
                Err(error) => skipped.push((file_name, error)),
            }
        }
        Ok((MusicClass::from_prompts(name, tracks)?, skipped))
    }

    /// Built-in music so hold works out of the box: a gentle few-second
    /// melody of soft sine tones with fades, generated (no file).
    pub fn builtin() -> MusicClass {
        MusicClass {
            name: super::library::DEFAULT_CLASS.to_owned(),
            audio: super::builtin::melody().into(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Length of the loop.
    pub fn duration_ms(&self) -> u64 {
        self.audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE)
    }

    /// The frame everyone on this class hears at `now_ms`: `now_ms / 20`
    /// frames into the loop, modulo its length. Consecutive frames are
    /// consecutive samples, across the loop point too.
    pub fn frame_at(&self, now_ms: u64, out: &mut Frame) {
        let len = self.audio.len() as u64;
        // Reduced before multiplying so that no clock value overflows.
        let frame_index = (now_ms / PTIME_MS) % len;
        let mut position = (frame_index * FRAME_SAMPLES as u64 % len) as usize;
        let mut filled = 0;
        // A loop shorter than a frame wraps more than once.
        while filled < FRAME_SAMPLES {
            let taken = (self.audio.len() - position).min(FRAME_SAMPLES - filled);
            out[filled..filled + taken].copy_from_slice(&self.audio[position..position + taken]);
            filled += taken;
            position = 0;
        }
    }
}

/// A summary: the samples would flood any log they were printed to.
impl fmt::Debug for MusicClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MusicClass")
            .field("name", &self.name)
            .field("duration_ms", &self.duration_ms())
            .finish()
    }
}
