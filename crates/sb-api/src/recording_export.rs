//! Exporting a selection of recordings as one zip (MISSION R5): a job that
//! copies the WAV files into `<tmp>/export-<job>.zip` on a blocking thread
//! while the console polls its progress.
//!
//! Jobs live in memory: they are short (an hour at most, then the zip is
//! removed) and a restart forgets them, so a restart also removes their
//! files (`media_dirs::remove_stale_exports`). Entries are stored, not
//! compressed: WAV barely compresses and storing keeps a large export as
//! fast as a copy.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::media_dirs::MediaDirs;

/// Export zips are named `export-<job>-<millis>.zip` in the tmp folder.
pub const EXPORT_FILE_PREFIX: &str = "export-";
/// How long a finished export stays fetchable.
pub const EXPORT_LIFETIME: Duration = Duration::hours(1);
/// Exports writing at once; each is a disk-bound copy, and more at a time
/// only makes each slower.
pub const MAX_RUNNING_EXPORTS: usize = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Running,
    Done,
    Failed,
}

/// What the console polls.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportJob {
    pub id: u64,
    pub status: ExportStatus,
    /// Recordings written so far.
    pub done: usize,
    pub total: usize,
    /// Why the export failed.
    pub error: Option<String>,
    /// Recordings whose file was gone from both the recordings folder and
    /// the archive; the zip holds the others.
    pub missing: Vec<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// One recording to put in the zip.
#[derive(Debug, Clone)]
pub struct ExportEntry {
    pub recording_id: i64,
    /// The stored path, relative to the recordings (and archive) root.
    pub file: String,
    /// The readable name inside the zip.
    pub name: String,
    pub started_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportRefusal {
    /// `MAX_RUNNING_EXPORTS` are already writing.
    Busy,
}

#[derive(Debug)]
struct Job {
    owner: i64,
    path: PathBuf,
    state: Arc<Mutex<ExportJob>>,
}

/// The jobs of this process.
#[derive(Debug, Default)]
pub struct ExportJobs {
    jobs: Mutex<HashMap<u64, Job>>,
    next_id: Mutex<u64>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ExportJobs {
    /// Starts writing `entries` for `owner`; returns the job as it starts.
    pub fn start(
        &self,
        owner: i64,
        now: OffsetDateTime,
        dirs: &MediaDirs,
        entries: Vec<ExportEntry>,
    ) -> Result<ExportJob, ExportRefusal> {
        let mut jobs = lock(&self.jobs);
        let running = jobs
            .values()
            .filter(|j| lock(&j.state).status == ExportStatus::Running)
            .count();
        if running >= MAX_RUNNING_EXPORTS {
            return Err(ExportRefusal::Busy);
        }
        let id = {
            let mut next = lock(&self.next_id);
            *next += 1;
            *next
        };
        let millis = now.unix_timestamp_nanos() / 1_000_000;
        let path = dirs
            .tmp
            .join(format!("{EXPORT_FILE_PREFIX}{id}-{millis}.zip"));
        let view = ExportJob {
            id,
            status: ExportStatus::Running,
            done: 0,
            total: entries.len(),
            error: None,
            missing: Vec::new(),
            created_at: now,
        };
        let state = Arc::new(Mutex::new(view.clone()));
        jobs.insert(
            id,
            Job {
                owner,
                path: path.clone(),
                state: state.clone(),
            },
        );
        let dirs = dirs.clone();
        tokio::task::spawn_blocking(move || {
            let written = write_zip(&path, &dirs, &entries, &state);
            let mut job = lock(&state);
            match written {
                Ok(()) => job.status = ExportStatus::Done,
                Err(e) => {
                    tracing::error!(error = %e, path = %path.display(), "recording export failed");
                    job.status = ExportStatus::Failed;
                    job.error = Some("writing the export failed; see the server log".into());
                    let _ = std::fs::remove_file(&path);
                }
            }
        });
        Ok(view)
    }

    /// The job, if it exists and belongs to `owner` (nobody else learns it exists).
    pub fn view(&self, id: u64, owner: i64) -> Option<ExportJob> {
        let jobs = lock(&self.jobs);
        let job = jobs.get(&id).filter(|j| j.owner == owner)?;
        Some(lock(&job.state).clone())
    }

    /// The finished zip of `owner`'s job.
    pub fn file(&self, id: u64, owner: i64) -> Option<(ExportJob, PathBuf)> {
        let jobs = lock(&self.jobs);
        let job = jobs.get(&id).filter(|j| j.owner == owner)?;
        Some((lock(&job.state).clone(), job.path.clone()))
    }

    /// Forgets jobs older than `EXPORT_LIFETIME` and removes their zips.
    /// A job still writing is left alone until it ends.
    pub fn sweep(&self, now: OffsetDateTime) {
        let mut jobs = lock(&self.jobs);
        jobs.retain(|id, job| {
            let state = lock(&job.state);
            let keep =
                state.status == ExportStatus::Running || now - state.created_at < EXPORT_LIFETIME;
            if !keep {
                match std::fs::remove_file(&job.path) {
                    Ok(()) => tracing::debug!(job = id, "expired recording export removed"),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => tracing::warn!(error = %e, "could not remove an expired export"),
                }
            }
            keep
        });
    }
}

/// The zip's timestamp of a recording (UTC; zip has no time zones).
fn zip_time(at: OffsetDateTime) -> DateTime {
    let month: u8 = at.month().into();
    DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980),
        month,
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
    )
    .unwrap_or_default()
}

