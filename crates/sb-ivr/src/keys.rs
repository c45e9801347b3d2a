//! What keys do in the nodes that wait for them: menus choose, collects and
//! member verification gather digits, surveys record an answer. Their
//! prompts can be interrupted by a key, and keys typed earlier (type-ahead)
//! are used before the prompts are even played.

use std::collections::BTreeMap;

use crate::interpreter::{Next, Progress, Then, VerifyStage, Wait};
use crate::node::{CollectNode, MenuNode, SurveyNode, VerifyMemberNode};
use crate::{Interpreter, Node, Output, PromptRef};

/// Member verification waits this long for a first digit, then for each next.
pub const VERIFY_FIRST_DIGIT_MS: u64 = 5_000;
pub const VERIFY_INTER_DIGIT_MS: u64 = 3_000;
/// How long member verification waits for its lookup.
pub const VERIFY_LOOKUP_TIMEOUT_MS: u64 = 3_000;
/// Member verification posts its lookup so the PIN stays out of URLs and
/// access logs.
const VERIFY_METHOD: &str = "POST";

/// What one more key does to a digit entry.
enum Entry {
    Incomplete,
    Done,
    Invalid,
}

fn enter_digit(entry: &mut String, key: char, max_digits: u32, terminator: Option<char>) -> Entry {
    if Some(key) == terminator {
        return Entry::Done;
    }
    if !key.is_ascii_digit() {
        return Entry::Invalid;
    }
    entry.push(key);
    if entry.len() >= usize::try_from(max_digits).unwrap_or(usize::MAX) {
        Entry::Done
    } else {
        Entry::Incomplete
    }
}

impl Interpreter {
    /// Starts a node that waits for keys: its prompts (interruptible), unless
    /// keys were typed ahead, which it uses at once.
    pub(crate) fn offer(&mut self, now: u64, prompts: &[PromptRef]) -> Next {
        if self.type_ahead.is_empty() {
            self.play(now, prompts, true, Then::AwaitKeys)
        } else {
            self.await_keys(now)
        }
    }

    /// Waits for keys, using those typed ahead first.
    pub(crate) fn await_keys(&mut self, now: u64) -> Next {
        self.wait = Wait::Keys {
            deadline_ms: now.saturating_add(self.key_wait_ms()),
        };
        while matches!(self.wait, Wait::Keys { .. }) {
            let Some(key) = self.type_ahead.pop_front() else {
                break;
            };
            let next = self.key(now, key);
            if next.is_some() {
                return next;
            }
        }
        None
    }

    /// How long the current node waits for its next key.
    fn key_wait_ms(&self) -> u64 {
        match (self.current(), &self.progress) {
            (Some(Node::Menu(menu)), _) => menu.timeout_ms,
            (Some(Node::Collect(collect)), Progress::Collect { entry, .. })
                if !entry.is_empty() =>
            {
                collect.inter_digit_ms
            }
            (Some(Node::Collect(collect)), _) => collect.timeout_ms,
            (Some(Node::Survey(survey)), _) => survey.timeout_ms,
            (_, Progress::Verify { entry, .. }) if !entry.is_empty() => VERIFY_INTER_DIGIT_MS,
            _ => VERIFY_FIRST_DIGIT_MS,
        }
    }

    /// A key while the current node waits for keys.
    pub(crate) fn key(&mut self, now: u64, key: char) -> Next {
        match self.current() {
            Some(Node::Menu(menu)) => self.menu_key(now, &menu, key),
            Some(Node::Collect(collect)) => self.collect_key(now, &collect, key),
            Some(Node::Survey(survey)) => self.survey_key(now, &survey, key),
            Some(Node::VerifyMember(verify)) => self.verify_key(now, &verify, key),
            _ => None,
        }
    }

    /// No key came in time.
    pub(crate) fn keys_timed_out(&mut self, now: u64) -> Next {
        match self.current() {
            Some(Node::Menu(menu)) => {
                self.record(now, "timeout");
                self.menu_retry(now, &menu, &menu.timeout_prompts)
            }
            Some(Node::Collect(collect)) => {
                if matches!(&self.progress, Progress::Collect { entry, .. } if entry.is_empty()) {
                    self.record(now, "timeout");
                    self.collect_retry(now, &collect)
                } else {
                    self.collect_done(now, &collect)
                }
            }
            Some(Node::Survey(survey)) => {
                self.record(now, "timeout");
                self.survey_retry(now, &survey)
            }
            Some(Node::VerifyMember(verify)) => self.verify_entry_done(now, &verify),
            _ => None,
        }
    }

