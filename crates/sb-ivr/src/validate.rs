//! What makes a flow document invalid: fields out of range, branches to
//! nodes that do not exist, nodes from which the call can never end, and
//! loops that would spin without waiting for anything.

use std::collections::{BTreeMap, BTreeSet};

use sb_core::DialPattern;

use crate::node::{CollectNode, LookupNode, MenuNode, SurveyNode, VerifyMemberNode};
use crate::template::{self, is_variable_name};
use crate::{FlowDocument, FlowError, Mailbox, Node, PromptRef, Test};

/// Node ids: a letter, then letters, digits, `_` and `-` (what the editor
/// offers).
const MAX_NODE_ID_LEN: usize = 64;
/// Variables the switch sets for every call.
pub const CALL_VARIABLES: [&str; 3] = ["caller", "dialled", "call_id"];
/// The most digits a collect takes.
pub const MAX_DIGITS: u32 = 64;
/// The keys of a phone keypad.
const KEYS: &str = "0123456789*#";

fn is_node_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        && id.len() <= MAX_NODE_ID_LEN
}

fn is_key(text: &str) -> bool {
    let mut chars = text.chars();
    matches!((chars.next(), chars.next()), (Some(key), None) if KEYS.contains(key))
}

impl FlowDocument {
    /// The first problem of the document, if any.
    pub fn validate(&self) -> Result<(), FlowError> {
        match self.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// Every problem found, node by node, for an editor to show at once.
    pub fn problems(&self) -> Vec<FlowError> {
        let mut problems = Vec::new();
        if self.nodes.is_empty() {
            problems.push(FlowError::document("nodes", "the flow has no nodes"));
            return problems;
        }
        if !self.nodes.contains_key(&self.start) {
            problems.push(FlowError::document(
                "start",
                format!("start \"{}\" is not a node", self.start),
            ));
        }
        let mut dangling = false;
        for (id, node) in &self.nodes {
            let mut check = NodeCheck {
                id,
                problems: &mut problems,
            };
            if !is_node_id(id) {
                check.fail(
                    None,
                    "a node id is a letter then letters, digits, _ or - (at most 64)",
                );
            }
            for branch in node.branches() {
                if !self.nodes.contains_key(branch.target) {
                    dangling = true;
                    check.fail(
                        Some(&branch.field),
                        format!(
                            "{} leads to unknown node \"{}\"",
                            branch.label, branch.target
                        ),
                    );
                }
            }
            for (field, prompts) in node.prompt_lists() {
                check.prompts(field, prompts);
            }
            check.fields(node);
        }
        // Graph checks read only existing branches; after a dangling one
        // they would report its node a second time.
        if !dangling {
            problems.extend(self.nodes_without_exit());
            problems.extend(self.spinning_loop());
        }
        problems
    }

    /// Nodes from which no path reaches a node that ends the call.
    fn nodes_without_exit(&self) -> Vec<FlowError> {
        let mut leads_here: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (id, node) in &self.nodes {
            for branch in node.branches() {
                leads_here.entry(branch.target).or_default().push(id);
            }
        }
        let mut can_end: BTreeSet<&str> = BTreeSet::new();
        let mut pending: Vec<&str> = self
            .nodes
            .iter()
            .filter(|(_, node)| node.is_terminal())
            .map(|(id, _)| id.as_str())
            .collect();
        while let Some(id) = pending.pop() {
            if can_end.insert(id) {
                pending.extend(leads_here.get(id).into_iter().flatten());
            }
        }
        self.nodes
            .keys()
            .filter(|id| !can_end.contains(id.as_str()))
            .map(|id| {
                FlowError::node(
                    id,
                    None,
                    "no path from here ever ends the call (a loop without exit): \
                     add a branch to a hangup, queue, transfer, voicemail or return",
                )
            })
            .collect()
    }

    /// A loop of conditions and variable assignments only: it would run
    /// forever without waiting for the caller or playing anything.
    fn spinning_loop(&self) -> Option<FlowError> {
        let instant_successors = |id: &str| -> Vec<&str> {
            self.nodes
                .get(id)
                .filter(|node| node.is_instant())
                .map(|node| {
                    node.branches()
                        .into_iter()
                        .map(|branch| branch.target)
                        .filter(|target| self.nodes.get(*target).is_some_and(Node::is_instant))
                        .collect()
                })
                .unwrap_or_default()
        };
        // Depth-first search; a branch back to a node on the current path
        // closes a loop.
        let mut done: BTreeSet<&str> = BTreeSet::new();
        for root in self.nodes.keys() {
            if done.contains(root.as_str()) || !self.nodes[root].is_instant() {
                continue;
            }
            let mut path: Vec<(&str, Vec<&str>)> = vec![(root, instant_successors(root))];
            while let Some((_, successors)) = path.last_mut() {
                let Some(next) = successors.pop() else {
                    if let Some((finished, _)) = path.pop() {
                        done.insert(finished);
                    }
                    continue;
                };
                if let Some(at) = path.iter().position(|(id, _)| *id == next) {
                    let mut cycle: Vec<&str> = path[at..].iter().map(|(id, _)| *id).collect();
                    cycle.push(next);
                    return Some(FlowError::node(
                        next,
                        None,
                        format!(
                            "the loop {} never waits for the caller or plays anything, \
                             so it would spin: put a menu, play or other waiting node in it",
                            cycle.join(" -> ")
                        ),
                    ));
                }
                if !done.contains(next) {
                    path.push((next, instant_successors(next)));
                }
            }
        }
        None
    }
}

/// Collects the problems of one node.
struct NodeCheck<'a> {
    id: &'a str,
    problems: &'a mut Vec<FlowError>,
}

