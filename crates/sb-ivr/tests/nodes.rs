//! One behaviour per test for the nodes beyond the demo flow: collect,
//! lookup, member verification, subflows, surveys, transfers, barge-in and
//! the step guard.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{Call, MONDAY_10AM, builtin, document, play, tts};
use sb_ivr::{
    ConditionNode, FlowDocument, FlowSet, Input, Language, Node, Output, Rule, SetVariableNode,
    Speech, Test, TransferTarget,
};
use serde_json::json;

fn digits(text: &str) -> Speech {
    Speech::Digits(text.to_owned())
}

fn lookup_request(outputs: &[Output]) -> (u64, String, String, BTreeMap<String, String>) {
    match outputs {
        [
            Output::Lookup {
                request,
                url,
                method,
                params,
                ..
            },
        ] => (*request, url.clone(), method.clone(), params.clone()),
        other => panic!("expected one Lookup, got {other:?}"),
    }
}

fn answer(fields: &[(&str, &str)]) -> Result<BTreeMap<String, String>, String> {
    Ok(fields
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect())
}

const ORDER_FLOW: &str = r##"{
  "start": "order",
  "nodes": {
    "order": {"type": "collect", "prompts": [{"tts": "请输入订单号"}], "variable": "order",
              "min_digits": 3, "max_digits": 6, "retries": 1,
              "invalid_prompts": [{"builtin": "invalid-input"}],
              "next": "find", "on_failure": "sorry"},
    "find": {"type": "lookup", "url": "https://crm.example/orders/{order}",
             "params": {"order": "{order}", "caller": "{caller}"}, "timeout_ms": 3000,
             "next": "status", "on_error": "sorry"},
    "status": {"type": "play", "prompts": [{"say_digits": "{lookup.tracking}"},
                                           {"tts": "状态 {lookup.status}"}], "next": "bye"},
    "sorry": {"type": "play", "prompts": [{"builtin": "verification-failed"}], "next": "bye"},
    "bye": {"type": "hangup"}
  }
}"##;

/// The order flow, its collect prompts played.
fn at_the_order_prompt() -> Call {
    let (mut call, outputs) = Call::start_json(ORDER_FLOW, MONDAY_10AM);
    assert_eq!(outputs, [play(vec![tts("请输入订单号")], true)]);
    assert_eq!(call.played(), []);
    call
}

#[test]
fn collect_ends_on_the_terminator() {
    let mut call = at_the_order_prompt();
    assert_eq!(call.press("1234"), []);
    let (_, url, method, params) = lookup_request(&call.press("#"));
    assert_eq!(url, "https://crm.example/orders/1234");
    assert_eq!(method, "GET");
    assert_eq!(params["order"], "1234");
    assert_eq!(params["caller"], common::CALLER);
    assert_eq!(call.ivr.variables()["order"], "1234");
    assert!(call.trail_has("order: collected order=1234"));
}

#[test]
fn collect_ends_at_max_digits_and_after_the_inter_digit_pause() {
    let mut call = at_the_order_prompt();
    lookup_request(&call.press("123456"));
    assert_eq!(call.ivr.variables()["order"], "123456");

    let mut call = at_the_order_prompt();
    call.press("1234");
    assert_eq!(call.wait(2_999), []);
    lookup_request(&call.wait(1));
    assert_eq!(call.ivr.variables()["order"], "1234");
}

#[test]
fn collect_too_short_is_retried_then_fails() {
    let mut call = at_the_order_prompt();
    assert_eq!(
        call.press("12#"),
        [play(
            vec![builtin("invalid-input"), tts("请输入订单号")],
            true
        )]
    );
    assert!(call.trail_has("order: invalid \"12\": fewer than 3 digits"));
    call.played();
    // No key at all: the one retry is used up.
    assert_eq!(
        call.wait(5_000),
        [play(vec![builtin("invalid-input")], false)]
    );
    assert_eq!(
        call.played(),
        [play(vec![builtin("verification-failed")], false)]
    );
    assert!(!call.ivr.variables().contains_key("order"));
}

#[test]
fn lookup_answer_fields_are_read_back_through_templates() {
    let mut call = at_the_order_prompt();
    let (request, ..) = lookup_request(&call.press("1234#"));
    let outputs = call.input(Input::LookupAnswered {
        request,
        result: answer(&[("status", "shipped"), ("tracking", "778899")]),
    });
    assert_eq!(
        outputs,
        [play(vec![digits("778899"), tts("状态 shipped")], false)]
    );
    assert_eq!(call.ivr.variables()["lookup.status"], "shipped");
    assert!(call.trail_has("find: lookup ok: status=shipped, tracking=778899"));
}

