//! Any sequence of inputs and timer expiries, on a flow with every node
//! type: the interpreter never panics, hangs up at most once and says
//! nothing after it has finished.

mod common;

use std::collections::BTreeMap;

use common::{Call, MONDAY_10AM, document};
use proptest::prelude::*;
use sb_ivr::{FlowSet, Input, Output};

const EVERYTHING: &str = r##"{
  "start": "greeting",
  "nodes": {
    "greeting": {"type": "play", "prompts": [{"builtin": "welcome"}], "barge_in": true, "next": "hours"},
    "hours": {"type": "condition", "rules": [
        {"when": {"work_time": "standard"}, "next": "menu"},
        {"when": {"holiday": "missing-calendar"}, "next": "bye"}], "otherwise": "menu"},
    "menu": {"type": "menu", "prompts": [{"tts": "1 2 3 4 5 6 7 8 9"}],
             "choices": {"1": "order", "2": "verify", "3": "sales", "4": "agent", "5": "rate",
                         "6": "sub", "7": "vm", "8": "set", "9": "bye", "*": "menu", "#": "back"},
             "timeout_ms": 3000, "retries": 1, "on_failure": "bye"},
    "order": {"type": "collect", "prompts": [{"tts": "order"}], "variable": "order",
              "min_digits": 2, "max_digits": 4, "next": "find", "on_failure": "menu"},
    "find": {"type": "lookup", "url": "https://crm.example/{order}", "next": "say", "on_error": "menu"},
    "say": {"type": "play", "prompts": [{"say_digits": "{lookup.a}"}, {"say_number": "{lookup.b}"}], "next": "menu"},
    "verify": {"type": "verify_member", "member_prompts": [], "pin_prompts": [{"builtin": "enter-pin"}],
               "url": "https://crm.example/verify", "max_digits": 3, "next": "menu", "on_failure": "bye"},
    "sales": {"type": "queue", "queue": "sales", "on_overflow": "menu"},
    "agent": {"type": "transfer", "target": {"agent": "E1003"}, "on_failure": "menu"},
    "rate": {"type": "survey", "question": "q", "prompts": [], "choices": ["1", "2"], "next": "menu"},
    "sub": {"type": "subflow", "flow": "inner", "next": "menu"},
    "vm": {"type": "voicemail", "mailbox": {"agent": "E1003"}},
    "set": {"type": "set_variable", "name": "x", "value": "{x}1", "next": "menu"},
    "back": {"type": "return"},
    "bye": {"type": "hangup", "prompts": [{"builtin": "goodbye"}]}
  }
}"##;

const INNER: &str = r#"{
  "start": "ask",
  "nodes": {
    "ask": {"type": "menu", "prompts": [{"builtin": "welcome"}], "choices": {"1": "done", "2": "deeper"},
            "on_failure": "done"},
    "deeper": {"type": "subflow", "flow": "inner", "next": "done"},
    "done": {"type": "return"}
  }
}"#;

#[derive(Debug, Clone)]
enum Event {
    Key(char),
    Played,
    Answer {
        request: u64,
        ok: bool,
    },
    Overflow,
    TransferFailed,
    HungUp,
    /// Moves the clock on and fires what is due.
    Wait(u64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        6 => prop::sample::select("0123456789*#xA".chars().collect::<Vec<_>>()).prop_map(Event::Key),
        5 => Just(Event::Played),
        2 => (1u64..6, any::<bool>()).prop_map(|(request, ok)| Event::Answer { request, ok }),
        1 => Just(Event::Overflow),
        1 => Just(Event::TransferFailed),
        1 => (0u32..40).prop_map(|n| if n == 0 { Event::HungUp } else { Event::Wait(1) }),
        3 => (0u64..12_000).prop_map(Event::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_inputs_never_panic_and_hang_up_at_most_once(
        events in prop::collection::vec(event(), 0..120),
    ) {
        let flows = FlowSet::single(document(EVERYTHING)).with_subflow("inner", document(INNER));
        let (mut call, _) = Call::start(flows, MONDAY_10AM);
        let mut finished_at: Option<usize> = None;
        for event in events {
            let outputs = match event {
                Event::Key(key) => call.press(&key.to_string()),
                Event::Played => call.played(),
                Event::Answer { request, ok } => {
                    let fields = BTreeMap::from([
                        ("ok".to_owned(), ok.to_string()),
                        ("a".to_owned(), "12".to_owned()),
                    ]);
                    call.input(Input::LookupAnswered { request, result: Ok(fields) })
                }
                Event::Overflow => call.input(Input::QueueOverflowed { reason: "full".to_owned() }),
                Event::TransferFailed => call.input(Input::TransferFailed { reason: "busy".to_owned() }),
                Event::HungUp => call.input(Input::CallerHungUp),
                Event::Wait(ms) => call.wait(ms),
            };
            if finished_at.is_some() {
                prop_assert!(outputs.is_empty(), "output after the end: {:?}", outputs);
            }
            if call.ivr.is_finished() {
                finished_at.get_or_insert(call.all_outputs.len());
                prop_assert_eq!(call.ivr.poll_timeout(), None);
            } else if let Some(deadline) = call.ivr.poll_timeout() {
                prop_assert!(deadline >= call.now, "a timer in the past");
            }
        }
        let hangups = call.all_outputs.iter().filter(|o| matches!(o, Output::Hangup)).count();
        prop_assert!(hangups <= 1, "{} hangups", hangups);
        if hangups == 1 {
            prop_assert_eq!(call.all_outputs.last(), Some(&Output::Hangup));
            prop_assert!(call.ivr.is_finished());
        }
        prop_assert!(!call.ivr.trail().is_empty());
    }
}
