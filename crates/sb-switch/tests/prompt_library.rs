//! The prompt library against the real espeak-ng (scripts/install-test-deps
//! installs it; without it these tests fail, they do not skip), wrappers
//! around it that count its runs, and fakes that hang or fail.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sb_media::prompt::Prompt;
use sb_switch::prompt_library::{
    Language, ProblemCause, PromptLibrary, PromptLibraryConfig, PromptProblem, Speech,
};
use tempfile::TempDir;

const MESSAGES: [&str; 28] = [
    "welcome",
    "please-hold",
    "all-agents-busy",
    "your-position-is",
    "callers-ahead",
    "expected-wait",
    "minutes",
    "seconds",
    "agent-number-is",
    "will-serve-you",
    "invalid-input",
    "no-input",
    "goodbye",
    "office-closed",
    "leave-message-after-tone",
    "beep",
    "thank-you",
    "survey-question",
    "survey-thanks",
    "transferring",
    "enter-member-number",
    "enter-pin",
    "verification-failed",
    "queue-full",
    "all-agents-offline",
    "your-call-is-important",
    "0",
    "9",
];

/// Fails the test, with what to do, when espeak-ng is not installed.
fn require_espeak() {
    let found = std::process::Command::new("espeak-ng")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    assert!(
        found,
        "espeak-ng is not installed: run scripts/install-test-deps"
    );
}

fn write_script(dir: &Path, name: &str, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .expect("make script executable");
    path
}

/// espeak-ng behind a wrapper that records each run, after `delay`
/// (so that concurrent renders overlap).
struct CountingEspeak {
    _dir: TempDir,
    program: PathBuf,
    runs: PathBuf,
}

impl CountingEspeak {
    fn new(delay: &str) -> CountingEspeak {
        require_espeak();
        let dir = TempDir::new().expect("temporary folder");
        let runs = dir.path().join("runs");
        let program = write_script(
            dir.path(),
            "espeak-counting",
            &format!(
                "echo run >> '{}'\nsleep {delay}\nexec espeak-ng \"$@\"",
                runs.display()
            ),
        );
        CountingEspeak {
            _dir: dir,
            program,
            runs,
        }
    }

    fn runs(&self) -> usize {
        std::fs::read_to_string(&self.runs)
            .map(|text| text.lines().count())
            .unwrap_or(0)
    }
}

fn library(espeak: Option<&Path>, cache_dir: Option<&Path>) -> PromptLibrary {
    PromptLibrary::new(PromptLibraryConfig {
        stored_dir: None,
        cache_dir: cache_dir.map(Path::to_path_buf),
        espeak_program: espeak.map(Path::to_path_buf),
    })
}

fn tts(text: &str, language: Option<Language>) -> Speech {
    Speech::Tts {
        text: text.into(),
        language,
    }
}