#[test]
fn a_lookup_without_an_answer_in_time_goes_to_on_error() {
    let mut call = at_the_order_prompt();
    let (request, ..) = lookup_request(&call.press("1234#"));
    assert_eq!(call.ivr.poll_timeout(), Some(call.now + 3_000));
    assert_eq!(call.wait(2_999), []);
    assert_eq!(
        call.wait(1),
        [play(vec![builtin("verification-failed")], false)]
    );
    assert!(call.trail_has("find: lookup timeout"));
    // The late answer is ignored.
    let late = call.input(Input::LookupAnswered {
        request,
        result: answer(&[("status", "shipped")]),
    });
    assert_eq!(late, []);
    assert!(!call.ivr.variables().contains_key("lookup.status"));
}

#[test]
fn a_failed_lookup_goes_to_on_error_and_a_stale_answer_is_ignored() {
    let mut call = at_the_order_prompt();
    let (request, ..) = lookup_request(&call.press("1234#"));
    let stale = call.input(Input::LookupAnswered {
        request: request + 7,
        result: answer(&[("status", "shipped")]),
    });
    assert_eq!(stale, []);
    let outputs = call.input(Input::LookupAnswered {
        request,
        result: Err("HTTP 503".to_owned()),
    });
    assert_eq!(outputs, [play(vec![builtin("verification-failed")], false)]);
    assert!(call.trail_has("find: lookup error: HTTP 503"));
}

const VERIFY_FLOW: &str = r#"{
  "start": "verify",
  "nodes": {
    "verify": {"type": "verify_member", "member_prompts": [{"builtin": "enter-member-number"}],
               "pin_prompts": [{"builtin": "enter-pin"}], "url": "https://crm.example/verify",
               "attempts": 2, "next": "welcome", "on_failure": "denied"},
    "welcome": {"type": "play", "prompts": [{"tts": "{member.name} {member}"}], "next": "bye"},
    "denied": {"type": "play", "prompts": [{"builtin": "goodbye"}], "next": "bye"},
    "bye": {"type": "hangup"}
  }
}"#;

fn enter_member_and_pin(call: &mut Call, member: &str, pin: &str) -> u64 {
    assert_eq!(call.played(), []);
    assert_eq!(
        call.press(&format!("{member}#")),
        [play(vec![builtin("enter-pin")], true)]
    );
    call.played();
    let (request, url, method, params) = lookup_request(&call.press(&format!("{pin}#")));
    assert_eq!(url, "https://crm.example/verify");
    assert_eq!(method, "POST", "the PIN stays out of the URL");
    assert_eq!(params["member"], member);
    assert_eq!(params["pin"], pin);
    request
}

fn assert_pin_never_kept(call: &Call, pin: &str) {
    let trail = serde_json::to_string(call.ivr.trail()).expect("serializes");
    assert!(
        !trail.contains(pin),
        "the PIN leaked into the trail: {trail}"
    );
    assert!(trail.contains("pin=****"), "{trail}");
    assert!(
        call.ivr
            .variables()
            .values()
            .all(|value| !value.contains(pin)),
        "the PIN leaked into the variables"
    );
}

#[test]
fn verify_member_success_sets_the_member_and_masks_the_pin() {
    let (mut call, outputs) = Call::start_json(VERIFY_FLOW, MONDAY_10AM);
    assert_eq!(outputs, [play(vec![builtin("enter-member-number")], true)]);
    let request = enter_member_and_pin(&mut call, "20250609", "8642");
    let outputs = call.input(Input::LookupAnswered {
        request,
        result: answer(&[("ok", "true"), ("name", "李雷")]),
    });
    assert_eq!(outputs, [play(vec![tts("李雷 20250609")], false)]);
    assert_eq!(call.ivr.variables()["member"], "20250609");
    assert!(call.trail_has("verify: verified member=20250609"));
    assert_pin_never_kept(&call, "8642");
}

#[test]
fn verify_member_failure_retries_then_goes_to_on_failure() {
    let (mut call, _) = Call::start_json(VERIFY_FLOW, MONDAY_10AM);
    let request = enter_member_and_pin(&mut call, "20250609", "8642");
    let outputs = call.input(Input::LookupAnswered {
        request,
        result: answer(&[("ok", "false")]),
    });
    assert_eq!(
        outputs,
        [play(
            vec![
                builtin("verification-failed"),
                builtin("enter-member-number")
            ],
            true
        )]
    );
    let request = enter_member_and_pin(&mut call, "20250609", "8643");
    let outputs = call.input(Input::LookupAnswered {
        request,
        result: answer(&[("ok", "0")]),
    });
    assert_eq!(outputs, [play(vec![builtin("goodbye")], false)]);
    assert!(call.trail_has("verify: failed after 2 attempts"));
    assert!(!call.ivr.variables().contains_key("member"));
    assert_pin_never_kept(&call, "8642");
    assert_pin_never_kept(&call, "8643");
}

