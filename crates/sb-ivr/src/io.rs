//! What goes into an interpreter and what comes out of it.

use std::collections::BTreeMap;

use crate::{Language, Mailbox, Speech, TransferTarget};

/// What the driver reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A DTMF key: '0'-'9', '*', '#' (anything else is ignored).
    Digit(char),
    /// The latest [`Output::Play`] has finished. Not sent for a playback
    /// cut short by [`Output::StopPlayback`] or replaced by a newer Play.
    PlaybackFinished,
    /// The answer to [`Output::Lookup`] `request`: the answer's top-level
    /// string and number fields, or why it failed. A late answer (after the
    /// lookup's timeout) is ignored.
    LookupAnswered {
        request: u64,
        result: Result<BTreeMap<String, String>, String>,
    },
    /// The queue gave the call back (too long a wait, full, no agents).
    QueueOverflowed {
        reason: String,
    },
    TransferFailed {
        reason: String,
    },
    CallerHungUp,
}

/// What the driver is asked to do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Play these back to back, replacing any playback in progress, then
    /// report [`Input::PlaybackFinished`]. With `barge_in` a key stops them
    /// (the interpreter sends [`Output::StopPlayback`]).
    Play {
        prompts: Vec<Speech>,
        language: Language,
        barge_in: bool,
    },
    StopPlayback,
    /// Make an HTTP request (GET: params in the query; POST: a JSON body)
    /// and answer with [`Input::LookupAnswered`]; the interpreter gives up
    /// after `timeout_ms` by itself.
    Lookup {
        request: u64,
        url: String,
        method: String,
        params: BTreeMap<String, String>,
        timeout_ms: u64,
    },
    /// Hand the call to the ACD; report [`Input::QueueOverflowed`] if it
    /// comes back. An answered call needs nothing more from the flow.
    Queue {
        queue: String,
        priority: u8,
        data: BTreeMap<String, String>,
    },
    /// Report [`Input::TransferFailed`] if it fails.
    Transfer {
        target: TransferTarget,
    },
    /// Record a message after a beep, then hang up; the flow is over.
    Voicemail {
        mailbox: Mailbox,
        max_seconds: u32,
    },
    /// A survey answer to store.
    SurveyAnswered {
        question: String,
        digit: char,
    },
    /// The flow is over: hang up.
    Hangup,
}
