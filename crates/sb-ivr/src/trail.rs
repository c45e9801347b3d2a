//! The trail of a call through its flow, for the call record and for
//! debugging flows: every node entered, key pressed and result.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailStep {
    /// The subflow the node belongs to; absent for the main flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<String>,
    pub node: String,
    pub node_type: String,
    pub at_ms: u64,
    /// "entered", "pressed 2", "timeout", "invalid 7", "lookup ok:
    /// status=shipped", "queue sales", "collected order=123", "pin=****".
    pub detail: String,
}
