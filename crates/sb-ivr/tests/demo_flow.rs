//! The demo hotline (greeting, work-time condition, menu 1/2/0, off-hours
//! message) driven on a virtual clock.

mod common;

use common::{CALLER, Call, MONDAY_10AM, SATURDAY_10AM, builtin, play, tts};
use sb_ivr::{Input, Mailbox, Output};

const DEMO: &str = include_str!("fixtures/demo-hotline.json");
const MENU: &str = "销售请按1，服务请按2，人工请按0";

/// A call in working hours, at the menu with its prompts played.
fn at_the_menu() -> Call {
    let (mut call, outputs) = Call::start_json(DEMO, MONDAY_10AM);
    assert_eq!(outputs, [play(vec![builtin("welcome")], false)]);
    assert_eq!(call.played(), [play(vec![tts(MENU)], true)]);
    assert_eq!(call.played(), []);
    call
}

#[test]
fn in_working_hours_key_1_queues_for_sales_with_call_data() {
    let mut call = at_the_menu();
    assert_eq!(call.ivr.poll_timeout(), Some(call.now + 5_000));
    let outputs = call.press("1");
    let Some(Output::Queue {
        queue,
        priority,
        data,
    }) = outputs.first()
    else {
        panic!("expected a Queue, got {outputs:?}");
    };
    assert_eq!((queue.as_str(), *priority), ("sales", 0));
    assert_eq!(data["topic"], "sales");
    assert_eq!(data["caller"], CALLER);
    assert!(!call.ivr.is_finished());
    assert_eq!(call.ivr.poll_timeout(), None);
    for line in [
        "greeting: entered",
        "hours: rule 1 holds: work_time standard",
        "menu: pressed 1",
        "sales: queue sales",
    ] {
        assert!(
            call.trail_has(line),
            "{line} missing from {:?}",
            call.trail()
        );
    }
}

#[test]
fn outside_working_hours_the_closed_message_plays_then_goodbye() {
    let (mut call, outputs) = Call::start_json(DEMO, SATURDAY_10AM);
    assert_eq!(outputs, [play(vec![builtin("welcome")], false)]);
    assert_eq!(call.played(), [play(vec![builtin("office-closed")], false)]);
    assert_eq!(call.played(), [play(vec![builtin("goodbye")], false)]);
    assert_eq!(call.played(), [Output::Hangup]);
    assert!(call.ivr.is_finished());
    assert!(call.trail_has("hours: otherwise"));
    // Input after the end changes nothing.
    assert_eq!(call.press("1"), []);
    assert_eq!(call.played(), []);
}

#[test]
fn timeouts_and_wrong_keys_replay_the_menu_then_fail() {
    let mut call = at_the_menu();
    assert_eq!(call.wait(4_999), [], "no timeout before 5 s");
    assert_eq!(
        call.wait(1),
        [play(vec![builtin("no-input"), tts(MENU)], true)]
    );
    call.played();
    assert_eq!(
        call.press("7"),
        [play(vec![builtin("invalid-input"), tts(MENU)], true)]
    );
    call.played();
    // The third failure uses up the two retries: the notice, then on_failure.
    assert_eq!(call.wait(5_000), [play(vec![builtin("no-input")], false)]);
    assert_eq!(call.played(), [play(vec![builtin("goodbye")], false)]);
    assert_eq!(call.played(), [Output::Hangup]);
    let menu_steps: Vec<String> = call
        .trail()
        .into_iter()
        .filter(|step| step.starts_with("menu: "))
        .collect();
    assert_eq!(
        menu_steps,
        [
            "menu: entered",
            "menu: timeout",
            "menu: invalid 7",
            "menu: timeout",
            "menu: failed after 3 tries"
        ]
    );
}

#[test]
fn a_retry_that_succeeds_goes_on() {
    let mut call = at_the_menu();
    call.press("9");
    call.played();
    let outputs = call.press("0");
    assert!(
        matches!(outputs.as_slice(), [Output::Queue { queue, .. }] if queue == "service"),
        "{outputs:?}"
    );
}

#[test]
fn a_key_during_the_menu_prompts_stops_them_and_counts() {
    let (mut call, _) = Call::start_json(DEMO, MONDAY_10AM);
    call.played();
    let outputs = call.press("2");
    assert_eq!(outputs.first(), Some(&Output::StopPlayback));
    assert!(
        matches!(&outputs[1..], [Output::Queue { queue, .. }] if queue == "service"),
        "{outputs:?}"
    );
}

#[test]
fn keys_typed_during_the_greeting_choose_from_the_menu_without_hearing_it() {
    let (mut call, _) = Call::start_json(DEMO, MONDAY_10AM);
    assert_eq!(call.press("2"), [], "the greeting cannot be interrupted");
    let outputs = call.played();
    assert!(
        matches!(outputs.as_slice(), [Output::Queue { queue, .. }] if queue == "service"),
        "{outputs:?}"
    );
    assert!(call.trail_has("menu: pressed 2"));
}

#[test]
fn an_overflowing_queue_goes_to_voicemail() {
    let mut call = at_the_menu();
    call.press("1");
    let outputs = call.input(Input::QueueOverflowed {
        reason: "max wait".to_owned(),
    });
    assert_eq!(
        outputs,
        [play(
            vec![
                builtin("all-agents-busy"),
                builtin("leave-message-after-tone")
            ],
            false
        )]
    );
    assert_eq!(
        call.played(),
        [Output::Voicemail {
            mailbox: Mailbox::Queue("sales".to_owned()),
            max_seconds: 120
        }]
    );
    assert!(call.ivr.is_finished());
    assert!(call.trail_has("sales: overflow: max wait"));
}

#[test]
fn the_caller_hanging_up_ends_the_flow_without_a_hangup() {
    let mut call = at_the_menu();
    assert_eq!(call.input(Input::CallerHungUp), []);
    assert!(call.ivr.is_finished());
    assert_eq!(call.ivr.poll_timeout(), None);
    assert_eq!(call.wait(60_000), []);
    assert!(call.trail_has("menu: caller hung up"));
}

#[test]
fn the_trail_serializes_with_times() {
    let mut call = at_the_menu();
    call.press("1");
    let json = serde_json::to_value(call.ivr.trail()).expect("serializes");
    let steps = json.as_array().expect("a list");
    assert_eq!(steps[0]["node"], "greeting");
    assert_eq!(steps[0]["node_type"], "play");
    assert_eq!(steps[0]["at_ms"], MONDAY_10AM);
    assert!(
        steps[0].get("flow").is_none(),
        "main flow steps have no flow"
    );
}
