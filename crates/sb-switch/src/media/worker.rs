//! One media thread: every socket of its sessions on one poll, every
//! session's tick on one wheel.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, mpsc};
use std::time::{Duration, Instant};

use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token, Waker};
use sb_media::frame::PTIME_MS;
use sb_media::moh::{MusicClass, MusicLibrary};
use sb_media::session::{Hearing, LegMedia, MediaSession, Outbound, SessionStats};
use sb_media::wheel::TimerWheel;
use tokio::sync::mpsc as async_mpsc;
use tracing::{debug, warn};

use super::writer::{RecordingQueue, WriterCommand};
use super::{Command, EngineEvent, MediaCounters, SessionCommand, WorkerHandle};
use crate::error::SwitchError;
use crate::ports::{PortLease, PortPair};

const WAKER: Token = Token(usize::MAX);
use super::MAX_LEGS;
/// Recorded audio is handed to the writer in chunks of about half a second
/// of stereo audio, not per frame.
const RECORDING_CHUNK: usize = 16 * 1024;
/// Past this much lateness a session's tick skips ahead instead of catching
/// up (a stall that long has already cost the jitter buffer its frames).
const MAX_CATCH_UP_MS: u64 = 1000;
const WHEEL_SLOT_MS: u64 = 5;
/// Packets read from one socket before the others get their turn: a flood
/// on one port must not starve the other calls of the thread.
const READ_BUDGET: usize = 64;

struct LegSockets {
    rtp: UdpSocket,
    rtcp: UdpSocket,
    _lease: PortLease,
}

struct Entry {
    key: u64,
    generation: u64,
    session: MediaSession,
    sockets: Vec<LegSockets>,
    events: async_mpsc::UnboundedSender<EngineEvent>,
    ticking: bool,
    recording: bool,
    reported: SessionStats,
}

pub(super) struct Worker {
    index: usize,
    poll: Poll,
    commands: mpsc::Receiver<Command>,
    slots: Vec<Option<Entry>>,
    free: Vec<usize>,
    by_key: HashMap<u64, usize>,
    wheel: TimerWheel<(usize, u64)>,
    epoch: Instant,
    counters: Arc<MediaCounters>,
    recordings: RecordingQueue,
    music: Arc<RwLock<MusicLibrary>>,
    sessions: Arc<AtomicUsize>,
    generation: u64,
    last_report_ms: u64,
    /// Sockets left readable when their budget ran out, read again next turn.
    unfinished: Vec<Token>,
}

