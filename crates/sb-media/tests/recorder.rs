//! Recording: the sans-IO recorder's bytes and the file that survives a crash.

use std::path::Path;

use sb_media::MediaError;
use sha2::{Digest, Sha256};

use sb_media::frame::{FRAME_SAMPLES, Frame};
use sb_media::recorder::{Layout, Recorder, RecordingFile};

/// Frame `index` of one side: distinct on every sample, side and frame.
fn frame(side: i16, index: usize) -> Frame {
    std::array::from_fn(|n| side * 10_000 + ((index * FRAME_SAMPLES + n) % 9_000) as i16)
}

fn caller(index: usize) -> Frame {
    frame(1, index)
}

fn agent(index: usize) -> Frame {
    frame(-2, index)
}

/// All samples of a WAV file, and its (channels, rate, bits).
fn read_wav(path: &Path) -> ((u16, u32, u16), Vec<i16>) {
    let reader = hound::WavReader::open(path).expect("hound opens the file");
    let spec = reader.spec();
    let samples = reader
        .into_samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .expect("every sample reads");
    (
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        samples,
    )
}

/// Records `frames` frames of the test call into a new file.
fn record(path: &Path, layout: Layout, frames: usize) -> (Recorder, RecordingFile) {
    let mut recorder = Recorder::new(layout);
    let mut file = RecordingFile::create(path, layout).expect("create");
    let mut bytes = Vec::new();
    for index in 0..frames {
        bytes.clear();
        recorder.push(&caller(index), &agent(index), &mut bytes);
        file.append(&bytes).expect("append");
    }
    (recorder, file)
}

#[test]
fn stereo_keeps_the_caller_left_and_the_agent_right_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("2024/05/call.wav");
    let (recorder, file) = record(&path, Layout::Stereo, 60);
    assert_eq!(recorder.duration_ms(), 1200);
    assert_eq!(recorder.data_bytes(), 60 * 640);
    let finished = file.finish().expect("finish");
    assert_eq!(finished.duration_ms, 1200);

    let (format, samples) = read_wav(&path);
    assert_eq!(format, (2, 8000, 16));
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let right: Vec<i16> = samples.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(left, (0..60).flat_map(caller).collect::<Vec<_>>());
    assert_eq!(right, (0..60).flat_map(agent).collect::<Vec<_>>());
}

#[test]
fn mono_is_the_clamped_sum() {
    let mut recorder = Recorder::new(Layout::Mono);
    let mut bytes = Vec::new();
    let mut loud_caller = caller(0);
    let mut loud_agent = agent(0);
    (loud_caller[0], loud_agent[0]) = (30_000, 30_000);
    (loud_caller[1], loud_agent[1]) = (-30_000, -30_000);
    (loud_caller[2], loud_agent[2]) = (i16::MAX, i16::MIN);
    recorder.push(&loud_caller, &loud_agent, &mut bytes);
    assert_eq!(bytes.len(), FRAME_SAMPLES * 2);
    assert_eq!(recorder.duration_ms(), 20);

    let samples: Vec<i16> = bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert_eq!(samples[..3], [i16::MAX, i16::MIN, -1]);
    for n in 3..FRAME_SAMPLES {
        assert_eq!(samples[n], loud_caller[n] + loud_agent[n], "sample {n}");
    }

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("mono.wav");
    let (_, file) = record(&path, Layout::Mono, 10);
    file.finish().expect("finish");
    let (format, samples) = read_wav(&path);
    assert_eq!(format, (1, 8000, 16));
    let sums: Vec<i16> = (0..10)
        .flat_map(|index| {
            let (c, a) = (caller(index), agent(index));
            (0..FRAME_SAMPLES).map(move |n| c[n] + a[n])
        })
        .collect();
    assert_eq!(samples, sums);
}

