//! Flow documents the validator refuses, each error naming its node, and
//! what a valid document lists for the API to check.

use sb_ivr::{FlowDocument, FlowError, Language, Node};
use serde_json::{Value, json};

const DEMO: &str = include_str!("fixtures/demo-hotline.json");

/// The demo flow with `change` applied to its JSON.
fn demo_with(change: impl FnOnce(&mut Value)) -> Result<FlowDocument, FlowError> {
    let mut document: Value = serde_json::from_str(DEMO).expect("the fixture is JSON");
    change(&mut document);
    FlowDocument::parse(&document.to_string())
}

fn refused(change: impl FnOnce(&mut Value)) -> FlowError {
    demo_with(change).expect_err("the document was accepted")
}

fn flow(nodes: Value) -> Result<FlowDocument, FlowError> {
    FlowDocument::parse(&json!({"start": "a", "nodes": nodes}).to_string())
}

#[test]
fn the_demo_flow_is_valid_and_lists_what_it_uses() {
    let document = FlowDocument::parse(DEMO).expect("the demo flow is valid");
    assert_eq!(document.language, Language::Zh);
    assert_eq!(document.start, "greeting");
    assert!(matches!(document.nodes["menu"], Node::Menu(_)));
    assert_eq!(document.calendars(), ["standard"]);
    assert_eq!(document.queues(), ["sales", "service"]);
    assert!(document.subflows().is_empty());
    assert!(document.stored_prompts().is_empty());
    assert!(document.builtin_prompts().contains(&"welcome".to_owned()));
    // Serializing and reading back gives the same document.
    let again = FlowDocument::parse(&serde_json::to_string(&document).expect("serializes"))
        .expect("valid again");
    assert_eq!(again, document);
}

#[test]
fn a_dangling_choice_names_the_node_and_the_key() {
    let error = refused(|d| d["nodes"]["menu"]["choices"]["3"] = json!("salse"));
    assert_eq!(error.node.as_deref(), Some("menu"));
    assert_eq!(error.field.as_deref(), Some("choices"));
    assert_eq!(
        error.to_string(),
        "node \"menu\": choice \"3\" leads to unknown node \"salse\""
    );
}

#[test]
fn dangling_next_and_rule_branches() {
    let error = refused(|d| d["nodes"]["greeting"]["next"] = json!("nowhere"));
    assert_eq!(
        error.to_string(),
        "node \"greeting\": next leads to unknown node \"nowhere\""
    );
    let error = refused(|d| d["nodes"]["hours"]["rules"][0]["next"] = json!("menuu"));
    assert_eq!(error.node.as_deref(), Some("hours"));
    assert_eq!(error.field.as_deref(), Some("rules[0].next"));
    assert!(
        error
            .message
            .contains("rule 1 leads to unknown node \"menuu\"")
    );
    let error = refused(|d| d["nodes"]["sales"]["on_overflow"] = json!("vm"));
    assert_eq!(error.node.as_deref(), Some("sales"));
}

#[test]
fn start_missing_or_unknown() {
    let error = refused(|d| d["start"] = json!("welcome"));
    assert_eq!(error.field.as_deref(), Some("start"));
    assert_eq!(error.to_string(), "start \"welcome\" is not a node");
    let error = refused(|d| {
        d.as_object_mut().expect("object").remove("start");
    });
    assert_eq!(error.field.as_deref(), Some("start"));
}

#[test]
fn an_unknown_node_type_names_the_node() {
    let error = refused(|d| d["nodes"]["closed"]["type"] = json!("announce"));
    assert_eq!(error.node.as_deref(), Some("closed"));
    assert_eq!(error.field.as_deref(), Some("type"));
    assert!(
        error.message.contains("unknown node type \"announce\""),
        "{error}"
    );
}

#[test]
fn an_unknown_or_missing_field_names_the_node() {
    let error = refused(|d| d["nodes"]["closed"]["nxt"] = json!("bye"));
    assert_eq!(error.node.as_deref(), Some("closed"));
    assert!(error.message.contains("nxt"), "{error}");
    let error = refused(|d| {
        d["nodes"]["menu"]
            .as_object_mut()
            .expect("object")
            .remove("on_failure");
    });
    assert_eq!(error.node.as_deref(), Some("menu"));
    assert!(error.message.contains("on_failure"), "{error}");
    let error = refused(|d| d["nodes"]["menu"]["retries"] = json!("two"));
    assert_eq!(error.node.as_deref(), Some("menu"));
    assert_eq!(error.field.as_deref(), Some("retries"));
}

#[test]
fn an_unknown_prompt_kind_names_the_node_and_the_item() {
    let error = refused(|d| d["nodes"]["greeting"]["prompts"][0] = json!({"beep": "x"}));
    assert_eq!(error.node.as_deref(), Some("greeting"));
    assert!(
        error
            .field
            .as_deref()
            .is_some_and(|field| field.starts_with("prompts[0]")),
        "{error:?}"
    );
    let error = refused(|d| {
        d["nodes"]["greeting"]["prompts"][0] = json!({"builtin": "welcome", "tts": "hi"})
    });
    assert!(error.message.contains("exactly one"), "{error}");
}

