//! The recordings' storage task (MISSION R5), once at start and then every
//! minute:
//!
//! 1. archive: copy each recording not archived yet to the archive folder
//!    (same relative path), read the copy back and compare its SHA-256 with
//!    the row's, then mark it archived, or record why not (retried the next
//!    round);
//! 2. retention: remove local files older than `recording_retention_days`,
//!    only once archived when an archive is configured, and mark them
//!    deleted (the row stays, and the archive copy still plays);
//! 3. space: measure the recordings folder's free space and raise the
//!    console's low-space warning below `recording_min_free_mb` (a `warn!`
//!    when it is raised, an `info!` when it clears);
//! 4. forget recording exports older than an hour.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sb_api::media_dirs::{available_bytes, remove_stale_exports};
use sb_api::{AppState, LowSpace};
use sb_store::Store;
use sb_store::recordings::{self, Recording};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::task::JoinHandle;

/// How often the task runs.
const PERIOD: Duration = Duration::from_secs(60);
/// Rows read per query; a backlog is walked in batches of this size.
const BATCH: i64 = 200;

/// What one round did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub archived: usize,
    pub archive_failed: usize,
    pub deleted: usize,
    pub low_space: Option<LowSpace>,
}

/// Creates the media folders, removes exports a previous run left, and
/// starts the task.
pub fn spawn(state: AppState) -> anyhow::Result<JoinHandle<()>> {
    let dirs = state.media_dirs();
    dirs.create_all().map_err(|e| {
        anyhow::anyhow!(
            "creating the media folders under {}: {e}",
            dirs.recordings.display()
        )
    })?;
    match remove_stale_exports(&dirs.tmp) {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "recording exports of the previous run removed"),
        Err(e) => tracing::warn!(error = %e, "could not clear old recording exports"),
    }
    Ok(tokio::spawn(async move {
        let mut tick = tokio::time::interval(PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let round = run_round(&state, state.now()).await;
            if round.archived + round.archive_failed + round.deleted > 0 {
                tracing::info!(
                    archived = round.archived,
                    archive_failed = round.archive_failed,
                    deleted = round.deleted,
                    "recording storage round"
                );
            }
        }
    }))
}

/// One round of archive, retention, space check and export clean-up.
pub async fn run_round(state: &AppState, now: OffsetDateTime) -> Round {
    let mut round = Round::default();
    if let Err(e) = archive(state, now, &mut round).await {
        tracing::warn!(error = %e, "recording archive round stopped");
    }
    if let Err(e) = apply_retention(state, now, &mut round).await {
        tracing::warn!(error = %e, "recording retention round stopped");
    }
    round.low_space = check_space(state).await;
    state.exports().sweep(now);
    round
}

async fn archive(state: &AppState, now: OffsetDateTime, round: &mut Round) -> sb_store::Result<()> {
    let dirs = state.media_dirs();
    let Some(archive_root) = dirs.archive.clone() else {
        return Ok(());
    };
    let store = state.store();
    let mut after = 0;
    loop {
        let batch = recordings::list_unarchived(store, after, BATCH).await?;
        for recording in &batch {
            after = recording.id;
            let source = dirs.recordings.join(&recording.file);
            let target = archive_root.join(&recording.file);
            let expected = recording.sha256.clone();
            let copied =
                tokio::task::spawn_blocking(move || copy_verified(&source, &target, &expected))
                    .await
                    .unwrap_or_else(|e| Err(format!("copy task failed: {e}")));
            match copied {
                Ok(()) => {
                    recordings::mark_archived(store, recording.id, now).await?;
                    round.archived += 1;
                }
                Err(reason) => {
                    report_failure(recording, &reason);
                    recordings::mark_archive_failed(store, recording.id, &reason).await?;
                    round.archive_failed += 1;
                }
            }
        }
        if batch.len() < BATCH as usize {
            return Ok(());
        }
    }
}

/// Logs an archive failure the first time it happens to a recording, not
/// at every retry.
fn report_failure(recording: &Recording, reason: &str) {
    if recording.archive_error.as_deref() != Some(reason) {
        tracing::warn!(
            recording = recording.id,
            file = %recording.file,
            reason,
            "recording not archived"
        );
    }
}

/// Copies `source` to `target` through a temporary file, reads the copy
/// back and keeps it only if its SHA-256 is `expected`.
fn copy_verified(source: &Path, target: &Path, expected: &str) -> Result<(), String> {
    let partial = partial_path(target);
    let outcome = (|| {
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut from = std::fs::File::open(source).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                "the local file is missing".to_owned()
            } else {
                format!("cannot read the local file: {e}")
            }
        })?;
        let mut to = std::fs::File::create(&partial)
            .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
        io::copy(&mut from, &mut to).map_err(|e| format!("copy failed: {e}"))?;
        to.flush()
            .and_then(|()| to.sync_all())
            .map_err(|e| format!("copy failed: {e}"))?;
        drop(to);
        let copied = sha256_of(&partial).map_err(|e| format!("cannot read the copy back: {e}"))?;
        if !copied.eq_ignore_ascii_case(expected) {
            return Err(format!(
                "checksum mismatch: the copy hashes to {copied}, the recording was written as {expected}"
            ));
        }
        std::fs::rename(&partial, target).map_err(|e| format!("cannot place the copy: {e}"))
    })();
    if outcome.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    outcome
}

