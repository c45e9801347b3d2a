//! A call driven on a virtual clock: the harness plays the switch.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use sb_calendar::Calendar;
use sb_ivr::{CallFacts, FlowDocument, FlowSet, Input, Interpreter, Output};

pub const CALLER: &str = "13800000000";

pub fn document(json: &str) -> Arc<FlowDocument> {
    Arc::new(FlowDocument::parse(json).expect("a valid flow"))
}

/// Mon-Fri 09:00-12:00 and 13:00-18:00 in Beijing.
pub fn standard_calendar() -> Calendar {
    Calendar::parse(
        r#"{"utc_offset_minutes": 480, "weekly": {
            "mon": ["09:00-12:00", "13:00-18:00"], "tue": ["09:00-12:00", "13:00-18:00"],
            "wed": ["09:00-12:00", "13:00-18:00"], "thu": ["09:00-12:00", "13:00-18:00"],
            "fri": ["09:00-12:00", "13:00-18:00"]},
            "holidays": ["2025-10-01"]}"#,
    )
    .expect("a valid calendar")
}

/// Monday 2025-06-09 10:00 in Beijing.
pub const MONDAY_10AM: u64 = 1_749_434_400_000;
/// Saturday 2025-06-07 10:00 in Beijing.
pub const SATURDAY_10AM: u64 = MONDAY_10AM - 2 * 86_400_000;

#[derive(Debug)]
pub struct Call {
    pub ivr: Interpreter,
    pub now: u64,
    /// Every output so far, in order.
    pub all_outputs: Vec<Output>,
}

impl Call {
    pub fn start(flows: FlowSet, at: u64) -> (Call, Vec<Output>) {
        let calendars = BTreeMap::from([("standard".to_owned(), standard_calendar())]);
        let facts = CallFacts {
            call_id: "call-1".to_owned(),
            caller: CALLER.to_owned(),
            dialled: "4008001234".to_owned(),
        };
        let mut call = Call {
            ivr: Interpreter::start(at, flows, facts, calendars),
            now: at,
            all_outputs: Vec::new(),
        };
        let outputs = call.drain();
        (call, outputs)
    }

    pub fn start_json(json: &str, at: u64) -> (Call, Vec<Output>) {
        Call::start(FlowSet::single(document(json)), at)
    }

    pub fn drain(&mut self) -> Vec<Output> {
        let outputs: Vec<Output> = std::iter::from_fn(|| self.ivr.poll_output()).collect();
        self.all_outputs.extend(outputs.iter().cloned());
        outputs
    }

    pub fn input(&mut self, input: Input) -> Vec<Output> {
        self.ivr.handle(self.now, input);
        self.drain()
    }

    pub fn press(&mut self, keys: &str) -> Vec<Output> {
        let mut outputs = Vec::new();
        for key in keys.chars() {
            outputs.extend(self.wait(200));
            outputs.extend(self.input(Input::Digit(key)));
        }
        outputs
    }

    /// The latest prompts finished playing a second later (timers due in
    /// that second fire first, as they would for the switch).
    pub fn played(&mut self) -> Vec<Output> {
        let mut outputs = self.wait(1_000);
        outputs.extend(self.input(Input::PlaybackFinished));
        outputs
    }

    /// Moves the clock on by `ms`, firing every timer that falls due.
    pub fn wait(&mut self, ms: u64) -> Vec<Output> {
        let until = self.now + ms;
        let mut outputs = Vec::new();
        while let Some(deadline) = self.ivr.poll_timeout().filter(|due| *due <= until) {
            self.now = self.now.max(deadline);
            self.ivr.handle_timeout(self.now);
            outputs.extend(self.drain());
        }
        self.now = until;
        outputs
    }

    /// The trail as "node: detail" lines.
    pub fn trail(&self) -> Vec<String> {
        self.ivr
            .trail()
            .iter()
            .map(|step| format!("{}: {}", step.node, step.detail))
            .collect()
    }

    pub fn trail_has(&self, line: &str) -> bool {
        self.trail().iter().any(|step| step == line)
    }
}

pub fn builtin(name: &str) -> sb_ivr::Speech {
    sb_ivr::Speech::Builtin(name.to_owned())
}

pub fn tts(text: &str) -> sb_ivr::Speech {
    sb_ivr::Speech::Tts {
        text: text.to_owned(),
        language: None,
    }
}

/// A Play of `prompts` in Chinese.
pub fn play(prompts: Vec<sb_ivr::Speech>, barge_in: bool) -> Output {
    Output::Play {
        prompts,
        language: sb_ivr::Language::Zh,
        barge_in,
    }
}