    /// Counts one more failed try of the current node.
    fn count_failure(&mut self) -> u32 {
        self.type_ahead.clear();
        match &mut self.progress {
            Progress::Menu { failures }
            | Progress::Collect { failures, .. }
            | Progress::Survey { failures }
            | Progress::Verify { failures, .. } => {
                *failures += 1;
                *failures
            }
            Progress::Nothing => u32::MAX,
        }
    }

    fn menu_key(&mut self, now: u64, menu: &MenuNode, key: char) -> Next {
        if let Some(next) = menu.choices.get(key.encode_utf8(&mut [0; 4]) as &str) {
            self.record(now, format!("pressed {key}"));
            return Some(next.clone());
        }
        self.record(now, format!("invalid {key}"));
        self.menu_retry(now, menu, &menu.invalid_prompts)
    }

    /// After a wrong key or a timeout: the notice and the menu again, or
    /// `on_failure` once the retries are used up.
    fn menu_retry(&mut self, now: u64, menu: &MenuNode, notice: &[PromptRef]) -> Next {
        let failures = self.count_failure();
        if failures > menu.retries {
            self.record(now, format!("failed after {failures} tries"));
            return self.play(now, notice, false, Then::Node(menu.on_failure.clone()));
        }
        let again: Vec<PromptRef> = notice.iter().chain(&menu.prompts).cloned().collect();
        self.play(now, &again, true, Then::AwaitKeys)
    }

    fn collect_key(&mut self, now: u64, collect: &CollectNode, key: char) -> Next {
        let Progress::Collect { entry, .. } = &mut self.progress else {
            return None;
        };
        match enter_digit(entry, key, collect.max_digits, collect.terminator) {
            Entry::Incomplete => {
                self.wait = Wait::Keys {
                    deadline_ms: now.saturating_add(collect.inter_digit_ms),
                };
                None
            }
            Entry::Done => self.collect_done(now, collect),
            Entry::Invalid => {
                self.record(now, format!("invalid {key}"));
                self.collect_retry(now, collect)
            }
        }
    }

    fn collect_done(&mut self, now: u64, collect: &CollectNode) -> Next {
        let entry = match &mut self.progress {
            Progress::Collect { entry, .. } => std::mem::take(entry),
            _ => String::new(),
        };
        if entry.len() < usize::try_from(collect.min_digits).unwrap_or(usize::MAX) {
            self.record(
                now,
                format!(
                    "invalid \"{entry}\": fewer than {} digits",
                    collect.min_digits
                ),
            );
            return self.collect_retry(now, collect);
        }
        self.record(now, format!("collected {}={entry}", collect.variable));
        self.set_variable(collect.variable.clone(), entry);
        Some(collect.next.clone())
    }

    fn collect_retry(&mut self, now: u64, collect: &CollectNode) -> Next {
        if let Progress::Collect { entry, .. } = &mut self.progress {
            entry.clear();
        }
        let failures = self.count_failure();
        if failures > collect.retries {
            self.record(now, format!("failed after {failures} tries"));
            return self.play(
                now,
                &collect.invalid_prompts,
                false,
                Then::Node(collect.on_failure.clone()),
            );
        }
        let again: Vec<PromptRef> = collect
            .invalid_prompts
            .iter()
            .chain(&collect.prompts)
            .cloned()
            .collect();
        self.play(now, &again, true, Then::AwaitKeys)
    }

    fn survey_key(&mut self, now: u64, survey: &SurveyNode, key: char) -> Next {
        let mut buffer = [0; 4];
        let key_text: &str = key.encode_utf8(&mut buffer);
        if survey.choices.iter().any(|choice| choice == key_text) {
            self.record(now, format!("answered {key}"));
            self.outputs.push_back(Output::SurveyAnswered {
                question: survey.question.clone(),
                digit: key,
            });
            return self.play(now, &survey.thanks_prompts, false, survey_end(survey));
        }
        self.record(now, format!("invalid {key}"));
        self.survey_retry(now, survey)
    }

