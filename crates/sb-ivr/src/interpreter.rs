//! The interpreter of one call: inputs from the driver in, outputs for it
//! out, a virtual clock throughout. It enters nodes one after another until
//! one has to wait (for prompts to finish, a key, a lookup, the queue or a
//! transfer); `keys` handles what keys do, `tests` what conditions ask.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use sb_calendar::Calendar;

use crate::node::{ConditionNode, LookupNode, SubflowNode};
use crate::speech::render;
use crate::template::expand;
use crate::{
    CallFacts, FlowDocument, FlowSet, Input, Mailbox, Node, Output, PromptRef, TrailStep,
    TransferTarget,
};

/// Nodes entered in a row without waiting for anything before the call is
/// ended: a flow that loops through conditions and returns would spin.
pub const MAX_STEPS_WITHOUT_WAITING: u32 = 1_000;
/// How deep subflows may call subflows.
pub const MAX_SUBFLOW_DEPTH: usize = 16;
/// Keys kept while nothing is waiting for them (type-ahead).
const MAX_TYPE_AHEAD: usize = 32;

#[derive(Debug)]
pub struct Interpreter {
    flows: FlowSet,
    calendars: BTreeMap<String, Calendar>,
    call_id: String,
    variables: BTreeMap<String, String>,
    /// The main flow and the subflows entered from it; never empty.
    frames: Vec<Frame>,
    /// The current node of the innermost frame.
    node: String,
    pub(crate) progress: Progress,
    pub(crate) wait: Wait,
    pub(crate) type_ahead: VecDeque<char>,
    pub(crate) outputs: VecDeque<Output>,
    trail: Vec<TrailStep>,
    next_request: u64,
    steps: u32,
}

#[derive(Debug)]
struct Frame {
    /// `None` for the main flow.
    name: Option<String>,
    flow: Arc<FlowDocument>,
    /// Where the calling flow goes on after this one returns.
    return_to: Option<String>,
}

