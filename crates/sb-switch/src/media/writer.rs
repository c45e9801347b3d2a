//! The recording writer: one thread that owns every open recording file.
//! Media threads hand it chunks of WAV data (about half a second each) and
//! never touch the disk themselves; the queue is unbounded so a slow disk
//! costs memory (watched in `recorder_backlog`) rather than lost audio.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, mpsc};

use sb_media::recorder::{Layout, RecordingFile};
use tokio::sync::mpsc as async_mpsc;
use tracing::{info, warn};

use super::{EngineEvent, MediaCounters};
use crate::error::SwitchError;

#[derive(Debug)]
pub(crate) enum WriterCommand {
    Create {
        key: u64,
        path: PathBuf,
        layout: Layout,
        events: async_mpsc::UnboundedSender<EngineEvent>,
    },
    Append {
        key: u64,
        bytes: Vec<u8>,
    },
    Finish {
        key: u64,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct RecordingQueue {
    sender: mpsc::Sender<WriterCommand>,
    counters: Arc<MediaCounters>,
}

impl RecordingQueue {
    pub(crate) fn send(&self, command: WriterCommand) {
        self.counters
            .recorder_backlog
            .fetch_add(1, Ordering::Relaxed);
        if self.sender.send(command).is_err() {
            self.counters
                .recorder_backlog
                .fetch_sub(1, Ordering::Relaxed);
            self.counters
                .recording_failures
                .fetch_add(1, Ordering::Relaxed);
        }
    }
}

pub(crate) fn start(counters: Arc<MediaCounters>) -> Result<RecordingQueue, SwitchError> {
    let (sender, receiver) = mpsc::channel();
    let thread_counters = counters.clone();
    std::thread::Builder::new()
        .name("recording-writer".into())
        .spawn(move || run(receiver, thread_counters))
        .map_err(SwitchError::Io)?;
    Ok(RecordingQueue { sender, counters })
}

struct Open {
    file: Option<RecordingFile>,
    events: async_mpsc::UnboundedSender<EngineEvent>,
    error: Option<String>,
}

fn run(commands: mpsc::Receiver<WriterCommand>, counters: Arc<MediaCounters>) {
    let mut open: HashMap<u64, Open> = HashMap::new();
    while let Ok(command) = commands.recv() {
        counters.recorder_backlog.fetch_sub(1, Ordering::Relaxed);
        match command {
            WriterCommand::Create {
                key,
                path,
                layout,
                events,
            } => {
                counters.recordings_started.fetch_add(1, Ordering::Relaxed);
                let (file, error) = match RecordingFile::create(&path, layout) {
                    Ok(file) => (Some(file), None),
                    Err(error) => {
                        warn!(path = %path.display(), %error, "could not create the recording");
                        (None, Some(error.to_string()))
                    }
                };
                open.insert(
                    key,
                    Open {
                        file,
                        events,
                        error,
                    },
                );
            }
            WriterCommand::Append { key, bytes } => {
                let Some(entry) = open.get_mut(&key) else {
                    continue;
                };
                if let Some(file) = entry.file.as_mut() {
                    match file.append(&bytes) {
                        Ok(()) => {
                            counters
                                .recorded_bytes
                                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                        }
                        Err(error) => {
                            warn!(%error, "recording write failed: the file keeps what was written");
                            entry.error = Some(error.to_string());
                            entry.file = None;
                        }
                    }
                }
            }
            WriterCommand::Finish { key } => {
                let Some(entry) = open.remove(&key) else {
                    continue;
                };
                let outcome = match (entry.file, entry.error) {
                    (_, Some(error)) => Err(error),
                    (Some(file), None) => file.finish().map_err(|e| e.to_string()),
                    (None, None) => Err("recording was never opened".to_owned()),
                };
                match &outcome {
                    Ok(done) => {
                        counters.recordings_finished.fetch_add(1, Ordering::Relaxed);
                        info!(path = %done.path.display(), bytes = done.size_bytes, "recording finished");
                    }
                    Err(_) => {
                        counters.recording_failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                let _ = entry.events.send(EngineEvent::RecordingFinished(outcome));
            }
        }
    }
}