#[test]
fn subflow_runs_and_returns_to_next() {
    let main = document(
        r#"{"start": "ask", "nodes": {
            "ask": {"type": "subflow", "flow": "greeting", "next": "bye"},
            "bye": {"type": "hangup", "prompts": [{"builtin": "goodbye"}]}}}"#,
    );
    let greeting = document(
        r#"{"language": "en", "start": "hello", "nodes": {
            "hello": {"type": "play", "prompts": [{"builtin": "welcome"}], "next": "done"},
            "done": {"type": "return"}}}"#,
    );
    let flows = FlowSet::single(main).with_subflow("greeting", greeting);
    assert!(flows.missing_subflows().is_empty());
    let (mut call, outputs) = Call::start(flows, MONDAY_10AM);
    assert_eq!(
        outputs,
        [Output::Play {
            prompts: vec![builtin("welcome")],
            language: Language::En,
            barge_in: false
        }],
        "a subflow speaks its own language"
    );
    assert_eq!(call.ivr.position(), (Some("greeting"), "hello"));
    assert_eq!(call.played(), [play(vec![builtin("goodbye")], false)]);
    assert_eq!(call.played(), [Output::Hangup]);
    let subflow_steps = call
        .ivr
        .trail()
        .iter()
        .filter(|step| step.flow.as_deref() == Some("greeting"))
        .count();
    assert_eq!(subflow_steps, 2, "{:?}", call.trail());
}

#[test]
fn a_missing_subflow_or_a_return_in_the_main_flow_hangs_up() {
    let main = document(
        r#"{"start": "ask", "nodes": {
            "ask": {"type": "subflow", "flow": "greeting", "next": "bye"},
            "bye": {"type": "return"}}}"#,
    );
    let flows = FlowSet::single(Arc::clone(&main));
    assert_eq!(flows.missing_subflows(), ["greeting"]);
    let (call, outputs) = Call::start(flows, MONDAY_10AM);
    assert_eq!(outputs, [Output::Hangup]);
    assert!(call.trail_has("ask: subflow \"greeting\" is not loaded; hanging up"));

    let returning = document(r#"{"start": "done", "nodes": {"done": {"type": "return"}}}"#);
    let (_, outputs) = Call::start(FlowSet::single(returning), MONDAY_10AM);
    assert_eq!(outputs, [Output::Hangup]);
}

#[test]
fn a_subflow_that_calls_itself_is_stopped() {
    let main = document(
        r#"{"start": "again", "nodes": {
            "again": {"type": "subflow", "flow": "main", "next": "bye"},
            "bye": {"type": "hangup"}}}"#,
    );
    let flows = FlowSet::single(Arc::clone(&main)).with_subflow("main", main);
    let (call, outputs) = Call::start(flows, MONDAY_10AM);
    assert_eq!(outputs, [Output::Hangup]);
    assert!(
        call.trail()
            .iter()
            .any(|step| step.contains("nested deeper than 16")),
        "{:?}",
        call.trail()
    );
}

const SURVEY_FLOW: &str = r#"{
  "start": "rate",
  "nodes": {
    "rate": {"type": "survey", "question": "satisfaction",
             "prompts": [{"builtin": "survey-question"}], "choices": ["1", "2", "3"],
             "thanks_prompts": [{"builtin": "survey-thanks"}]}
  }
}"#;

#[test]
fn a_survey_answer_is_reported_then_thanks_and_hang_up() {
    let (mut call, _) = Call::start_json(SURVEY_FLOW, MONDAY_10AM);
    call.played();
    assert_eq!(
        call.press("2"),
        [
            Output::SurveyAnswered {
                question: "satisfaction".to_owned(),
                digit: '2'
            },
            play(vec![builtin("survey-thanks")], false)
        ]
    );
    assert_eq!(call.played(), [Output::Hangup]);
}

#[test]
fn a_survey_without_a_valid_answer_hangs_up_without_one() {
    let (mut call, _) = Call::start_json(SURVEY_FLOW, MONDAY_10AM);
    call.played();
    assert_eq!(
        call.press("9"),
        [play(vec![builtin("survey-question")], true)]
    );
    call.played();
    assert_eq!(call.wait(5_000), [Output::Hangup]);
    assert!(call.trail_has("rate: no answer"));
    assert!(
        !call
            .all_outputs
            .iter()
            .any(|output| matches!(output, Output::SurveyAnswered { .. }))
    );
}

