//! Where audio lives on disk, and the storage policy for recordings. The
//! binary fills these in from its configuration; tests point them at a
//! temporary folder.

use std::io;
use std::path::{Component, Path, PathBuf};

/// The folders the API reads and writes audio in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDirs {
    /// Call recordings, `YYYY/MM/DD/<file>.wav` below it (the switch writes them).
    pub recordings: PathBuf,
    /// A second copy of every recording, same relative paths; optional.
    pub archive: Option<PathBuf>,
    /// Voice prompts, `<id>.wav`.
    pub prompts: PathBuf,
    /// Music on hold, one folder per class: `<class>/<name>.wav`.
    pub moh: PathBuf,
    /// Scratch space: recording exports in progress and uploads being converted.
    pub tmp: PathBuf,
    /// Files attached to tickets, `YYYY/MM/<ticket id>-<random>` below it.
    pub attachments: PathBuf,
    /// The knowledge base: its search index (`index/`) and the images in
    /// articles (`images/YYYY/MM/<random>`).
    pub knowledge: PathBuf,
}

impl MediaDirs {
    /// The standard layout under the data directory.
    pub fn under(data_dir: &Path) -> MediaDirs {
        MediaDirs {
            recordings: data_dir.join("recordings"),
            archive: None,
            prompts: data_dir.join("prompts"),
            moh: data_dir.join("moh"),
            tmp: data_dir.join("tmp"),
            attachments: data_dir.join("attachments"),
            knowledge: data_dir.join("knowledge"),
        }
    }

    /// Creates every folder that is missing (the archive too, when set).
    pub fn create_all(&self) -> io::Result<()> {
        let mut dirs = vec![
            &self.recordings,
            &self.prompts,
            &self.moh,
            &self.tmp,
            &self.attachments,
            &self.knowledge,
        ];
        dirs.extend(self.archive.as_ref());
        for dir in dirs {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::create_dir_all(self.moh.join(DEFAULT_MUSIC_CLASS))
    }

    /// Where a recording's file is: the local copy if it is still there,
    /// else the archive copy, else `None`. `file` is the stored relative
    /// path; one that is not plain (absolute, `..`) finds nothing.
    pub fn recording_file(&self, file: &str) -> Option<PathBuf> {
        if !is_plain_relative(file) {
            return None;
        }
        std::iter::once(&self.recordings)
            .chain(self.archive.as_ref())
            .map(|root| root.join(file))
            .find(|path| path.is_file())
    }
}

impl Default for MediaDirs {
    fn default() -> Self {
        MediaDirs::under(Path::new("./data"))
    }
}

/// The music class the switch plays when a queue names none; always listed.
pub const DEFAULT_MUSIC_CLASS: &str = "default";

/// How long recordings are kept and how much room they must leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingPolicy {
    /// Local files older than this many days are removed (once archived,
    /// when an archive is configured); 0 keeps them forever.
    pub retention_days: u32,
    /// Below this much free space in the recordings folder an alarm is raised.
    pub min_free_bytes: u64,
}

impl Default for RecordingPolicy {
    fn default() -> Self {
        RecordingPolicy {
            retention_days: 0,
            min_free_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Bytes available to the server in the file system holding `path`.
pub fn available_bytes(path: &Path) -> io::Result<u64> {
    fs4::available_space(path)
}

/// A path of plain names only: joined to a root it stays below it.
pub fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Removes the export zips a previous run left in `tmp` (jobs live in
/// memory, so after a restart nobody can fetch them).
pub fn remove_stale_exports(tmp: &Path) -> io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(tmp) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(crate::recording_export::EXPORT_FILE_PREFIX) {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths() {
        assert!(is_plain_relative("2026/11/24/a.wav"));
        for bad in ["", "/etc/passwd", "../a", "a/../../b", "./a", "a\\b"] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }

    #[test]
    fn recording_falls_back_to_the_archive() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut dirs = MediaDirs::under(dir.path());
        dirs.archive = Some(dir.path().join("archive"));
        dirs.create_all().expect("dirs");
        assert_eq!(dirs.recording_file("a.wav"), None);
        let archived = dir.path().join("archive/a.wav");
        std::fs::write(&archived, b"x").expect("write");
        assert_eq!(dirs.recording_file("a.wav"), Some(archived));
        let local = dir.path().join("recordings/a.wav");
        std::fs::write(&local, b"x").expect("write");
        assert_eq!(dirs.recording_file("a.wav"), Some(local));
        assert_eq!(dirs.recording_file("../recordings/a.wav"), None);
    }
}
