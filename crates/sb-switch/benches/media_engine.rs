//! The media engine under load, without SIP: CALLS bridged G.711 calls
//! (each phone sends 50 packets/s, both ways), optionally each recorded to a
//! stereo WAV, for SECONDS. One load thread plays every phone: all callers
//! send from one socket and all callees from another (each leg latches on
//! the address its first packet comes from, as with real phones), and it
//! counts what the engine relays back. Reports the media threads' and the
//! writer's CPU, memory per call, loss, and the recorder's figures.
//!
//!   CALLS=2000 SECONDS=20 RECORD=1 cargo bench -p sb-switch --bench media_engine

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sb_media::codec::Codec;
use sb_media::recorder::Layout;
use sb_media::session::LegMedia;
use sb_switch::media::{MediaEngine, SessionCommand};
use sb_switch::ports::PortPool;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU seconds used so far by this process's threads whose name starts with `prefix`.
fn thread_cpu(prefix: &str) -> f64 {
    let ticks = 100.0; // USER_HZ on Linux
    let mut total = 0.0;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    for task in tasks.flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !name.trim().starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let user: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let system: f64 = fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        total += (user + system) / ticks;
    }
    total
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn packet(ssrc: u32, sequence: u16) -> [u8; 172] {
    let mut p = [0xffu8; 172];
    p[0] = 0x80;
    p[1] = 0;
    p[2..4].copy_from_slice(&sequence.to_be_bytes());
    p[4..8].copy_from_slice(&(u32::from(sequence) * 160).to_be_bytes());
    p[8..12].copy_from_slice(&ssrc.to_be_bytes());
    // A quiet ramp, so the recording is not all silence.
    for (i, byte) in p[12..].iter_mut().enumerate() {
        *byte = 0x70 + (i % 16) as u8;
    }
    p
}