#[test]
fn a_failed_transfer_goes_to_on_failure_or_hangs_up() {
    let flow = r#"{"start": "agent", "nodes": {
        "agent": {"type": "transfer", "target": {"number": "0{caller}"}, "on_failure": "desk"},
        "desk": {"type": "transfer", "target": {"extension": "1003"}}}}"#;
    let (mut call, outputs) = Call::start_json(flow, MONDAY_10AM);
    assert_eq!(
        outputs,
        [Output::Transfer {
            target: TransferTarget::Number(format!("0{}", common::CALLER))
        }]
    );
    let outputs = call.input(Input::TransferFailed {
        reason: "486 busy".to_owned(),
    });
    assert_eq!(
        outputs,
        [Output::Transfer {
            target: TransferTarget::Extension("1003".to_owned())
        }]
    );
    assert_eq!(
        call.input(Input::TransferFailed {
            reason: "480".to_owned()
        }),
        [Output::Hangup]
    );
}

#[test]
fn a_barge_in_play_stops_and_hands_the_key_to_the_next_menu() {
    let flow = r#"{"start": "notice", "nodes": {
        "notice": {"type": "play", "prompts": [{"builtin": "your-call-is-important"}],
                   "barge_in": true, "next": "menu"},
        "menu": {"type": "menu", "prompts": [{"builtin": "welcome"}],
                 "choices": {"3": "bye"}, "on_failure": "bye"},
        "bye": {"type": "hangup", "prompts": [{"builtin": "goodbye"}]}}}"#;
    let (mut call, _) = Call::start_json(flow, MONDAY_10AM);
    assert_eq!(
        call.press("3"),
        [Output::StopPlayback, play(vec![builtin("goodbye")], false)]
    );
    assert!(call.trail_has("menu: pressed 3"));
}

#[test]
fn conditions_on_caller_and_variables() {
    let flow = r#"{"start": "vip", "nodes": {
        "vip": {"type": "condition", "rules": [
            {"when": {"caller_matches": "139XXXXXXXX"}, "next": "bye"},
            {"when": {"caller_matches": "138."}, "next": "mark"}], "otherwise": "bye"},
        "mark": {"type": "set_variable", "name": "tier", "value": "gold-{dialled}", "next": "check"},
        "check": {"type": "condition", "rules": [
            {"when": {"variable": "tier", "equals": "gold-4008001234"}, "next": "gold"}],
            "otherwise": "bye"},
        "gold": {"type": "hangup", "prompts": [{"tts": "{tier}"}]},
        "bye": {"type": "hangup"}}}"#;
    let (call, outputs) = Call::start_json(flow, MONDAY_10AM);
    assert_eq!(outputs, [play(vec![tts("gold-4008001234")], false)]);
    assert!(call.trail_has("vip: rule 2 holds: caller_matches 138."));
}

#[test]
fn the_step_guard_ends_a_flow_that_never_waits() {
    // Validation refuses this loop; the guard protects against documents
    // built without it.
    let spin = FlowDocument {
        language: Language::Zh,
        start: "count".to_owned(),
        nodes: BTreeMap::from([
            (
                "count".to_owned(),
                Node::SetVariable(SetVariableNode {
                    name: "n".to_owned(),
                    value: "{n}1".to_owned(),
                    next: "check".to_owned(),
                }),
            ),
            (
                "check".to_owned(),
                Node::Condition(ConditionNode {
                    rules: vec![Rule {
                        when: Test::VariableEquals {
                            variable: "n".to_owned(),
                            equals: "never".to_owned(),
                        },
                        next: "count".to_owned(),
                    }],
                    otherwise: "count".to_owned(),
                }),
            ),
        ]),
    };
    assert!(spin.validate().is_err());
    let (call, outputs) = Call::start(FlowSet::single(Arc::new(spin)), MONDAY_10AM);
    assert_eq!(outputs, [Output::Hangup]);
    assert!(call.ivr.is_finished());
    let trail = call.trail();
    assert!(
        trail.iter().any(|step| step.contains("step guard")),
        "{:?}",
        &trail[trail.len().saturating_sub(3)..]
    );
    assert_eq!(
        call.ivr.variables()["n"].len(),
        500,
        "1,000 steps: 500 passes through set_variable"
    );
}

#[test]
fn validation_keeps_the_json_shape_the_editor_writes() {
    // Optional fields left out, as the editor sends them.
    let document = FlowDocument::parse(
        &json!({"start": "m", "nodes": {
            "m": {"type": "menu", "prompts": [], "choices": {"1": "q"}, "on_failure": "q"},
            "q": {"type": "queue", "queue": "sales"}}})
        .to_string(),
    )
    .expect("valid");
    let Node::Menu(menu) = &document.nodes["m"] else {
        panic!("a menu");
    };
    assert_eq!((menu.timeout_ms, menu.retries), (5_000, 2));
}