/// What the current node has done so far.
#[derive(Debug, Clone, Default)]
pub(crate) enum Progress {
    #[default]
    Nothing,
    Menu {
        failures: u32,
    },
    Collect {
        failures: u32,
        entry: String,
    },
    Survey {
        failures: u32,
    },
    Verify {
        failures: u32,
        stage: VerifyStage,
        entry: String,
        member: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VerifyStage {
    Member,
    Pin,
    Checking,
}

/// What the interpreter is waiting for.
#[derive(Debug)]
pub(crate) enum Wait {
    /// Entering nodes; never seen between calls.
    Running,
    Prompts {
        then: Then,
        barge_in: bool,
    },
    Keys {
        deadline_ms: u64,
    },
    Lookup {
        request: u64,
        deadline_ms: u64,
    },
    Queue,
    Transfer,
    Finished,
}

/// What follows a Play once it has finished.
#[derive(Debug)]
pub(crate) enum Then {
    Node(String),
    /// The current node's keys.
    AwaitKeys,
    Hangup,
    Voicemail {
        mailbox: Mailbox,
        max_seconds: u32,
    },
}

/// The node to enter next, if the current one is done.
pub(crate) type Next = Option<String>;

impl Interpreter {
    pub fn start(
        now_ms: u64,
        flows: FlowSet,
        facts: CallFacts,
        calendars: BTreeMap<String, Calendar>,
    ) -> Interpreter {
        let main = Arc::clone(flows.main());
        let start = main.start.clone();
        let variables = BTreeMap::from([
            ("call_id".to_owned(), facts.call_id.clone()),
            ("caller".to_owned(), facts.caller),
            ("dialled".to_owned(), facts.dialled),
        ]);
        let mut interpreter = Interpreter {
            flows,
            calendars,
            call_id: facts.call_id,
            variables,
            frames: vec![Frame {
                name: None,
                flow: main,
                return_to: None,
            }],
            node: start.clone(),
            progress: Progress::Nothing,
            wait: Wait::Running,
            type_ahead: VecDeque::new(),
            outputs: VecDeque::new(),
            trail: Vec::new(),
            next_request: 1,
            steps: 0,
        };
        interpreter.proceed(now_ms, Some(start));
        interpreter
    }

    pub fn handle(&mut self, now_ms: u64, input: Input) {
        if self.is_finished() {
            return;
        }
        self.steps = 0;
        match input {
            Input::Digit(key) if is_key(key) => self.key_pressed(now_ms, key),
            Input::Digit(_) => {}
            Input::PlaybackFinished => {
                if let Wait::Prompts { .. } = self.wait
                    && let Wait::Prompts { then, .. } =
                        std::mem::replace(&mut self.wait, Wait::Running)
                {
                    let next = self.after_prompts(now_ms, then);
                    self.proceed(now_ms, next);
                }
            }
            Input::LookupAnswered { request, result } => {
                if matches!(self.wait, Wait::Lookup { request: waiting, .. } if waiting == request)
                {
                    self.wait = Wait::Running;
                    let next = self.lookup_answered(now_ms, result);
                    self.proceed(now_ms, next);
                }
            }
            Input::QueueOverflowed { reason } => {
                if matches!(self.wait, Wait::Queue) {
                    self.record(now_ms, format!("overflow: {reason}"));
                    let next = match self.current() {
                        Some(Node::Queue(queue)) => queue.on_overflow,
                        _ => None,
                    };
                    self.proceed_or_hang_up(now_ms, next);
                }
            }
            Input::TransferFailed { reason } => {
                if matches!(self.wait, Wait::Transfer) {
                    self.record(now_ms, format!("transfer failed: {reason}"));
                    let next = match self.current() {
                        Some(Node::Transfer(transfer)) => transfer.on_failure,
                        _ => None,
                    };
                    self.proceed_or_hang_up(now_ms, next);
                }
            }
            Input::CallerHungUp => {
                self.record(now_ms, "caller hung up");
                self.finish();
            }
        }
    }

    /// Fires the timer due at `now_ms`, if any: a key wait or a lookup.
    pub fn handle_timeout(&mut self, now_ms: u64) {
        self.steps = 0;
        match self.wait {
            Wait::Keys { deadline_ms } if deadline_ms <= now_ms => {
                self.wait = Wait::Running;
                let next = self.keys_timed_out(now_ms);
                self.proceed(now_ms, next);
            }
            Wait::Lookup { deadline_ms, .. } if deadline_ms <= now_ms => {
                self.wait = Wait::Running;
                let next = self.lookup_timed_out(now_ms);
                self.proceed(now_ms, next);
            }
            _ => {}
        }
    }

    pub fn poll_timeout(&self) -> Option<u64> {
        match self.wait {
            Wait::Keys { deadline_ms } | Wait::Lookup { deadline_ms, .. } => Some(deadline_ms),
            _ => None,
        }
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    pub fn trail(&self) -> &[TrailStep] {
        &self.trail
    }

    pub fn variables(&self) -> &BTreeMap<String, String> {
        &self.variables
    }

    /// After Hangup, Voicemail or the caller hanging up; input is ignored.
    pub fn is_finished(&self) -> bool {
        matches!(self.wait, Wait::Finished)
    }

    /// The node the call is at, and its subflow (`None` for the main flow).
    pub fn position(&self) -> (Option<&str>, &str) {
        (self.frame().name.as_deref(), &self.node)
    }

    /// Enters nodes until one waits.
    pub(crate) fn proceed(&mut self, now: u64, mut next: Next) {
        while let Some(id) = next.take() {
            if self.is_finished() {
                return;
            }
            self.steps += 1;
            if self.steps > MAX_STEPS_WITHOUT_WAITING {
                self.record(
                    now,
                    format!(
                        "step guard: {MAX_STEPS_WITHOUT_WAITING} nodes in a row without waiting; hanging up"
                    ),
                );
                self.hang_up(now);
                return;
            }
            next = self.enter(now, id);
        }
        if matches!(self.wait, Wait::Running) {
            // Every node either leads on or waits; this is a bug, not input.
            self.record(now, "nothing to wait for; hanging up");
            self.hang_up(now);
        }
    }

    fn proceed_or_hang_up(&mut self, now: u64, next: Next) {
        match next {
            Some(next) => {
                self.wait = Wait::Running;
                self.proceed(now, Some(next));
            }
            None => self.hang_up(now),
        }
    }

    fn enter(&mut self, now: u64, id: String) -> Next {
        let flow = Arc::clone(&self.frame().flow);
        let Some(node) = flow.nodes.get(&id) else {
            self.record(now, format!("leads to unknown node \"{id}\"; hanging up"));
            self.hang_up(now);
            return None;
        };
        self.node = id;
        self.progress = Progress::Nothing;
        self.wait = Wait::Running;
        tracing::debug!(call_id = %self.call_id, node = %self.node, node_type = node.type_name(), "ivr node");
        self.record(now, "entered");
        match node {
            Node::Play(play) => self.play(
                now,
                &play.prompts,
                play.barge_in,
                Then::Node(play.next.clone()),
            ),
            Node::Menu(menu) => {
                self.progress = Progress::Menu { failures: 0 };
                self.offer(now, &menu.prompts)
            }
            Node::Collect(collect) => {
                self.progress = Progress::Collect {
                    failures: 0,
                    entry: String::new(),
                };
                self.offer(now, &collect.prompts)
            }
            Node::Survey(survey) => {
                self.progress = Progress::Survey { failures: 0 };
                self.offer(now, &survey.prompts)
            }
            Node::VerifyMember(verify) => {
                self.progress = Progress::Verify {
                    failures: 0,
                    stage: VerifyStage::Member,
                    entry: String::new(),
                    member: String::new(),
                };
                self.offer(now, &verify.member_prompts)
            }
            Node::Condition(condition) => Some(self.evaluate(now, condition)),
            Node::Lookup(lookup) => {
                self.lookup(now, lookup);
                None
            }
            Node::SetVariable(set) => {
                let value = expand(&set.value, &self.variables);
                self.record(now, format!("set {}={value}", set.name));
                self.variables.insert(set.name.clone(), value);
                Some(set.next.clone())
            }
            Node::Queue(queue) => {
                let data = self.expand_map(&queue.data);
                self.record(now, format!("queue {}", queue.queue));
                self.outputs.push_back(Output::Queue {
                    queue: queue.queue.clone(),
                    priority: queue.priority,
                    data,
                });
                self.wait = Wait::Queue;
                None
            }
            Node::Transfer(transfer) => {
                let value = expand(transfer.target.value(), &self.variables);
                let target = match &transfer.target {
                    TransferTarget::Extension(_) => TransferTarget::Extension(value),
                    TransferTarget::Agent(_) => TransferTarget::Agent(value),
                    TransferTarget::Number(_) => TransferTarget::Number(value),
                };
                self.record(now, format!("transfer to {}", describe_target(&target)));
                self.outputs.push_back(Output::Transfer { target });
                self.wait = Wait::Transfer;
                None
            }
            Node::Voicemail(voicemail) => self.play(
                now,
                &voicemail.prompts,
                false,
                Then::Voicemail {
                    mailbox: voicemail.mailbox.clone(),
                    max_seconds: voicemail.max_seconds,
                },
            ),
            Node::Hangup(hangup) => self.play(now, &hangup.prompts, false, Then::Hangup),
            Node::Subflow(subflow) => self.enter_subflow(now, subflow),
            Node::Return(_) => self.return_from_subflow(now),
        }
    }

    /// Plays `prompts` (templates filled in) and waits for them, or goes
    /// straight on when there is nothing to say.
    pub(crate) fn play(
        &mut self,
        now: u64,
        prompts: &[PromptRef],
        barge_in: bool,
        then: Then,
    ) -> Next {
        let speech = render(prompts, &self.variables);
        if speech.is_empty() {
            return self.after_prompts(now, then);
        }
        self.outputs.push_back(Output::Play {
            prompts: speech,
            language: self.frame().flow.language,
            barge_in,
        });
        self.wait = Wait::Prompts { then, barge_in };
        None
    }

    pub(crate) fn after_prompts(&mut self, now: u64, then: Then) -> Next {
        match then {
            Then::Node(next) => Some(next),
            Then::AwaitKeys => self.await_keys(now),
            Then::Hangup => {
                self.hang_up(now);
                None
            }
            Then::Voicemail {
                mailbox,
                max_seconds,
            } => {
                let owner = match &mailbox {
                    Mailbox::Queue(queue) => format!("queue {queue}"),
                    Mailbox::Agent(agent) => format!("agent {agent}"),
                };
                self.record(now, format!("voicemail for {owner}"));
                self.outputs.push_back(Output::Voicemail {
                    mailbox,
                    max_seconds,
                });
                self.finish();
                None
            }
        }
    }

    /// A key from the driver, whatever the interpreter is doing.
    fn key_pressed(&mut self, now: u64, key: char) {
        match self.wait {
            Wait::Keys { .. } => {
                let next = self.key(now, key);
                self.proceed(now, next);
            }
            Wait::Prompts { barge_in: true, .. } => {
                let Wait::Prompts { then, .. } = std::mem::replace(&mut self.wait, Wait::Running)
                else {
                    return;
                };
                // The key itself is not recorded: it may be part of a PIN.
                self.record(now, "barge-in");
                self.outputs.push_back(Output::StopPlayback);
                self.type_ahead.push_back(key);
                let next = self.after_prompts(now, then);
                self.proceed(now, next);
            }
            Wait::Prompts {
                barge_in: false, ..
            }
            | Wait::Lookup { .. } => {
                if self.type_ahead.len() < MAX_TYPE_AHEAD {
                    self.type_ahead.push_back(key);
                }
            }
            Wait::Running | Wait::Queue | Wait::Transfer | Wait::Finished => {}
        }
    }

    fn evaluate(&mut self, now: u64, condition: &ConditionNode) -> String {
        for (index, rule) in condition.rules.iter().enumerate() {
            if self.holds(now, &rule.when) {
                self.record(
                    now,
                    format!("rule {} holds: {}", index + 1, describe_test(&rule.when)),
                );
                return rule.next.clone();
            }
        }
        self.record(now, "otherwise");
        condition.otherwise.clone()
    }

    pub(crate) fn request_lookup(
        &mut self,
        now: u64,
        url: String,
        method: String,
        params: BTreeMap<String, String>,
        timeout_ms: u64,
    ) {
        let request = self.next_request;
        self.next_request += 1;
        self.outputs.push_back(Output::Lookup {
            request,
            url,
            method,
            params,
            timeout_ms,
        });
        self.wait = Wait::Lookup {
            request,
            deadline_ms: now.saturating_add(timeout_ms),
        };
    }

    fn lookup(&mut self, now: u64, lookup: &LookupNode) {
        let url = expand(&lookup.url, &self.variables);
        let params = self.expand_map(&lookup.params);
        self.request_lookup(
            now,
            url,
            lookup.method.to_ascii_uppercase(),
            params,
            lookup.timeout_ms,
        );
    }

    fn lookup_answered(
        &mut self,
        now: u64,
        result: Result<BTreeMap<String, String>, String>,
    ) -> Next {
        match self.current() {
            Some(Node::Lookup(lookup)) => match result {
                Ok(fields) => {
                    let shown: Vec<String> = fields
                        .iter()
                        .map(|(name, value)| format!("{name}={value}"))
                        .collect();
                    self.record(now, format!("lookup ok: {}", shown.join(", ")));
                    for (name, value) in fields {
                        self.variables
                            .insert(format!("{}.{name}", lookup.result_prefix), value);
                    }
                    Some(lookup.next)
                }
                Err(reason) => {
                    self.record(now, format!("lookup error: {reason}"));
                    Some(lookup.on_error)
                }
            },
            Some(Node::VerifyMember(verify)) => self.verify_answered(now, &verify, result),
            _ => None,
        }
    }

    fn lookup_timed_out(&mut self, now: u64) -> Next {
        match self.current() {
            Some(Node::Lookup(lookup)) => {
                self.record(now, "lookup timeout");
                Some(lookup.on_error)
            }
            Some(Node::VerifyMember(verify)) => {
                self.record(now, "verification lookup timeout");
                Some(verify.on_failure)
            }
            _ => None,
        }
    }

    fn enter_subflow(&mut self, now: u64, subflow: &SubflowNode) -> Next {
        if self.frames.len() >= MAX_SUBFLOW_DEPTH {
            self.record(
                now,
                format!("subflows nested deeper than {MAX_SUBFLOW_DEPTH}; hanging up"),
            );
            self.hang_up(now);
            return None;
        }
        let Some(flow) = self.flows.subflow(&subflow.flow).cloned() else {
            self.record(
                now,
                format!("subflow \"{}\" is not loaded; hanging up", subflow.flow),
            );
            self.hang_up(now);
            return None;
        };
        self.record(now, format!("subflow {}", subflow.flow));
        let start = flow.start.clone();
        self.frames.push(Frame {
            name: Some(subflow.flow.clone()),
            flow,
            return_to: Some(subflow.next.clone()),
        });
        Some(start)
    }

    fn return_from_subflow(&mut self, now: u64) -> Next {
        if self.frames.len() <= 1 {
            self.record(now, "return in the main flow: hanging up");
            self.hang_up(now);
            return None;
        }
        self.frames.pop().and_then(|frame| frame.return_to)
    }

    pub(crate) fn hang_up(&mut self, now: u64) {
        self.record(now, "hang up");
        self.outputs.push_back(Output::Hangup);
        self.finish();
    }

    fn finish(&mut self) {
        self.wait = Wait::Finished;
        self.type_ahead.clear();
    }

    pub(crate) fn record(&mut self, now: u64, detail: impl Into<String>) {
        let frame = self.frame();
        let node_type = frame
            .flow
            .nodes
            .get(&self.node)
            .map_or("unknown", Node::type_name);
        self.trail.push(TrailStep {
            flow: frame.name.clone(),
            node: self.node.clone(),
            node_type: node_type.to_owned(),
            at_ms: now,
            detail: detail.into(),
        });
    }

    fn frame(&self) -> &Frame {
        // `frames` starts with the main flow and only a subflow's return
        // pops, never the last one.
        &self.frames[self.frames.len() - 1]
    }

    /// The current node (a copy: handlers mutate the interpreter).
    pub(crate) fn current(&self) -> Option<Node> {
        self.frame().flow.nodes.get(&self.node).cloned()
    }

    pub(crate) fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.calendars.get(name)
    }

    pub(crate) fn variable(&self, name: &str) -> &str {
        self.variables.get(name).map_or("", String::as_str)
    }

    pub(crate) fn set_variable(&mut self, name: String, value: String) {
        self.variables.insert(name, value);
    }

    fn expand_map(&self, templates: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        templates
            .iter()
            .map(|(name, template)| (name.clone(), expand(template, &self.variables)))
            .collect()
    }
}

fn is_key(key: char) -> bool {
    matches!(key, '0'..='9' | '*' | '#')
}

fn describe_target(target: &TransferTarget) -> String {
    match target {
        TransferTarget::Extension(value) => format!("extension {value}"),
        TransferTarget::Agent(value) => format!("agent {value}"),
        TransferTarget::Number(value) => format!("number {value}"),
    }
}

fn describe_test(test: &crate::Test) -> String {
    use crate::Test;
    match test {
        Test::WorkTime(calendar) => format!("work_time {calendar}"),
        Test::OffTime(calendar) => format!("off_time {calendar}"),
        Test::Holiday(calendar) => format!("holiday {calendar}"),
        Test::CallerMatches(pattern) => format!("caller_matches {pattern}"),
        Test::DialledMatches(pattern) => format!("dialled_matches {pattern}"),
        Test::VariableEquals { variable, equals } => format!("{variable} equals {equals}"),
        Test::VariableMatches { variable, matches } => format!("{variable} matches {matches}"),
    }
}
