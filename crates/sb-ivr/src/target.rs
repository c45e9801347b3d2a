//! Where a transfer goes and whose mailbox a voicemail fills: single-key
//! objects such as `{"extension": "1003"}` or `{"queue": "sales"}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    Extension(String),
    /// An agent by employee ID, wherever they are logged in.
    Agent(String),
    /// An outside number, through the outbound routes.
    Number(String),
}

impl TransferTarget {
    pub fn value(&self) -> &str {
        match self {
            TransferTarget::Extension(value)
            | TransferTarget::Agent(value)
            | TransferTarget::Number(value) => value,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mailbox {
    Queue(String),
    Agent(String),
}