impl NodeCheck<'_> {
    fn fail(&mut self, field: Option<&str>, message: impl Into<String>) {
        self.problems.push(FlowError::node(self.id, field, message));
    }

    fn template(&mut self, field: &str, text: &str) {
        if let Err(reason) = template::check(text) {
            self.fail(Some(field), format!("{field}: {reason}"));
        }
    }

    fn not_empty(&mut self, field: &str, text: &str) {
        if text.trim().is_empty() {
            self.fail(Some(field), format!("{field} is empty"));
        }
    }

    /// A variable the flow writes to.
    fn writable_variable(&mut self, field: &str, name: &str) {
        if !is_variable_name(name) {
            self.fail(
                Some(field),
                format!(
                    "{field} \"{name}\" is not a variable name (a letter or _, then letters, digits, _, - or .)"
                ),
            );
        } else if CALL_VARIABLES.contains(&name) {
            self.fail(
                Some(field),
                format!("{field} \"{name}\" is set by the switch and cannot be changed"),
            );
        }
    }

    fn positive_ms(&mut self, field: &str, ms: u64) {
        if ms == 0 {
            self.fail(Some(field), format!("{field} must be more than 0"));
        }
    }

    fn url(&mut self, url: &str) {
        let lower = url.trim().to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://")) {
            self.fail(
                Some("url"),
                format!("url \"{url}\" does not start with http:// or https://"),
            );
        }
        self.template("url", url);
    }

    fn prompts(&mut self, field: &str, prompts: &[PromptRef]) {
        for (index, prompt) in prompts.iter().enumerate() {
            let at = format!("{field}[{index}]");
            match prompt {
                PromptRef::Stored(name) | PromptRef::Builtin(name) => self.not_empty(&at, name),
                PromptRef::Tts { text, .. } => {
                    self.not_empty(&at, text);
                    self.template(&at, text);
                }
                PromptRef::SayDigits(text) | PromptRef::SayNumber(text) => {
                    self.template(&at, text);
                }
                PromptRef::Silence(_) => {}
            }
        }
    }

    fn fields(&mut self, node: &Node) {
        match node {
            Node::Play(play) => {
                if play.prompts.is_empty() {
                    self.fail(Some("prompts"), "a play node needs at least one prompt");
                }
            }
            Node::Menu(menu) => self.menu(menu),
            Node::Collect(collect) => self.collect(collect),
            Node::Condition(condition) => {
                for (index, rule) in condition.rules.iter().enumerate() {
                    self.test(&format!("rules[{index}].when"), &rule.when);
                }
            }
            Node::Lookup(lookup) => self.lookup(lookup),
            Node::VerifyMember(verify) => self.verify_member(verify),
            Node::SetVariable(set) => {
                self.writable_variable("name", &set.name);
                self.template("value", &set.value);
            }
            Node::Queue(queue) => {
                self.not_empty("queue", &queue.queue);
                for (name, value) in &queue.data {
                    let at = format!("data.{name}");
                    self.not_empty("data", name);
                    self.template(&at, value);
                }
            }
            Node::Transfer(transfer) => {
                self.not_empty("target", transfer.target.value());
                self.template("target", transfer.target.value());
            }
            Node::Voicemail(voicemail) => {
                let (Mailbox::Queue(owner) | Mailbox::Agent(owner)) = &voicemail.mailbox;
                self.not_empty("mailbox", owner);
                if voicemail.max_seconds == 0 {
                    self.fail(Some("max_seconds"), "max_seconds must be more than 0");
                }
            }
            Node::Survey(survey) => self.survey(survey),
            Node::Subflow(subflow) => self.not_empty("flow", &subflow.flow),
            Node::Return(_) | Node::Hangup(_) => {}
        }
    }

    fn menu(&mut self, menu: &MenuNode) {
        if menu.choices.is_empty() {
            self.fail(Some("choices"), "a menu needs at least one choice");
        }
        for key in menu.choices.keys() {
            if !is_key(key) {
                self.fail(
                    Some("choices"),
                    format!("choice \"{key}\" is not one key of 0-9, * or #"),
                );
            }
        }
        self.positive_ms("timeout_ms", menu.timeout_ms);
    }

    fn collect(&mut self, collect: &CollectNode) {
        self.writable_variable("variable", &collect.variable);
        if collect.min_digits == 0 {
            self.fail(Some("min_digits"), "min_digits must be at least 1");
        }
        if collect.max_digits > MAX_DIGITS {
            self.fail(
                Some("max_digits"),
                format!("max_digits must be at most {MAX_DIGITS}"),
            );
        }
        if collect.min_digits > collect.max_digits {
            self.fail(
                Some("min_digits"),
                format!(
                    "min_digits {} is more than max_digits {}",
                    collect.min_digits, collect.max_digits
                ),
            );
        }
        if let Some(key) = collect.terminator
            && !matches!(key, '#' | '*')
        {
            self.fail(
                Some("terminator"),
                format!("terminator \"{key}\" must be # or *"),
            );
        }
        self.positive_ms("timeout_ms", collect.timeout_ms);
        self.positive_ms("inter_digit_ms", collect.inter_digit_ms);
    }

    fn test(&mut self, field: &str, test: &Test) {
        if let Some(calendar) = test.calendar() {
            self.not_empty(field, calendar);
        }
        if let Some(pattern) = test.pattern()
            && let Err(error) = DialPattern::parse(pattern)
        {
            self.fail(Some(field), format!("{field}: {error}"));
        }
        if let Test::VariableEquals { variable, .. } | Test::VariableMatches { variable, .. } = test
            && !is_variable_name(variable)
        {
            self.fail(
                Some(field),
                format!("{field}: \"{variable}\" is not a variable name"),
            );
        }
    }

    fn lookup(&mut self, lookup: &LookupNode) {
        self.url(&lookup.url);
        if !matches!(lookup.method.to_ascii_uppercase().as_str(), "GET" | "POST") {
            self.fail(
                Some("method"),
                format!("method \"{}\" is not GET or POST", lookup.method),
            );
        }
        for (name, value) in &lookup.params {
            self.not_empty("params", name);
            self.template(&format!("params.{name}"), value);
        }
        self.writable_variable("result_prefix", &lookup.result_prefix);
        self.positive_ms("timeout_ms", lookup.timeout_ms);
    }

    fn verify_member(&mut self, verify: &VerifyMemberNode) {
        self.url(&verify.url);
        self.writable_variable("member_variable", &verify.member_variable);
        if verify.attempts == 0 {
            self.fail(Some("attempts"), "attempts must be at least 1");
        }
        if verify.max_digits == 0 || verify.max_digits > MAX_DIGITS {
            self.fail(
                Some("max_digits"),
                format!("max_digits must be from 1 to {MAX_DIGITS}"),
            );
        }
    }

    fn survey(&mut self, survey: &SurveyNode) {
        self.not_empty("question", &survey.question);
        if survey.choices.is_empty() {
            self.fail(Some("choices"), "a survey needs at least one choice");
        }
        let mut seen = BTreeSet::new();
        for key in &survey.choices {
            if !is_key(key) {
                self.fail(
                    Some("choices"),
                    format!("choice \"{key}\" is not one key of 0-9, * or #"),
                );
            } else if !seen.insert(key) {
                self.fail(Some("choices"), format!("choice \"{key}\" is listed twice"));
            }
        }
        self.positive_ms("timeout_ms", survey.timeout_ms);
    }
}