fn main() {
    let calls = env("CALLS", 2000) as usize;
    let seconds = env("SECONDS", 20);
    let record = env("RECORD", 1) == 1;
    let threads = env("MEDIA_THREADS", 2) as usize;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _guard = runtime.enter();
    let ip = IpAddr::from([127, 0, 0, 1]);
    let dir = tempfile::tempdir().expect("temp dir");
    let idle_rss = rss_kb();
    let engine = MediaEngine::start(threads).expect("engine");
    let pool = Arc::new(PortPool::parse("20000-29999").expect("ports"));
    let callers = UdpSocket::bind((ip, 0)).expect("bind");
    let callees = UdpSocket::bind((ip, 0)).expect("bind");
    for socket in [&callers, &callees] {
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
    }
    let caller_addr = callers.local_addr().expect("addr");
    let callee_addr = callees.local_addr().expect("addr");
    let mut targets: Vec<(SocketAddr, SocketAddr)> = Vec::with_capacity(calls);
    let mut handles = Vec::with_capacity(calls);
    for call in 0..calls {
        let a = pool.bind_pair(ip).expect("port pair");
        let b = pool.bind_pair(ip).expect("port pair");
        targets.push((SocketAddr::new(ip, a.port), SocketAddr::new(ip, b.port)));
        let (handle, events) = engine.open(vec![
            (a, LegMedia::new(Some(caller_addr), Codec::Pcmu)),
            (b, LegMedia::new(Some(callee_addr), Codec::Pcmu)),
        ]);
        handle.command(SessionCommand::Bridge(0, 1));
        if record {
            handle.command(SessionCommand::StartRecording {
                path: dir.path().join(format!("{call}.wav")),
                layout: Layout::Stereo,
                caller: 0,
                agent: 1,
            });
        }
        handles.push((handle, events));
    }
    let sent = Arc::new(AtomicU64::new(0));
    let received = Arc::new(AtomicU64::new(0));
    let running = Arc::new(AtomicBool::new(true));
    std::thread::scope(|s| {
        for socket in [&callers, &callees] {
            let (received, running) = (received.clone(), running.clone());
            s.spawn(move || {
                let mut buf = [0u8; 2048];
                while running.load(Ordering::Relaxed) {
                    if socket.recv_from(&mut buf).is_ok() {
                        received.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
        let started = Instant::now();
        let mut window = None;
        let mut sequence = 0u16;
        loop {
            let tick_start = Instant::now();
            for (call, (to_caller_side, to_callee_side)) in targets.iter().enumerate() {
                let _ = callers.send_to(&packet(call as u32 * 2, sequence), to_caller_side);
                let _ = callees.send_to(&packet(call as u32 * 2 + 1, sequence), to_callee_side);
            }
            sent.fetch_add(2 * calls as u64, Ordering::Relaxed);
            sequence = sequence.wrapping_add(1);
            let elapsed = started.elapsed();
            if window.is_none() && elapsed >= Duration::from_secs(5) {
                window = Some((
                    Instant::now(),
                    thread_cpu("media-"),
                    thread_cpu("recording-"),
                    engine.counters.relayed.load(Ordering::Relaxed),
                    rss_kb(),
                ));
            }
            if elapsed >= Duration::from_secs(seconds) {
                break;
            }
            if let Some(rest) = Duration::from_millis(20).checked_sub(tick_start.elapsed()) {
                std::thread::sleep(rest);
            }
        }
        let (t0, media0, writer0, relayed0, busy_rss) = window.expect("run SECONDS > 5");
        let wall = t0.elapsed().as_secs_f64();
        let media_cpu = (thread_cpu("media-") - media0) / wall;
        let writer_cpu = (thread_cpu("recording-") - writer0) / wall;
        let relayed = engine.counters.relayed.load(Ordering::Relaxed) - relayed0;
        std::thread::sleep(Duration::from_millis(300));
        running.store(false, Ordering::Relaxed);
        let c = &engine.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let total_sent = sent.load(Ordering::Relaxed);
        let total_received = received.load(Ordering::Relaxed);
        let per_call = (media_cpu + writer_cpu) * 100.0 / calls as f64;
        println!("| figure | value |");
        println!("|---|---|");
        println!(
            "| calls (bridged G.711, {} recorded) | {calls} |",
            if record { "all" } else { "none" }
        );
        println!("| media threads | {threads} |");
        println!(
            "| packets relayed per second | {:.0} |",
            relayed as f64 / wall
        );
        println!(
            "| media threads' CPU | {:.0}% of one core |",
            media_cpu * 100.0
        );
        println!(
            "| recording writer's CPU | {:.0}% of one core |",
            writer_cpu * 100.0
        );
        println!("| CPU per call | {per_call:.4}% of one core |");
        println!(
            "| memory per call | {:.0} KB ({} MB idle, {} MB busy) |",
            (busy_rss.saturating_sub(idle_rss)) as f64 / calls as f64,
            idle_rss / 1024,
            busy_rss / 1024
        );
        println!(
            "| packets sent / relayed back and received | {total_sent} / {total_received} ({:.3}% not back) |",
            (total_sent.saturating_sub(total_received)) as f64 / total_sent.max(1) as f64 * 100.0
        );
        let (in_engine, out_engine) = (load(&c.received), load(&c.relayed));
        println!(
            "| engine: packets received / relayed (whole run) | {in_engine} / {out_engine} ({} not relayed) |",
            in_engine.saturating_sub(out_engine)
        );
        println!(
            "| dropped: wrong source / SSRC / malformed | {} / {} / {} |",
            load(&c.dropped_source),
            load(&c.dropped_ssrc),
            load(&c.malformed)
        );
        println!("| sends refused by the kernel | {} |", load(&c.send_errors));
        println!("| ticks more than 20 ms late | {} |", load(&c.late_ticks));
        println!(
            "| recorded bytes / writer backlog at the end | {} / {} chunks |",
            load(&c.recorded_bytes),
            load(&c.recorder_backlog)
        );
    });
    drop(handles);
    std::thread::sleep(Duration::from_secs(2));
    let c = &engine.counters;
    println!(
        "| recordings finished / failed | {} / {} |",
        c.recordings_finished.load(Ordering::Relaxed),
        c.recording_failures.load(Ordering::Relaxed)
    );
    engine.shutdown();
}