#[test]
fn a_pause_is_recorded_as_silence_of_the_same_length() {
    let mut recorder = Recorder::new(Layout::Stereo);
    let mut bytes = Vec::new();
    for index in 0..5 {
        match index {
            2 => recorder.pause(),
            4 => recorder.resume(),
            _ => {}
        }
        assert_eq!(recorder.is_paused(), (2..4).contains(&index));
        recorder.push(&caller(index), &agent(index), &mut bytes);
    }
    assert_eq!(recorder.duration_ms(), 100, "the pause counts as call time");
    assert_eq!(bytes.len(), 5 * 640);

    let frame_bytes = |index: usize| &bytes[index * 640..(index + 1) * 640];
    assert!(frame_bytes(2).iter().chain(frame_bytes(3)).all(|&b| b == 0));
    let left = |index: usize| {
        let b = frame_bytes(index);
        i16::from_le_bytes([b[0], b[1]])
    };
    assert_eq!(left(1), caller(1)[0]);
    assert_eq!(left(4), caller(4)[0]);
}

#[test]
fn push_reuses_the_callers_buffer() {
    let mut recorder = Recorder::new(Layout::Stereo);
    let mut bytes = Vec::with_capacity(Layout::Stereo.frame_bytes());
    let (pointer, capacity) = (bytes.as_ptr(), bytes.capacity());
    for index in 0..100 {
        bytes.clear();
        recorder.push(&caller(index), &agent(index), &mut bytes);
        assert_eq!((bytes.as_ptr(), bytes.capacity()), (pointer, capacity));
    }
}

#[test]
fn a_killed_writer_leaves_a_readable_wav() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crash.wav");
    // Two and a half refresh intervals: two refreshes happened, the rest is
    // only in the writer's buffer or unannounced in the file.
    let frames = (RecordingFile::HEADER_REFRESH_BYTES * 5 / 2) as usize / 640;
    let (_, file) = record(&path, Layout::Stereo, frames);
    assert!(file.data_bytes() > 2 * RecordingFile::HEADER_REFRESH_BYTES);
    // A crash: no finish, no destructor, no flush.
    std::mem::forget(file);

    let (format, samples) = read_wav(&path);
    assert_eq!(format, (2, 8000, 16));
    let read_bytes = samples.len() as u64 * 2;
    assert!(
        read_bytes >= 2 * RecordingFile::HEADER_REFRESH_BYTES,
        "{read_bytes} bytes readable"
    );
    let left: Vec<i16> = samples.iter().step_by(2).copied().collect();
    let recorded: Vec<i16> = (0..frames).flat_map(caller).collect();
    assert_eq!(left[..], recorded[..left.len()]);
}

#[test]
fn dropping_without_finish_keeps_the_last_refreshed_header() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("dropped.wav");
    let frames = 150;
    let (_, file) = record(&path, Layout::Stereo, frames);
    drop(file);

    let (_, samples) = read_wav(&path);
    let announced = samples.len() as u64 * 2;
    assert_eq!(announced, RecordingFile::HEADER_REFRESH_BYTES);
    assert!(
        announced < frames as u64 * 640,
        "drop did not rewrite the header"
    );
}

#[test]
fn finish_reports_size_duration_and_the_files_sha256() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("done.wav");
    let (_, mut file) = record(&path, Layout::Stereo, 123);
    file.refresh_header().expect("an extra refresh is harmless");
    let finished = file.finish().expect("finish");

    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(finished.path, path);
    assert_eq!(finished.size_bytes, bytes.len() as u64);
    assert_eq!(finished.size_bytes, 44 + 123 * 640);
    assert_eq!(finished.duration_ms, 123 * 20);
    let expected: String = Sha256::digest(&bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(finished.sha256, expected);

    let (_, samples) = read_wav(&path);
    assert_eq!(samples.len(), 123 * FRAME_SAMPLES * 2);
}

#[test]
fn a_recording_never_overwrites_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("taken.wav");
    std::fs::write(&path, b"someone else's").expect("write");
    match RecordingFile::create(&path, Layout::Mono) {
        Err(MediaError::Io(error)) => {
            assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists)
        }
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).expect("read"), b"someone else's");
}

#[test]
fn an_empty_recording_is_a_valid_empty_wav() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("empty.wav");
    let file = RecordingFile::create(&path, Layout::Stereo).expect("create");
    std::mem::forget(file);
    let (format, samples) = read_wav(&path);
    assert_eq!((format, samples.len()), ((2, 8000, 16), 0));
}