impl Worker {
    pub(super) fn new(
        index: usize,
        epoch: Instant,
        counters: Arc<MediaCounters>,
        recordings: RecordingQueue,
        music: Arc<RwLock<MusicLibrary>>,
    ) -> Result<(Worker, WorkerHandle), SwitchError> {
        let poll = Poll::new().map_err(SwitchError::Io)?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER).map_err(SwitchError::Io)?);
        let (sender, commands) = mpsc::channel();
        let sessions = Arc::new(AtomicUsize::new(0));
        let now = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(0);
        Ok((
            Worker {
                index,
                poll,
                commands,
                slots: Vec::new(),
                free: Vec::new(),
                by_key: HashMap::new(),
                wheel: TimerWheel::new(WHEEL_SLOT_MS, PTIME_MS, now),
                epoch,
                counters,
                recordings,
                music,
                sessions: sessions.clone(),
                generation: 0,
                last_report_ms: now,
                unfinished: Vec::new(),
            },
            WorkerHandle {
                commands: sender,
                waker,
                sessions,
            },
        ))
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(super) fn run(mut self) {
        let mut events = Events::with_capacity(1024);
        let mut buffer = vec![0u8; 2048];
        let mut fired = Vec::new();
        loop {
            let now = self.now_ms();
            let timeout = if self.unfinished.is_empty() {
                self.wheel
                    .next_due()
                    .map(|due| Duration::from_millis(due.saturating_sub(now)))
                    .unwrap_or(Duration::from_millis(1000))
            } else {
                Duration::ZERO
            };
            if let Err(error) = self.poll.poll(&mut events, Some(timeout))
                && error.kind() != ErrorKind::Interrupted
            {
                warn!(%error, worker = self.index, "media poll failed");
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
            for token in std::mem::take(&mut self.unfinished) {
                self.read_ready(token, &mut buffer);
            }
            for event in events.iter() {
                if event.token() == WAKER {
                    continue;
                }
                self.read_ready(event.token(), &mut buffer);
            }
            if !self.take_commands() {
                return;
            }
            let now = self.now_ms();
            fired.clear();
            self.wheel.advance(now, &mut fired);
            for (due, (slot, generation)) in fired.drain(..) {
                self.tick(slot, generation, due, now);
            }
            if now >= self.last_report_ms + 1000 {
                self.last_report_ms = now;
                for entry in self.slots.iter_mut().flatten() {
                    report(&self.counters, entry);
                }
            }
        }
    }

    /// Runs every queued command; false once told to shut down.
    fn take_commands(&mut self) -> bool {
        while let Ok(command) = self.commands.try_recv() {
            match command {
                Command::Open { key, legs, events } => self.open(key, legs, events),
                Command::Session(key, command) => {
                    if let Some(&slot) = self.by_key.get(&key) {
                        self.apply(slot, command);
                    }
                }
                Command::Close(key) => self.close(key),
                Command::Shutdown => {
                    let keys: Vec<u64> = self.by_key.keys().copied().collect();
                    for key in keys {
                        self.close(key);
                    }
                    return false;
                }
            }
        }
        true
    }

    fn open(
        &mut self,
        key: u64,
        legs: Vec<(PortPair, LegMedia)>,
        events: async_mpsc::UnboundedSender<EngineEvent>,
    ) {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.slots.len() - 1
        });
        self.generation += 1;
        let seed = (key as u32) ^ (self.generation as u32).rotate_left(16) ^ random_u32();
        let entry = Entry {
            key,
            generation: self.generation,
            session: MediaSession::new(seed),
            sockets: Vec::new(),
            events,
            ticking: false,
            recording: false,
            reported: SessionStats::default(),
        };
        self.slots[slot] = Some(entry);
        self.by_key.insert(key, slot);
        self.sessions.fetch_add(1, Ordering::Relaxed);
        for (pair, media) in legs {
            self.add_leg(slot, pair, media);
        }
    }

    fn add_leg(&mut self, slot: usize, pair: PortPair, media: LegMedia) {
        let Some(entry) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let leg = entry.sockets.len();
        if leg >= MAX_LEGS {
            warn!(
                worker = self.index,
                "session has too many legs: leg refused"
            );
            return;
        }
        let PortPair {
            rtp, rtcp, lease, ..
        } = pair;
        let mut rtp = UdpSocket::from_std(rtp);
        let mut rtcp = UdpSocket::from_std(rtcp);
        let registry = self.poll.registry();
        let registered = registry
            .register(&mut rtp, token(slot, leg, false), Interest::READABLE)
            .and_then(|()| {
                registry.register(&mut rtcp, token(slot, leg, true), Interest::READABLE)
            });
        if let Err(error) = registered {
            warn!(%error, "could not watch an RTP socket");
        }
        entry.sockets.push(LegSockets {
            rtp,
            rtcp,
            _lease: lease,
        });
        entry.session.add_leg(media);
    }

    fn apply(&mut self, slot: usize, command: SessionCommand) {
        if let SessionCommand::AddLeg(pair, media) = command {
            self.add_leg(slot, pair, media);
            return;
        }
        let Some(entry) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let session = &mut entry.session;
        match command {
            SessionCommand::AddLeg(..) => {}
            SessionCommand::UpdateLeg(leg, media) => session.update_leg(leg, media),
            SessionCommand::Bridge(a, b) => session.bridge(a, b),
            SessionCommand::Hear(leg, hearing) => session.hear(leg, hearing),
            SessionCommand::HearMusic(leg, class) => {
                let music = match self.music.read() {
                    Ok(library) => library.get(&class),
                    Err(_) => Arc::new(MusicClass::builtin()),
                };
                session.hear(leg, Hearing::Music(music));
            }
            SessionCommand::Play {
                leg,
                prompts,
                barge_in,
            } => session.play(leg, prompts, barge_in),
            SessionCommand::StopPlaying(leg) => session.stop_playing(leg),
            SessionCommand::DetectInband(leg, on) => session.detect_inband(leg, on),
            SessionCommand::JoinMixer(leg, membership) => session.join_mixer(leg, membership),
            SessionCommand::LeaveMixer(leg, then) => session.leave_mixer(leg, then),
            SessionCommand::StartRecording {
                path,
                layout,
                caller,
                agent,
            } => {
                if !entry.recording {
                    entry.recording = true;
                    self.recordings.send(WriterCommand::Create {
                        key: entry.key,
                        path,
                        layout,
                        events: entry.events.clone(),
                    });
                    session.start_recording(layout, caller, agent);
                }
            }
            SessionCommand::PauseRecording(paused) => session.pause_recording(paused),
            SessionCommand::StopRecording => finish_recording(entry, &self.recordings),
        }
        flush_events(entry);
        self.schedule(slot);
    }

    /// Puts a session that now needs ticks on the wheel, spread over the
    /// slots of a packet time by its key.
    fn schedule(&mut self, slot: usize) {
        let now = self.now_ms();
        let Some(entry) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        if entry.ticking || !entry.session.needs_tick() {
            return;
        }
        entry.ticking = true;
        let phase = (entry.key % (PTIME_MS / WHEEL_SLOT_MS)) * WHEEL_SLOT_MS;
        let due = now - now % PTIME_MS + PTIME_MS + phase;
        self.wheel.insert(due, (slot, entry.generation));
    }

    fn tick(&mut self, slot: usize, generation: u64, due: u64, now: u64) {
        let Some(entry) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        if entry.generation != generation {
            return;
        }
        if !entry.session.needs_tick() {
            entry.ticking = false;
            return;
        }
        let Entry {
            session, sockets, ..
        } = entry;
        session.tick(due, &mut |out| send(sockets, &self.counters, out));
        if let Some(bytes) = entry.session.take_recorded(RECORDING_CHUNK) {
            self.recordings.send(WriterCommand::Append {
                key: entry.key,
                bytes,
            });
        }
        flush_events(entry);
        let mut next = due + PTIME_MS;
        if now > due + PTIME_MS {
            self.counters.late_ticks.fetch_add(1, Ordering::Relaxed);
            if now > due + MAX_CATCH_UP_MS {
                next = now - now % PTIME_MS + PTIME_MS + due % PTIME_MS;
            }
        }
        self.wheel.insert(next, (slot, generation));
    }

    fn read_ready(&mut self, token: Token, buffer: &mut [u8]) {
        let (slot, leg, rtcp) = parse_token(token);
        let now = self.now_ms();
        let Some(entry) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let Entry {
            session, sockets, ..
        } = entry;
        let mut budget = READ_BUDGET;
        loop {
            if budget == 0 {
                self.unfinished.push(token);
                break;
            }
            budget -= 1;
            let Some(socket) = sockets.get(leg) else {
                return;
            };
            let socket = if rtcp { &socket.rtcp } else { &socket.rtp };
            match socket.recv_from(buffer) {
                Ok((len, source)) => {
                    session.on_packet(now, leg, rtcp, source, &buffer[..len], &mut |out| {
                        send(sockets, &self.counters, out)
                    });
                }
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                Err(error) => {
                    // ICMP port unreachable from a phone that went away shows
                    // up here on Linux; the next read carries on.
                    debug!(%error, "RTP receive error");
                    continue;
                }
            }
        }
        // A packet never makes a session need ticks (only commands do), so
        // the hot path does not ask.
        flush_events(entry);
    }

    fn close(&mut self, key: u64) {
        let Some(slot) = self.by_key.remove(&key) else {
            return;
        };
        let Some(mut entry) = self.slots.get_mut(slot).and_then(Option::take) else {
            return;
        };
        finish_recording(&mut entry, &self.recordings);
        flush_events(&mut entry);
        report(&self.counters, &mut entry);
        for sockets in &mut entry.sockets {
            let _ = self.poll.registry().deregister(&mut sockets.rtp);
            let _ = self.poll.registry().deregister(&mut sockets.rtcp);
        }
        self.free.push(slot);
        self.sessions.fetch_sub(1, Ordering::Relaxed);
    }
}