#[test]
fn menu_choices_must_be_single_keys_and_not_empty() {
    let error = refused(|d| d["nodes"]["menu"]["choices"] = json!({}));
    assert_eq!(
        error.to_string(),
        "node \"menu\": a menu needs at least one choice"
    );
    let error = refused(|d| d["nodes"]["menu"]["choices"]["10"] = json!("sales"));
    assert_eq!(
        error.to_string(),
        "node \"menu\": choice \"10\" is not one key of 0-9, * or #"
    );
    refused(|d| d["nodes"]["menu"]["choices"]["a"] = json!("sales"));
    demo_with(|d| d["nodes"]["menu"]["choices"]["*"] = json!("sales")).expect("* is a key");
}

#[test]
fn collect_min_above_max_is_refused() {
    let error = flow(json!({
        "a": {"type": "collect", "prompts": [], "variable": "order", "min_digits": 8,
              "max_digits": 6, "next": "z", "on_failure": "z"},
        "z": {"type": "hangup"}
    }))
    .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "node \"a\": min_digits 8 is more than max_digits 6"
    );
    let error = flow(json!({
        "a": {"type": "collect", "prompts": [], "variable": "caller", "max_digits": 6,
              "next": "z", "on_failure": "z"},
        "z": {"type": "hangup"}
    }))
    .expect_err("refused");
    assert_eq!(error.field.as_deref(), Some("variable"));
}

#[test]
fn a_loop_without_exit_is_refused() {
    let error = flow(json!({
        "a": {"type": "menu", "prompts": [{"builtin": "welcome"}], "choices": {"1": "b"},
              "on_failure": "a"},
        "b": {"type": "play", "prompts": [{"builtin": "thank-you"}], "next": "a"}
    }))
    .expect_err("refused");
    assert_eq!(error.node.as_deref(), Some("a"));
    assert!(error.message.contains("loop without exit"), "{error}");
}

#[test]
fn a_loop_that_never_waits_is_refused_even_with_an_exit() {
    let error = flow(json!({
        "a": {"type": "condition",
              "rules": [{"when": {"variable": "done", "equals": "1"}, "next": "z"}],
              "otherwise": "b"},
        "b": {"type": "set_variable", "name": "tries", "value": "x", "next": "a"},
        "z": {"type": "hangup"}
    }))
    .expect_err("refused");
    assert!(error.node.is_some());
    assert!(error.message.contains("would spin"), "{error}");
    assert!(error.message.contains("a -> b -> a") || error.message.contains("b -> a -> b"));
    // The same loop through a menu waits for the caller: accepted.
    flow(json!({
        "a": {"type": "condition",
              "rules": [{"when": {"variable": "done", "equals": "1"}, "next": "z"}],
              "otherwise": "m"},
        "m": {"type": "menu", "prompts": [], "choices": {"1": "a"}, "on_failure": "z"},
        "z": {"type": "hangup"}
    }))
    .expect("a loop through a menu is fine");
}

#[test]
fn bad_patterns_templates_and_names_are_refused() {
    let error =
        refused(|d| d["nodes"]["hours"]["rules"][0]["when"] = json!({"caller_matches": "1X?"}));
    assert_eq!(error.node.as_deref(), Some("hours"));
    assert_eq!(error.field.as_deref(), Some("rules[0].when"));
    let error = refused(|d| d["nodes"]["sales"]["data"]["caller"] = json!("{caller"));
    assert_eq!(error.node.as_deref(), Some("sales"));
    let error = refused(|d| d["nodes"]["bye"]["prompts"][0] = json!({"prompt": ""}));
    assert_eq!(error.node.as_deref(), Some("bye"));
    let error = refused(|d| {
        d["nodes"]["hours"]["rules"][0]["when"] = json!({"work_time": "x", "holiday": "y"})
    });
    assert_eq!(error.node.as_deref(), Some("hours"));
    let error = refused(|d| d["language"] = json!("fr"));
    assert_eq!(error.field.as_deref(), Some("language"));
    let error = refused(|d| d["nodez"] = json!({}));
    assert_eq!(error.field.as_deref(), Some("nodez"));
}

#[test]
fn problems_lists_every_problem() {
    let document = FlowDocument {
        language: Language::Zh,
        start: "nowhere".to_owned(),
        nodes: FlowDocument::parse(DEMO).expect("valid").nodes,
    };
    assert_eq!(document.problems().len(), 1);
    assert!(document.validate().is_err());
}

#[test]
fn subflows_and_stored_prompts_are_listed() {
    let document = flow(json!({
        "a": {"type": "subflow", "flow": "verify", "next": "b"},
        "b": {"type": "hangup", "prompts": [{"prompt": "bye-2025"}, {"builtin": "goodbye"}]}
    }))
    .expect("valid");
    assert_eq!(document.subflows(), ["verify"]);
    assert_eq!(document.stored_prompts(), ["bye-2025"]);
}
