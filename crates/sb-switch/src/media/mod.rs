//! The media engine: a few threads (one per core by default) that own every
//! call's RTP sockets and media session. Each thread waits on one `mio` poll
//! for all its sockets and on one timer wheel for all its sessions' 20 ms
//! ticks, reads each ready socket until it is empty, and answers at once.
//! Call tasks steer their session with commands and hear back through an
//! event channel; recordings go to a writer thread so disk never stalls
//! the media path.

mod counters;
mod worker;
mod writer;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, mpsc};
use std::time::Instant;

use sb_media::mixer::Membership;
use sb_media::moh::MusicLibrary;
use sb_media::prompt::Prompt;
use sb_media::recorder::{FinishedRecording, Layout};
use sb_media::session::{Hearing, LegIndex, LegMedia, MediaEvent};
use tokio::sync::mpsc as async_mpsc;
use tracing::warn;

pub use counters::MediaCounters;

use crate::error::SwitchError;
use crate::ports::PortPair;

/// Legs per session a socket token can name (caller, callee, conference
/// members, supervisors).
pub const MAX_LEGS: usize = 16;

/// What a call task can ask of its media session.
#[derive(Debug)]
pub enum SessionCommand {
    AddLeg(PortPair, LegMedia),
    UpdateLeg(LegIndex, LegMedia),
    Bridge(LegIndex, LegIndex),
    Hear(LegIndex, Hearing),
    /// Music on hold of the named class (the default one if unknown).
    HearMusic(LegIndex, String),
    Play {
        leg: LegIndex,
        prompts: Vec<Prompt>,
        barge_in: bool,
    },
    /// Stops the prompt playing to a leg (it reports PlaybackFinished).
    StopPlaying(LegIndex),
    /// In-band DTMF detection on a leg (for phones without telephone-event).
    DetectInband(LegIndex, bool),
    JoinMixer(LegIndex, Membership),
    LeaveMixer(LegIndex, Hearing),
    StartRecording {
        path: PathBuf,
        layout: Layout,
        caller: LegIndex,
        agent: LegIndex,
    },
    PauseRecording(bool),
    StopRecording,
}

/// What a media session tells its call task.
#[derive(Debug)]
pub enum EngineEvent {
    Media(MediaEvent),
    RecordingFinished(Result<FinishedRecording, String>),
}

#[derive(Debug)]
enum Command {
    Open {
        key: u64,
        legs: Vec<(PortPair, LegMedia)>,
        events: async_mpsc::UnboundedSender<EngineEvent>,
    },
    Session(u64, SessionCommand),
    Close(u64),
    Shutdown,
}

#[derive(Debug, Clone)]
struct WorkerHandle {
    commands: mpsc::Sender<Command>,
    waker: Arc<mio::Waker>,
    sessions: Arc<AtomicUsize>,
}

impl WorkerHandle {
    fn send(&self, command: Command) {
        if self.commands.send(command).is_ok() {
            let _ = self.waker.wake();
        }
    }
}

#[derive(Debug)]
pub struct MediaEngine {
    workers: Vec<WorkerHandle>,
    threads: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>>,
    next_key: AtomicU64,
    pub counters: Arc<MediaCounters>,
    music: Arc<RwLock<MusicLibrary>>,
}

impl MediaEngine {
    /// Starts `threads` media threads (at least one) and the recording writer.
    pub fn start(threads: usize) -> Result<MediaEngine, SwitchError> {
        let counters = Arc::new(MediaCounters::default());
        let epoch = Instant::now();
        let recordings = writer::start(counters.clone())?;
        let music = Arc::new(RwLock::new(MusicLibrary::new()));
        let mut workers = Vec::new();
        let mut handles = Vec::new();
        for index in 0..threads.max(1) {
            let (worker, handle) = worker::Worker::new(
                index,
                epoch,
                counters.clone(),
                recordings.clone(),
                music.clone(),
            )?;
            handles.push(
                std::thread::Builder::new()
                    .name(format!("media-{index}"))
                    .spawn(move || worker.run())
                    .map_err(SwitchError::Io)?,
            );
            workers.push(handle);
        }
        Ok(MediaEngine {
            workers,
            threads: std::sync::Mutex::new(handles),
            next_key: AtomicU64::new(1),
            counters,
            music,
        })
    }

    /// Opens a session for a call with its first legs; the least busy
    /// thread takes it.
    pub fn open(
        &self,
        legs: Vec<(PortPair, LegMedia)>,
    ) -> (MediaHandle, async_mpsc::UnboundedReceiver<EngineEvent>) {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let worker = self
            .workers
            .iter()
            .min_by_key(|w| w.sessions.load(Ordering::Relaxed))
            .cloned()
            .unwrap_or_else(|| self.workers[0].clone());
        let (events, receiver) = async_mpsc::unbounded_channel();
        worker.send(Command::Open { key, legs, events });
        (MediaHandle { key, worker }, receiver)
    }

    pub fn set_music(&self, library: MusicLibrary) {
        match self.music.write() {
            Ok(mut music) => *music = library,
            Err(_) => warn!("music library lock poisoned: keeping the old one"),
        }
    }

    pub fn sessions(&self) -> usize {
        self.workers
            .iter()
            .map(|w| w.sessions.load(Ordering::Relaxed))
            .sum()
    }

    /// Stops the media threads (live sessions are dropped with them).
    pub fn shutdown(&self) {
        for worker in &self.workers {
            worker.send(Command::Shutdown);
        }
        if let Ok(mut threads) = self.threads.lock() {
            for thread in threads.drain(..) {
                let _ = thread.join();
            }
        }
    }
}

/// A call task's grip on its session; dropping it closes the session (and
/// finishes its recording).
#[derive(Debug)]
pub struct MediaHandle {
    key: u64,
    worker: WorkerHandle,
}

impl MediaHandle {
    pub fn command(&self, command: SessionCommand) {
        self.worker.send(Command::Session(self.key, command));
    }

    /// A sender of commands to this session for a helper task (a prompt
    /// rendered in the background); it does not keep the session open.
    pub fn commander(&self) -> SessionCommander {
        SessionCommander {
            key: self.key,
            worker: self.worker.clone(),
        }
    }
}

/// Sends commands to a session without owning it: once the call's
/// [`MediaHandle`] is dropped, its commands are ignored.
#[derive(Debug, Clone)]
pub struct SessionCommander {
    key: u64,
    worker: WorkerHandle,
}

impl SessionCommander {
    pub fn command(&self, command: SessionCommand) {
        self.worker.send(Command::Session(self.key, command));
    }
}

impl Drop for MediaHandle {
    fn drop(&mut self) {
        self.worker.send(Command::Close(self.key));
    }
}