/// A name not yet used in this zip: duplicates get the recording id.
fn unique_name(used: &mut HashSet<String>, entry: &ExportEntry) -> String {
    let mut name = entry.name.clone();
    if used.contains(&name) {
        let stem = name.strip_suffix(".wav").unwrap_or(&name).to_owned();
        name = format!("{stem}_{}.wav", entry.recording_id);
    }
    used.insert(name.clone());
    name
}

fn write_zip(
    path: &Path,
    dirs: &MediaDirs,
    entries: &[ExportEntry],
    state: &Mutex<ExportJob>,
) -> zip::result::ZipResult<()> {
    let file = File::create(path)?;
    let mut zip = ZipWriter::new(BufWriter::new(file)).set_auto_large_file();
    let mut used = HashSet::new();
    for entry in entries {
        // Resolved now, not when the job started: retention may have moved
        // the recording to its archive copy in between.
        match dirs.recording_file(&entry.file) {
            Some(source) => {
                let options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Stored)
                    .last_modified_time(zip_time(entry.started_at));
                zip.start_file(unique_name(&mut used, entry), options)?;
                let mut source = File::open(source)?;
                io::copy(&mut source, &mut zip)?;
            }
            None => lock(state).missing.push(entry.recording_id),
        }
        lock(state).done += 1;
    }
    zip.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, name: &str) -> ExportEntry {
        ExportEntry {
            recording_id: id,
            file: format!("{id}.wav"),
            name: name.into(),
            started_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn duplicate_names_get_the_recording_id() {
        let mut used = HashSet::new();
        assert_eq!(unique_name(&mut used, &entry(1, "a.wav")), "a.wav");
        assert_eq!(unique_name(&mut used, &entry(2, "a.wav")), "a_2.wav");
        assert_eq!(unique_name(&mut used, &entry(3, "b.wav")), "b.wav");
    }

    #[test]
    fn zip_times_clamp_to_what_zip_can_say() {
        let at = time::macros::datetime!(2026-11-24 10:30:59 UTC);
        let t = zip_time(at);
        assert_eq!((t.year(), t.month(), t.day()), (2026, 11, 24));
        assert_eq!((t.hour(), t.minute(), t.second()), (10, 30, 58));
        assert_eq!(zip_time(OffsetDateTime::UNIX_EPOCH), DateTime::default());
    }
}