fn rms(prompt: &Prompt) -> f64 {
    let samples = prompt.samples();
    let sum: f64 = samples.iter().map(|&s| f64::from(s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Speech, not silence or a click: loud enough on average, and long enough.
fn assert_audible(prompt: &Prompt, what: &str) {
    assert!(
        prompt.duration_ms() >= 150,
        "{what}: {} ms",
        prompt.duration_ms()
    );
    assert!(rms(prompt) > 500.0, "{what}: RMS {}", rms(prompt));
}

fn builtin(name: &str, language: Language) -> Prompt {
    PromptLibrary::new(PromptLibraryConfig::default())
        .builtin(name, language)
        .unwrap_or_else(|| panic!("no built-in {name} in {language}"))
}

fn concatenated(prompts: &[Prompt]) -> Vec<i16> {
    prompts.iter().flat_map(|p| p.samples().to_vec()).collect()
}

#[tokio::test]
async fn chinese_and_english_text_is_spoken() {
    require_espeak();
    let cache = TempDir::new().expect("temporary folder");
    let library = library(None, Some(cache.path()));
    let (prompts, problems) = library
        .render(
            &[
                tts("您好，欢迎致电客服中心", Some(Language::Zh)),
                tts("Hello, thank you for calling.", Some(Language::En)),
                // No language: the call's.
                tts("Goodbye.", None),
            ],
            Language::En,
        )
        .await;
    assert_eq!(problems, []);
    assert_eq!(prompts.len(), 3);
    for (prompt, (what, min_ms, max_ms)) in prompts.iter().zip([
        ("Chinese sentence", 1500, 6000),
        ("English sentence", 1000, 5000),
        ("English word", 300, 2000),
    ]) {
        assert_audible(prompt, what);
        let ms = prompt.duration_ms();
        assert!((min_ms..=max_ms).contains(&ms), "{what}: {ms} ms");
    }
}

#[tokio::test]
async fn a_text_is_synthesised_once_ever() {
    let espeak = CountingEspeak::new("0");
    let cache = TempDir::new().expect("temporary folder");
    let first = library(Some(&espeak.program), Some(cache.path()));
    let items = [tts("Your call is important to us.", None)];

    let (once, problems) = first.render(&items, Language::En).await;
    assert_eq!(problems, []);
    assert_eq!(espeak.runs(), 1);
    let (twice, _) = first.render(&items, Language::En).await;
    assert_eq!(espeak.runs(), 1, "the second render comes from memory");
    assert_eq!(once[0].samples(), twice[0].samples());

    // A new library on the same folder (the next start) reads the disk.
    let second = library(Some(&espeak.program), Some(cache.path()));
    let (thrice, problems) = second.render(&items, Language::En).await;
    assert_eq!(problems, []);
    assert_eq!(espeak.runs(), 1, "the cache folder is read after a restart");
    assert_eq!(once[0].samples(), thrice[0].samples());

    // The same text in the other voice is another text.
    second.render(&items, Language::Zh).await;
    assert_eq!(espeak.runs(), 2);

    // Only the finished files remain, each named by a SHA-256.
    let mut names: Vec<String> = std::fs::read_dir(cache.path())
        .expect("cache folder")
        .map(|entry| {
            entry
                .expect("cache entry")
                .file_name()
                .into_string()
                .expect("UTF-8 name")
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in names {
        let stem = name.strip_suffix(".wav").expect("a .wav file");
        assert_eq!(stem.len(), 64, "{name}");
        assert!(stem.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
    }
}

#[tokio::test]
async fn without_a_cache_folder_text_is_kept_in_memory() {
    let espeak = CountingEspeak::new("0");
    let library = library(Some(&espeak.program), None);
    let items = [tts("请稍候", Some(Language::Zh))];
    let (prompts, problems) = library.render(&items, Language::En).await;
    assert_eq!(problems, []);
    assert_audible(&prompts[0], "Chinese text");
    library.render(&items, Language::En).await;
    assert_eq!(espeak.runs(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_renders_of_one_text_run_espeak_once() {
    let espeak = CountingEspeak::new("0.5");
    let cache = TempDir::new().expect("temporary folder");
    let library = Arc::new(library(Some(&espeak.program), Some(cache.path())));
    let renders: Vec<_> = (0..8)
        .map(|_| {
            let library = Arc::clone(&library);
            tokio::spawn(async move {
                library
                    .render(&[tts("All of our agents are busy.", None)], Language::En)
                    .await
            })
        })
        .collect();
    let mut lengths = Vec::new();
    for render in renders {
        let (prompts, problems) = render.await.expect("render task");
        assert_eq!(problems, []);
        lengths.push(prompts[0].samples().len());
    }
    assert_eq!(espeak.runs(), 1);
    assert!(
        lengths
            .iter()
            .all(|&length| length == lengths[0] && length > 0)
    );
}

#[tokio::test]
async fn a_hanging_espeak_is_killed_and_the_rest_still_plays() {
    let dir = TempDir::new().expect("temporary folder");
    let pid_file = dir.path().join("pid");
    let hanging = write_script(
        dir.path(),
        "espeak-hanging",
        &format!("echo $$ > '{}'\nexec sleep 30", pid_file.display()),
    );
    let library =
        library(Some(&hanging), Some(dir.path())).with_tts_timeout(Duration::from_millis(500));
    let started = std::time::Instant::now();
    let (prompts, problems) = library
        .render(
            &[
                Speech::Builtin("welcome".into()),
                tts("This never comes.", None),
                Speech::Digits("42".into()),
            ],
            Language::En,
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        problems,
        [PromptProblem {
            item: 1,
            cause: ProblemCause::TtsTimedOut { limit_ms: 500 },
        }]
    );
    assert_eq!(prompts.len(), 3, "welcome, four, two");

    // The fake is gone (or a zombie waiting to be reaped), not sleeping on.
    let pid = std::fs::read_to_string(&pid_file).expect("the fake wrote its pid");
    let stat = PathBuf::from(format!("/proc/{}/stat", pid.trim()));
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        let state = std::fs::read_to_string(&stat).ok();
        let dead = state
            .as_deref()
            .and_then(|stat| stat.rsplit(')').next())
            .is_none_or(|rest| rest.trim_start().starts_with('Z'));
        if dead {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running: {state:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_failing_or_missing_espeak_is_reported() {
    let dir = TempDir::new().expect("temporary folder");
    let failing = write_script(
        dir.path(),
        "espeak-failing",
        "echo 'voice not found' >&2\nexit 3",
    );
    let (prompts, problems) = library(Some(&failing), None)
        .render(
            &[tts("Hello.", None), Speech::Builtin("goodbye".into())],
            Language::En,
        )
        .await;
    assert_eq!(prompts.len(), 1);
    assert!(
        matches!(&problems[..], [PromptProblem { item: 0, cause: ProblemCause::TtsFailed(reason) }]
            if reason.contains("voice not found")),
        "{problems:?}"
    );

    let (prompts, problems) = library(Some(&dir.path().join("no-such-program")), None)
        .render(&[tts("Hello.", None)], Language::En)
        .await;
    assert!(prompts.is_empty());
    assert!(
        matches!(
            &problems[..],
            [PromptProblem {
                item: 0,
                cause: ProblemCause::TtsUnavailable { .. }
            }]
        ),
        "{problems:?}"
    );
}

#[tokio::test]
async fn text_too_long_or_empty_is_refused_without_running_espeak() {
    let espeak = CountingEspeak::new("0");
    let library = library(Some(&espeak.program), None);
    let long = "字".repeat(501);
    let (prompts, problems) = library
        .render(
            &[
                tts(&long, None),
                tts("  ", None),
                tts(&"字".repeat(3), None),
            ],
            Language::Zh,
        )
        .await;
    assert_eq!(prompts.len(), 1);
    assert_eq!(
        problems,
        [
            PromptProblem {
                item: 0,
                cause: ProblemCause::TextTooLong {
                    chars: 501,
                    limit: 500
                }
            },
            PromptProblem {
                item: 1,
                cause: ProblemCause::EmptyText
            },
        ]
    );
    assert_eq!(espeak.runs(), 1);
    assert!(problems[0].to_string().contains("500"));
}

/// What `render` gives for `item`, as one run of samples.
async fn rendered(item: Speech, language: Language) -> Vec<i16> {
    let (prompts, problems) = PromptLibrary::new(PromptLibraryConfig::default())
        .render(&[item], language)
        .await;
    assert_eq!(problems, []);
    concatenated(&prompts)
}

fn builtins(names: &[&str], language: Language) -> Vec<i16> {
    let prompts: Vec<Prompt> = names.iter().map(|name| builtin(name, language)).collect();
    concatenated(&prompts)
}

#[tokio::test]
async fn numbers_and_digits_are_said_with_builtins() {
    use Language::{En, Zh};
    let cases: [(Speech, Language, &[&str]); 9] = [
        (
            Speech::Number("1004".into()),
            Zh,
            &["1", "thousand", "0", "4"],
        ),
        (Speech::Number("11".into()), Zh, &["ten", "1"]),
        (
            Speech::Number("100000001".into()),
            Zh,
            &["1", "yi", "0", "1"],
        ),
        (
            Speech::Number("-12.5".into()),
            Zh,
            &["minus", "ten", "2", "point", "5"],
        ),
        (Speech::Digits("110".into()), Zh, &["yao", "yao", "0"]),
        (
            Speech::Number("1234".into()),
            En,
            &["1", "thousand", "2", "hundred", "30", "4"],
        ),
        (
            Speech::Number("-12.5".into()),
            En,
            &["minus", "12", "point", "5"],
        ),
        (Speech::Digits("(110) 5".into()), En, &["1", "1", "0", "5"]),
        // Three decimals: digit by digit, the point kept.
        (
            Speech::Number("1.234".into()),
            Zh,
            &["1", "point", "2", "3", "4"],
        ),
    ];
    for (item, language, names) in cases {
        let what = format!("{item:?} in {language}");
        let expected = builtins(names, language);
        assert!(!expected.is_empty());
        assert!(rendered(item, language).await == expected, "{what}");
    }
    // 幺 and 一 are different recordings.
    assert_ne!(builtins(&["yao"], Zh), builtins(&["1"], Zh));
}

#[tokio::test]
async fn every_builtin_decodes_and_is_audible() {
    let names = PromptLibrary::builtin_names();
    assert!(
        names.windows(2).all(|pair| pair[0] < pair[1]),
        "sorted, unique"
    );
    let library = PromptLibrary::new(PromptLibraryConfig::default());
    for name in MESSAGES {
        assert!(names.contains(&name), "{name} listed");
        for language in Language::ALL {
            assert!(
                library.builtin(name, language).is_some(),
                "{name} in {language}"
            );
        }
    }
    let mut total = 0;
    for &name in names {
        for language in Language::ALL {
            if let Some(prompt) = library.builtin(name, language) {
                assert_audible(&prompt, &format!("{name} in {language}"));
                total += prompt.samples().len();
            }
        }
    }
    // About 2 minutes of speech in all; a failed generation is much less.
    assert!(total > 8000 * 60, "{total} samples");

    let beep = library.builtin("beep", Language::Zh).expect("beep");
    assert_eq!(beep.duration_ms(), 400);
    // 1 kHz at 8 kHz: the tone repeats every 8 samples.
    let middle = &beep.samples()[1000..1016];
    assert_eq!(middle[..8], middle[8..]);
    assert!(library.builtin("no-such-prompt", Language::En).is_none());
    assert!(library.builtin("wan", Language::En).is_none());
    assert!(library.builtin("liang", Language::Zh).is_some());
}

fn wav_16k_stereo(seconds: u32) -> Vec<u8> {
    let frames = 16_000 * seconds;
    let mut bytes = sb_media::wav::header(2, 16_000, frames * 4).to_vec();
    for index in 0..frames {
        let sample = ((f64::from(index) * 0.2).sin() * 8000.0) as i16;
        bytes.extend_from_slice(&sample.to_le_bytes());
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

#[tokio::test]
async fn stored_prompts_load_once_and_unknown_ones_are_problems() {
    let root = TempDir::new().expect("temporary folder");
    let dir = root.path().join("prompts");
    std::fs::create_dir(&dir).expect("prompts folder");
    std::fs::write(dir.join("7.wav"), wav_16k_stereo(1)).expect("write stored file");
    std::fs::write(dir.join("8.wav"), b"not audio").expect("write stored file");
    std::fs::write(root.path().join("outside.wav"), wav_16k_stereo(1)).expect("write stored file");
    let library = PromptLibrary::new(PromptLibraryConfig {
        stored_dir: Some(dir.clone()),
        ..PromptLibraryConfig::default()
    });
    let files: HashMap<String, PathBuf> = [
        ("greeting", "7.wav"),
        ("broken", "8.wav"),
        ("gone", "9.wav"),
        ("escape", "../outside.wav"),
    ]
    .into_iter()
    .map(|(name, file)| (name.to_owned(), PathBuf::from(file)))
    .collect();
    library.set_stored_prompts(files.clone());

    let items = [
        Speech::Stored("greeting".into()),
        Speech::Stored("unknown".into()),
        Speech::Stored("broken".into()),
        Speech::Stored("gone".into()),
        Speech::Stored("escape".into()),
        Speech::Builtin("goodbye".into()),
    ];
    let (prompts, problems) = library.render(&items, Language::Zh).await;
    assert_eq!(prompts.len(), 2, "greeting and goodbye");
    assert_eq!(
        prompts[0].samples().len(),
        8000,
        "1 s converted to 8 kHz mono"
    );
    assert_eq!(
        problems[0],
        PromptProblem {
            item: 1,
            cause: ProblemCause::UnknownStored("unknown".into())
        }
    );
    let unreadable: Vec<usize> = problems[1..]
        .iter()
        .filter(|problem| matches!(problem.cause, ProblemCause::StoredUnreadable { .. }))
        .map(|problem| problem.item)
        .collect();
    assert_eq!(unreadable, [2, 3, 4]);
    assert!(
        problems[3].to_string().contains("plain path"),
        "{}",
        problems[3]
    );

    // Read once: the file may go, the prompt stays...
    std::fs::remove_file(dir.join("7.wav")).expect("remove stored file");
    let (prompts, problems) = library.render(&items[..1], Language::Zh).await;
    assert_eq!((prompts.len(), problems.len()), (1, 0));
    // ...until the admin changes the prompts.
    library.set_stored_prompts(files);
    let (prompts, problems) = library.render(&items[..1], Language::Zh).await;
    assert!(prompts.is_empty());
    assert!(matches!(
        problems[..],
        [PromptProblem {
            item: 0,
            cause: ProblemCause::StoredUnreadable { .. }
        }]
    ));

    // Without a folder nothing stored plays.
    let unconfigured = PromptLibrary::new(PromptLibraryConfig::default());
    unconfigured.set_stored_prompts(HashMap::from([("greeting".into(), "7.wav".into())]));
    let (_, problems) = unconfigured.render(&items[..1], Language::Zh).await;
    assert!(matches!(
        problems[..],
        [PromptProblem {
            cause: ProblemCause::NoStoredFolder(_),
            ..
        }]
    ));
}

#[tokio::test]
async fn silences_unknown_builtins_and_empty_digits() {
    let library = PromptLibrary::new(PromptLibraryConfig::default());
    let (prompts, problems) = library
        .render(
            &[
                Speech::Silence(250),
                Speech::Silence(0),
                Speech::Silence(60_001),
                Speech::Builtin("no-such-prompt".into()),
                Speech::Digits("*#".into()),
                Speech::Number("abc".into()),
            ],
            Language::En,
        )
        .await;
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].samples(), vec![0; 2000]);
    let items: Vec<usize> = problems.iter().map(|problem| problem.item).collect();
    assert_eq!(items, [2, 3, 4, 5]);
    assert_eq!(
        problems[1].cause,
        ProblemCause::UnknownBuiltin {
            name: "no-such-prompt".into(),
            language: Language::En
        }
    );
}