fn finish_recording(entry: &mut Entry, recordings: &RecordingQueue) {
    if !entry.recording {
        return;
    }
    entry.recording = false;
    if let Some(bytes) = entry.session.stop_recording()
        && !bytes.is_empty()
    {
        recordings.send(WriterCommand::Append {
            key: entry.key,
            bytes,
        });
    }
    recordings.send(WriterCommand::Finish { key: entry.key });
}

fn flush_events(entry: &mut Entry) {
    while let Some(event) = entry.session.poll_event() {
        let _ = entry.events.send(EngineEvent::Media(event));
    }
}

fn report(counters: &MediaCounters, entry: &mut Entry) {
    let now = entry.session.stats();
    counters.add(now, entry.reported);
    entry.reported = now;
}

fn send(sockets: &[LegSockets], counters: &MediaCounters, out: Outbound<'_>) {
    let Some(leg) = sockets.get(out.leg) else {
        return;
    };
    let socket = if out.rtcp { &leg.rtcp } else { &leg.rtp };
    if socket.send_to(out.bytes, out.to).is_err() {
        counters.send_errors.fetch_add(1, Ordering::Relaxed);
    }
}

fn token(slot: usize, leg: usize, rtcp: bool) -> Token {
    Token((slot << 5) | (leg << 1) | usize::from(rtcp))
}

fn parse_token(token: Token) -> (usize, usize, bool) {
    (token.0 >> 5, (token.0 >> 1) & 0xf, token.0 & 1 == 1)
}

fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    let _ = getrandom::getrandom(&mut bytes);
    u32::from_le_bytes(bytes)
}
