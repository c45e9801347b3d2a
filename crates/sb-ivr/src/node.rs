//! The node types of a flow document (serde tag "type", snake_case). Every
//! branch field names another node of the same document; optional fields
//! have the defaults below.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Mailbox, PromptRef, Rule, TransferTarget};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    Play(PlayNode),
    Menu(MenuNode),
    Collect(CollectNode),
    Condition(ConditionNode),
    Lookup(LookupNode),
    VerifyMember(VerifyMemberNode),
    SetVariable(SetVariableNode),
    Queue(QueueNode),
    Transfer(TransferNode),
    Voicemail(VoicemailNode),
    Survey(SurveyNode),
    Subflow(SubflowNode),
    Return(ReturnNode),
    Hangup(HangupNode),
}

/// Plays prompts, then goes on once they have finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlayNode {
    pub prompts: Vec<PromptRef>,
    pub next: String,
    /// A key pressed during the prompts stops them and goes on at once (the
    /// key is kept for the next menu or collect).
    #[serde(default)]
    pub barge_in: bool,
}

/// One key chooses a branch; prompts can be interrupted by a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuNode {
    pub prompts: Vec<PromptRef>,
    /// Key ("0"-"9", "*", "#") to node.
    pub choices: BTreeMap<String, String>,
    /// How long to wait for a key once the prompts have finished.
    #[serde(default = "default_wait_ms")]
    pub timeout_ms: u64,
    /// Times the menu is offered again after a timeout or a wrong key.
    #[serde(default = "default_retries")]
    pub retries: u32,
    #[serde(default)]
    pub invalid_prompts: Vec<PromptRef>,
    #[serde(default)]
    pub timeout_prompts: Vec<PromptRef>,
    pub on_failure: String,
}

/// Collects several digits into a variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectNode {
    pub prompts: Vec<PromptRef>,
    pub variable: String,
    #[serde(default = "default_min_digits")]
    pub min_digits: u32,
    pub max_digits: u32,
    /// The key that ends the input early ("#" or "*"); `null` for none.
    #[serde(default = "default_terminator")]
    pub terminator: Option<char>,
    /// Wait for the first digit once the prompts have finished.
    #[serde(default = "default_wait_ms")]
    pub timeout_ms: u64,
    /// Wait for each further digit.
    #[serde(default = "default_inter_digit_ms")]
    pub inter_digit_ms: u64,
    #[serde(default = "default_retries")]
    pub retries: u32,
    #[serde(default)]
    pub invalid_prompts: Vec<PromptRef>,
    pub next: String,
    pub on_failure: String,
}

/// The first rule whose test holds chooses the branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionNode {
    pub rules: Vec<Rule>,
    pub otherwise: String,
}

/// An HTTP request made by the driver; the answer's top-level string and
/// number fields become variables `<result_prefix>.<field>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookupNode {
    /// A template.
    pub url: String,
    #[serde(default = "default_method")]
    pub method: String,
    /// Name to template.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default = "default_result_prefix")]
    pub result_prefix: String,
    #[serde(default = "default_lookup_timeout_ms")]
    pub timeout_ms: u64,
    pub next: String,
    pub on_error: String,
}

/// Collects a member number and a PIN and checks them with a lookup (params
/// `member` and `pin`, answer field `ok`). The PIN is never kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyMemberNode {
    pub member_prompts: Vec<PromptRef>,
    pub pin_prompts: Vec<PromptRef>,
    pub url: String,
    /// Receives the verified member number; other answer fields become
    /// `<member_variable>.<field>`.
    #[serde(default = "default_member_variable")]
    pub member_variable: String,
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    #[serde(default = "default_member_max_digits")]
    pub max_digits: u32,
    pub next: String,
    pub on_failure: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetVariableNode {
    pub name: String,
    /// A template.
    pub value: String,
    pub next: String,
}

/// Hands the call to the ACD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueNode {
    pub queue: String,
    #[serde(default)]
    pub priority: u8,
    /// Call data shown to the agent: name to template.
    #[serde(default)]
    pub data: BTreeMap<String, String>,
    /// Where the flow goes on when the queue overflows; hang up when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_overflow: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferNode {
    /// Its value is a template.
    pub target: TransferTarget,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
}

/// Plays prompts, then the driver records a message after a beep and hangs
/// up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoicemailNode {
    pub mailbox: Mailbox,
    #[serde(default)]
    pub prompts: Vec<PromptRef>,
    #[serde(default = "default_voicemail_seconds")]
    pub max_seconds: u32,
}

/// Asks one question answered by a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyNode {
    /// The question's id in reports, such as "satisfaction".
    pub question: String,
    pub prompts: Vec<PromptRef>,
    pub choices: Vec<String>,
    #[serde(default = "default_wait_ms")]
    pub timeout_ms: u64,
    #[serde(default = "default_survey_retries")]
    pub retries: u32,
    #[serde(default)]
    pub thanks_prompts: Vec<PromptRef>,
    /// Hang up when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// Runs another flow; its `return` comes back to `next`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubflowNode {
    pub flow: String,
    pub next: String,
}

/// Ends a subflow; in the main flow it hangs up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnNode {}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HangupNode {
    #[serde(default)]
    pub prompts: Vec<PromptRef>,
}

