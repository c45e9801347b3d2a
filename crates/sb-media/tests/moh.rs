//! Music on hold: one shared stream per class, folders of WAVs, the builtin.

use std::path::Path;
use std::sync::Arc;

use sb_media::MediaError;
use sb_media::frame::{FRAME_SAMPLES, Frame, PTIME_MS, SILENCE};
use sb_media::moh::{MusicClass, MusicLibrary};
use sb_media::prompt::Prompt;

/// Samples that say where they are: sample `n` holds `base + n`.
fn ramp(base: i16, len: i16) -> Vec<i16> {
    (0..len).map(|n| base + n).collect()
}

fn frame_at(class: &MusicClass, now_ms: u64) -> Frame {
    let mut frame = SILENCE;
    class.frame_at(now_ms, &mut frame);
    frame
}

#[test]
fn listeners_at_the_same_time_hear_the_same_frame() {
    let library = MusicLibrary::new();
    let (first, second) = (library.get("default"), library.clone().get("default"));
    assert!(Arc::ptr_eq(&first, &second), "one decoded buffer, shared");
    for now_ms in [0, 20, 1_000, 3_599_980, 1_700_000_000_000] {
        let heard = frame_at(&first, now_ms);
        assert_eq!(heard, frame_at(&second, now_ms), "at {now_ms} ms");
        // Within a packet time the frame does not change either.
        assert_eq!(
            heard,
            frame_at(&first, now_ms + PTIME_MS - 1 - now_ms % PTIME_MS)
        );
    }
}

#[test]
fn the_loop_wraps_without_a_gap() {
    // 1000 samples is not a whole number of frames: the wrap falls inside
    // a frame, which must hold the end and then the start.
    let samples = ramp(0, 1000);
    let class = MusicClass::from_prompts("ramp", vec![Prompt::from_samples(samples.clone())])
        .expect("class");
    assert_eq!(class.duration_ms(), 125);

    let heard: Vec<i16> = (0..40)
        .flat_map(|tick| frame_at(&class, tick * PTIME_MS))
        .collect();
    let expected: Vec<i16> = samples
        .iter()
        .copied()
        .cycle()
        .take(40 * FRAME_SAMPLES)
        .collect();
    assert_eq!(heard, expected);
    assert_eq!(frame_at(&class, 120)[..40], samples[960..]);
    assert_eq!(frame_at(&class, 120)[40..], samples[..120]);

    // A loop shorter than a frame repeats inside it; any clock value works.
    let tiny =
        MusicClass::from_prompts("tiny", vec![Prompt::from_samples(vec![1, 2, 3])]).expect("class");
    let frame = frame_at(&tiny, u64::MAX);
    assert!(
        frame
            .windows(3)
            .all(|w| w == [1, 2, 3] || w == [2, 3, 1] || w == [3, 1, 2])
    );
}

#[test]
fn tracks_play_in_order_and_an_empty_class_is_refused() {
    let class = MusicClass::from_prompts(
        "two",
        vec![
            Prompt::from_samples(ramp(0, 100)),
            Prompt::from_samples(vec![]),
            Prompt::from_samples(ramp(5000, 100)),
        ],
    )
    .expect("class");
    let frame = frame_at(&class, 0);
    assert_eq!(frame[..100], ramp(0, 100)[..]);
    assert_eq!(frame[100..160], ramp(5000, 60)[..]);

    assert!(matches!(
        MusicClass::from_prompts("none", vec![Prompt::from_samples(vec![])]),
        Err(MediaError::EmptyMusicClass(name)) if name == "none"
    ));
}

fn write_wav(path: &Path, samples: &[i16]) {
    std::fs::write(path, Prompt::from_samples(samples.to_vec()).to_wav_bytes()).expect("write");
}

#[test]
fn load_dir_plays_files_in_name_order_and_reports_the_bad_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_wav(&dir.path().join("b.wav"), &ramp(2000, 160));
    write_wav(&dir.path().join("a.wav"), &ramp(1000, 160));
    write_wav(&dir.path().join("d.WAV"), &ramp(4000, 160));
    std::fs::write(dir.path().join("c.wav"), "not audio at all").expect("write");
    std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");

    let (class, skipped) = MusicClass::load_dir("sales", dir.path()).expect("loads");
    assert_eq!(class.name(), "sales");
    assert_eq!(class.duration_ms(), 60);
    assert_eq!(frame_at(&class, 0)[..], ramp(1000, 160)[..]);
    assert_eq!(frame_at(&class, 20)[..], ramp(2000, 160)[..]);
    assert_eq!(frame_at(&class, 40)[..], ramp(4000, 160)[..]);

    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].0, "c.wav");
    assert!(matches!(skipped[0].1, MediaError::NotWav(_)));

    let empty = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        MusicClass::load_dir("empty", empty.path()),
        Err(MediaError::EmptyMusicClass(_))
    ));
    assert!(matches!(
        MusicClass::load_dir("missing", &empty.path().join("nope")),
        Err(MediaError::Io(_))
    ));
}

#[test]
fn the_library_loads_one_class_per_folder_and_falls_back_to_default() {
    let root = tempfile::tempdir().expect("tempdir");
    for folder in ["default", "sales", "broken", ".hidden"] {
        std::fs::create_dir(root.path().join(folder)).expect("mkdir");
    }
    write_wav(&root.path().join("default/hold.wav"), &ramp(100, 800));
    write_wav(&root.path().join("sales/jingle.wav"), &ramp(300, 1600));
    write_wav(&root.path().join(".hidden/x.wav"), &ramp(0, 160));
    std::fs::write(root.path().join("sales/broken.wav"), b"RIFF").expect("write");
    std::fs::write(root.path().join("broken/bad.wav"), b"\x89PNG").expect("write");

    let (library, problems) = MusicLibrary::load(root.path());
    assert_eq!(library.names(), ["default", "sales"]);
    assert_eq!(
        library.get("default").duration_ms(),
        100,
        "the folder replaced the builtin"
    );
    assert_eq!(library.get("sales").duration_ms(), 200);
    assert!(Arc::ptr_eq(
        &library.get("no such class"),
        &library.get("default")
    ));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("sales/broken.wav")));
    assert!(problems.iter().any(|p| p.starts_with("broken")));

    let (builtin_only, problems) = MusicLibrary::load(&root.path().join("absent"));
    assert!(problems.is_empty());
    assert_eq!(builtin_only.names(), ["default"]);
}

#[test]
fn the_builtin_has_gentle_audio_and_a_click_free_loop_point() {
    let class = MusicClass::builtin();
    assert_eq!(class.name(), "default");
    assert!((3_000..=10_000).contains(&class.duration_ms()));

    let frames = class.duration_ms() / PTIME_MS;
    let audio: Vec<i16> = (0..frames)
        .flat_map(|tick| frame_at(&class, tick * PTIME_MS))
        .collect();
    let energy: f64 = audio.iter().map(|&s| f64::from(s).powi(2)).sum();
    let rms = (energy / audio.len() as f64).sqrt();
    assert!(rms > 500.0, "audible: rms {rms}");
    let peak = audio.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    assert!(peak < 16_384, "soft, below -6 dBFS: peak {peak}");

    let (first, last) = (audio[0], audio[audio.len() - 1]);
    assert!(first.abs_diff(last) < 50, "loop point: {last} then {first}");
    // Nowhere does the wave jump further than its steepest note moves.
    let steepest = audio
        .windows(2)
        .map(|pair| pair[0].abs_diff(pair[1]))
        .max()
        .unwrap_or(0);
    assert!(steepest < 4_000, "largest step {steepest}");
}