fn partial_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.part"))
}

fn sha256_of(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

async fn apply_retention(
    state: &AppState,
    now: OffsetDateTime,
    round: &mut Round,
) -> sb_store::Result<()> {
    let days = state.config().recording_policy.retention_days;
    if days == 0 {
        return Ok(());
    }
    let dirs = state.media_dirs();
    let before = now - time::Duration::days(i64::from(days));
    // With an archive, a local file goes only once its copy is verified.
    let archived_only = dirs.archive.is_some();
    let store: &Store = state.store();
    loop {
        let batch = recordings::list_expired(store, before, archived_only, BATCH).await?;
        let mut removed = 0;
        for recording in &batch {
            let root = dirs.recordings.clone();
            let file = recording.file.clone();
            let gone = tokio::task::spawn_blocking(move || remove_local(&root, &file))
                .await
                .unwrap_or_else(|e| Err(io::Error::other(e)));
            match gone {
                Ok(()) => {
                    recordings::mark_deleted(store, recording.id, now).await?;
                    removed += 1;
                }
                Err(e) => tracing::warn!(
                    recording = recording.id,
                    error = %e,
                    "retention could not remove a recording"
                ),
            }
        }
        round.deleted += removed;
        // A short batch is the end; a batch where nothing could be removed
        // would come back the same, so stop until the next round.
        if batch.len() < BATCH as usize || removed == 0 {
            return Ok(());
        }
    }
}

/// Removes a local recording (already gone is fine) and the day, month and
/// year folders it leaves empty.
fn remove_local(root: &Path, file: &str) -> io::Result<()> {
    if !sb_api::media_dirs::is_plain_relative(file) {
        return Err(io::Error::other(format!("refusing to remove `{file}`")));
    }
    let path = root.join(file);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == root || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

async fn check_space(state: &AppState) -> Option<LowSpace> {
    let root = state.media_dirs().recordings.clone();
    let min_free_bytes = state.config().recording_policy.min_free_bytes;
    let measured = tokio::task::spawn_blocking(move || available_bytes(&root))
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)));
    let free_bytes = match measured {
        Ok(free) => free,
        Err(e) => {
            tracing::warn!(error = %e, "cannot measure the recordings folder's free space");
            return state.storage_alarm().low_space();
        }
    };
    let low = (free_bytes < min_free_bytes).then_some(LowSpace {
        free_bytes,
        min_free_bytes,
    });
    if state.storage_alarm().update(low) {
        match low {
            Some(_) => tracing::warn!(
                free_mb = free_bytes / (1024 * 1024),
                min_free_mb = min_free_bytes / (1024 * 1024),
                folder = %state.media_dirs().recordings.display(),
                "recordings folder is low on space"
            ),
            None => tracing::info!(
                free_mb = free_bytes / (1024 * 1024),
                "recordings folder has enough space again"
            ),
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sb_api::{ApiConfig, ManualClock, MediaDirs, RecordingPolicy};
    use sb_store::recordings::NewRecording;
    use sb_store::{Direction, Store};
    use time::macros::datetime;

    use super::*;

    const T0: OffsetDateTime = datetime!(2026-11-24 09:00 UTC);

    struct Setup {
        _dir: tempfile::TempDir,
        state: AppState,
        dirs: MediaDirs,
    }

    async fn setup(archive: bool, policy: RecordingPolicy) -> Setup {
        let dir = tempfile::tempdir().expect("tmp");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let mut dirs = MediaDirs::under(dir.path());
        if archive {
            dirs.archive = Some(dir.path().join("archive"));
        }
        dirs.create_all().expect("dirs");
        let config = ApiConfig {
            media_dirs: dirs.clone(),
            recording_policy: policy,
            ..ApiConfig::default()
        };
        let state = AppState::new(store, Arc::new(ManualClock::new(T0)), config).expect("state");
        Setup {
            _dir: dir,
            state,
            dirs,
        }
    }

    fn hex_sha256(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Writes a recording file `days` days before T0 and its row.
    async fn recorded(s: &Setup, name: &str, days: i64, content: &[u8], sha: Option<&str>) -> i64 {
        let started = T0 - time::Duration::days(days);
        let file = format!("2026/11/{:02}/{name}.wav", 24 - days);
        let path = s.dirs.recordings.join(&file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write");
        let recording = NewRecording {
            call_id: name.into(),
            direction: Direction::Internal,
            caller: "1001".into(),
            callee: "1002".into(),
            agent_extension: Some("1001".into()),
            trunk_id: None,
            trunk_name: String::new(),
            started_at: started,
            ended_at: started + time::Duration::seconds(30),
            duration_ms: 30_000,
            layout: "stereo".into(),
            file,
            size_bytes: content.len() as i64,
            sha256: sha.map_or_else(|| hex_sha256(content), str::to_owned),
        };
        recordings::insert(s.state.store(), &recording)
            .await
            .expect("insert")
    }

    fn no_alarm() -> RecordingPolicy {
        RecordingPolicy {
            retention_days: 0,
            min_free_bytes: 0,
        }
    }

    #[tokio::test]
    async fn archive_copies_verify_their_checksum() {
        let s = setup(true, no_alarm()).await;
        let good = recorded(&s, "good", 0, b"RIFF good audio", None).await;
        let bad = recorded(&s, "bad", 0, b"RIFF tampered", Some(&"0".repeat(64))).await;
        let round = run_round(&s.state, T0).await;
        assert_eq!((round.archived, round.archive_failed), (1, 1));

        let archived = recordings::get(s.state.store(), good).await.expect("get");
        assert_eq!(archived.archived_at, Some(T0));
        let copy = s
            .dirs
            .archive
            .as_ref()
            .expect("archive")
            .join(&archived.file);
        assert_eq!(std::fs::read(copy).expect("copy"), b"RIFF good audio");

        let failed = recordings::get(s.state.store(), bad).await.expect("get");
        assert!(failed.archived_at.is_none());
        let reason = failed.archive_error.expect("reason");
        assert!(reason.starts_with("checksum mismatch"), "{reason}");
        let not_kept = s.dirs.archive.as_ref().expect("archive").join(&failed.file);
        assert!(
            !not_kept.exists(),
            "a copy that does not verify is not kept"
        );
        assert!(
            std::fs::read_dir(not_kept.parent().expect("dir"))
                .expect("dir")
                .all(|e| !e
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".part")),
            "no partial file left"
        );

        let again = run_round(&s.state, T0).await;
        assert_eq!(
            (again.archived, again.archive_failed),
            (0, 1),
            "the failed one is retried, the archived one left alone"
        );
    }

    #[tokio::test]
    async fn retention_removes_only_archived_files() {
        let policy = RecordingPolicy {
            retention_days: 7,
            min_free_bytes: 0,
        };
        let s = setup(true, policy).await;
        let old_archived = recorded(&s, "old-archived", 10, b"old one", None).await;
        let old_unarchivable = recorded(&s, "old-bad", 9, b"old two", Some(&"0".repeat(64))).await;
        let recent = recorded(&s, "recent", 1, b"recent", None).await;
        let round = run_round(&s.state, T0).await;
        assert_eq!(round.archived, 2);
        assert_eq!(round.deleted, 1, "only the archived old one goes");

        let gone = recordings::get(s.state.store(), old_archived)
            .await
            .expect("get");
        assert_eq!(gone.deleted_at, Some(T0));
        assert!(!s.dirs.recordings.join(&gone.file).exists());
        assert!(
            !s.dirs.recordings.join("2026/11/14").exists(),
            "the emptied day folder goes too"
        );
        assert!(
            s.dirs.recording_file(&gone.file).is_some(),
            "it still plays from the archive"
        );
        let kept = recordings::get(s.state.store(), old_unarchivable)
            .await
            .expect("get");
        assert!(kept.deleted_at.is_none(), "never the last copy");
        assert!(s.dirs.recordings.join(&kept.file).exists());
        let fresh = recordings::get(s.state.store(), recent).await.expect("get");
        assert!(fresh.deleted_at.is_none());
    }

    #[tokio::test]
    async fn retention_without_archive_removes_old_files() {
        let policy = RecordingPolicy {
            retention_days: 7,
            min_free_bytes: 0,
        };
        let s = setup(false, policy).await;
        let old = recorded(&s, "old", 8, b"old", None).await;
        let recent = recorded(&s, "recent", 2, b"recent", None).await;
        let round = run_round(&s.state, T0).await;
        assert_eq!((round.archived, round.deleted), (0, 1));
        let old = recordings::get(s.state.store(), old).await.expect("get");
        assert_eq!(old.deleted_at, Some(T0));
        assert!(s.dirs.recording_file(&old.file).is_none());
        let recent = recordings::get(s.state.store(), recent).await.expect("get");
        assert!(recent.deleted_at.is_none());
    }

    #[tokio::test]
    async fn low_space_raises_and_clears_the_warning() {
        let huge = RecordingPolicy {
            retention_days: 0,
            min_free_bytes: u64::MAX,
        };
        let s = setup(false, huge).await;
        let round = run_round(&s.state, T0).await;
        let low = round.low_space.expect("no disk has u64::MAX bytes free");
        assert_eq!(low.min_free_bytes, u64::MAX);
        assert_eq!(s.state.storage_alarm().low_space(), Some(low));
        let again = run_round(&s.state, T0).await;
        assert!(again.low_space.is_some(), "stays raised while low");

        let fine = setup(false, no_alarm()).await;
        // The same alarm object clears when space is enough again.
        fine.state.storage_alarm().update(Some(low));
        let round = run_round(&fine.state, T0).await;
        assert_eq!(round.low_space, None);
        assert_eq!(fine.state.storage_alarm().low_space(), None);
    }
}