    fn survey_retry(&mut self, now: u64, survey: &SurveyNode) -> Next {
        let failures = self.count_failure();
        if failures > survey.retries {
            self.record(now, "no answer");
            return self.after_prompts(now, survey_end(survey));
        }
        self.play(now, &survey.prompts, true, Then::AwaitKeys)
    }

    fn verify_key(&mut self, now: u64, verify: &VerifyMemberNode, key: char) -> Next {
        let Progress::Verify { entry, .. } = &mut self.progress else {
            return None;
        };
        match enter_digit(entry, key, verify.max_digits, Some('#')) {
            Entry::Incomplete => {
                self.wait = Wait::Keys {
                    deadline_ms: now.saturating_add(VERIFY_INTER_DIGIT_MS),
                };
                None
            }
            Entry::Done => self.verify_entry_done(now, verify),
            Entry::Invalid => {
                self.record(now, format!("invalid {key}"));
                self.verify_retry(now, verify, "invalid-input")
            }
        }
    }

    /// A member number or PIN has been entered (or the caller stopped
    /// typing).
    fn verify_entry_done(&mut self, now: u64, verify: &VerifyMemberNode) -> Next {
        let Progress::Verify {
            stage,
            entry,
            member,
            ..
        } = &mut self.progress
        else {
            return None;
        };
        let digits = std::mem::take(entry);
        let stage_now = *stage;
        if digits.is_empty() {
            self.record(now, "timeout");
            return self.verify_retry(now, verify, "no-input");
        }
        match stage_now {
            VerifyStage::Member => {
                *member = digits.clone();
                *stage = VerifyStage::Pin;
                self.record(now, format!("member={digits}"));
                self.offer(now, &verify.pin_prompts)
            }
            VerifyStage::Pin => {
                *stage = VerifyStage::Checking;
                let member = member.clone();
                self.record(now, "pin=****");
                let params =
                    BTreeMap::from([("member".to_owned(), member), ("pin".to_owned(), digits)]);
                self.request_lookup(
                    now,
                    verify.url.clone(),
                    VERIFY_METHOD.to_owned(),
                    params,
                    VERIFY_LOOKUP_TIMEOUT_MS,
                );
                None
            }
            VerifyStage::Checking => None,
        }
    }

    pub(crate) fn verify_answered(
        &mut self,
        now: u64,
        verify: &VerifyMemberNode,
        result: Result<BTreeMap<String, String>, String>,
    ) -> Next {
        let fields = match result {
            Ok(fields) => fields,
            Err(reason) => {
                self.record(now, format!("verification lookup error: {reason}"));
                return Some(verify.on_failure.clone());
            }
        };
        let accepted = fields.get("ok").is_some_and(|ok| {
            let ok = ok.trim();
            ok == "1" || ok.eq_ignore_ascii_case("true")
        });
        if !accepted {
            self.record(now, "rejected");
            return self.verify_retry(now, verify, "verification-failed");
        }
        let member = match &self.progress {
            Progress::Verify { member, .. } => member.clone(),
            _ => String::new(),
        };
        self.record(now, format!("verified member={member}"));
        for (name, value) in fields {
            if name != "ok" && name != "pin" {
                self.set_variable(format!("{}.{name}", verify.member_variable), value);
            }
        }
        self.set_variable(verify.member_variable.clone(), member);
        Some(verify.next.clone())
    }

    /// A failed attempt: the built-in `notice` and the member prompts again,
    /// or `on_failure` once the attempts are used up.
    fn verify_retry(&mut self, now: u64, verify: &VerifyMemberNode, notice: &str) -> Next {
        let failures = self.count_failure();
        if let Progress::Verify {
            stage,
            entry,
            member,
            ..
        } = &mut self.progress
        {
            *stage = VerifyStage::Member;
            entry.clear();
            member.clear();
        }
        if failures >= verify.attempts {
            self.record(now, format!("failed after {failures} attempts"));
            return Some(verify.on_failure.clone());
        }
        let again: Vec<PromptRef> = std::iter::once(PromptRef::Builtin(notice.to_owned()))
            .chain(verify.member_prompts.iter().cloned())
            .collect();
        self.play(now, &again, true, Then::AwaitKeys)
    }
}

fn survey_end(survey: &SurveyNode) -> Then {
    survey.next.clone().map_or(Then::Hangup, Then::Node)
}