fn default_wait_ms() -> u64 {
    5_000
}
fn default_inter_digit_ms() -> u64 {
    3_000
}
fn default_lookup_timeout_ms() -> u64 {
    3_000
}
fn default_retries() -> u32 {
    2
}
fn default_survey_retries() -> u32 {
    1
}
fn default_attempts() -> u32 {
    3
}
fn default_min_digits() -> u32 {
    1
}
fn default_member_max_digits() -> u32 {
    12
}
fn default_terminator() -> Option<char> {
    Some('#')
}
fn default_method() -> String {
    "GET".to_owned()
}
fn default_result_prefix() -> String {
    "lookup".to_owned()
}
fn default_member_variable() -> String {
    "member".to_owned()
}
fn default_voicemail_seconds() -> u32 {
    120
}

/// Which way a branch leaves a node, for messages and graph checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch<'a> {
    /// The field path, such as "next", "choices" or "rules[0].next".
    pub field: String,
    /// How a message names it: "next", "choice \"3\"", "rule 1".
    pub label: String,
    pub target: &'a str,
}

impl Node {
    /// The type as written in the document ("play", "verify_member").
    pub fn type_name(&self) -> &'static str {
        match self {
            Node::Play(_) => "play",
            Node::Menu(_) => "menu",
            Node::Collect(_) => "collect",
            Node::Condition(_) => "condition",
            Node::Lookup(_) => "lookup",
            Node::VerifyMember(_) => "verify_member",
            Node::SetVariable(_) => "set_variable",
            Node::Queue(_) => "queue",
            Node::Transfer(_) => "transfer",
            Node::Voicemail(_) => "voicemail",
            Node::Survey(_) => "survey",
            Node::Subflow(_) => "subflow",
            Node::Return(_) => "return",
            Node::Hangup(_) => "hangup",
        }
    }

    /// A node where the call can end (or leave the flow for good).
    pub fn is_terminal(&self) -> bool {
        match self {
            Node::Hangup(_)
            | Node::Queue(_)
            | Node::Transfer(_)
            | Node::Voicemail(_)
            | Node::Return(_) => true,
            Node::Survey(survey) => survey.next.is_none(),
            _ => false,
        }
    }

    /// A node that moves on without waiting for the caller, the driver or a
    /// prompt: a loop of only these would spin.
    pub fn is_instant(&self) -> bool {
        matches!(self, Node::Condition(_) | Node::SetVariable(_))
    }

    /// Every branch to another node.
    pub fn branches(&self) -> Vec<Branch<'_>> {
        fn plain<'a>(field: &str, target: &'a str) -> Branch<'a> {
            Branch {
                field: field.to_owned(),
                label: field.to_owned(),
                target,
            }
        }
        match self {
            Node::Play(PlayNode { next, .. })
            | Node::SetVariable(SetVariableNode { next, .. })
            | Node::Subflow(SubflowNode { next, .. }) => vec![plain("next", next)],
            Node::Menu(menu) => menu
                .choices
                .iter()
                .map(|(key, target)| Branch {
                    field: "choices".to_owned(),
                    label: format!("choice \"{key}\""),
                    target,
                })
                .chain([plain("on_failure", &menu.on_failure)])
                .collect(),
            Node::Collect(CollectNode {
                next, on_failure, ..
            })
            | Node::VerifyMember(VerifyMemberNode {
                next, on_failure, ..
            }) => vec![plain("next", next), plain("on_failure", on_failure)],
            Node::Condition(condition) => condition
                .rules
                .iter()
                .enumerate()
                .map(|(index, rule)| Branch {
                    field: format!("rules[{index}].next"),
                    label: format!("rule {}", index + 1),
                    target: &rule.next,
                })
                .chain([plain("otherwise", &condition.otherwise)])
                .collect(),
            Node::Lookup(lookup) => vec![
                plain("next", &lookup.next),
                plain("on_error", &lookup.on_error),
            ],
            Node::Queue(queue) => queue
                .on_overflow
                .iter()
                .map(|target| plain("on_overflow", target))
                .collect(),
            Node::Transfer(transfer) => transfer
                .on_failure
                .iter()
                .map(|target| plain("on_failure", target))
                .collect(),
            Node::Survey(survey) => survey
                .next
                .iter()
                .map(|target| plain("next", target))
                .collect(),
            Node::Voicemail(_) | Node::Return(_) | Node::Hangup(_) => Vec::new(),
        }
    }

    /// Every prompt list of the node, with its field name.
    pub fn prompt_lists(&self) -> Vec<(&'static str, &[PromptRef])> {
        match self {
            Node::Play(play) => vec![("prompts", &play.prompts)],
            Node::Menu(menu) => vec![
                ("prompts", &menu.prompts),
                ("invalid_prompts", &menu.invalid_prompts),
                ("timeout_prompts", &menu.timeout_prompts),
            ],
            Node::Collect(collect) => vec![
                ("prompts", &collect.prompts),
                ("invalid_prompts", &collect.invalid_prompts),
            ],
            Node::VerifyMember(verify) => vec![
                ("member_prompts", &verify.member_prompts),
                ("pin_prompts", &verify.pin_prompts),
            ],
            Node::Voicemail(voicemail) => vec![("prompts", &voicemail.prompts)],
            Node::Survey(survey) => vec![
                ("prompts", &survey.prompts),
                ("thanks_prompts", &survey.thanks_prompts),
            ],
            Node::Hangup(hangup) => vec![("prompts", &hangup.prompts)],
            Node::Condition(_)
            | Node::Lookup(_)
            | Node::SetVariable(_)
            | Node::Queue(_)
            | Node::Transfer(_)
            | Node::Subflow(_)
            | Node::Return(_) => Vec::new(),
        }
    }
}
