//! Identifier newtypes: components talk through ids, never references.

use std::fmt;

/// An agent, named by the directory (login name or extension).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentId(pub String);

/// A queue, named by configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(pub String);

/// A call as the caller of the API knows it (opaque here; the switch's call
/// handle). Must be unique over the life of one [`crate::Acd`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallRef(pub u64);

impl AgentId {
    pub fn new(name: impl Into<String>) -> Self {
        AgentId(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl QueueId {
    pub fn new(name: impl Into<String>) -> Self {
        QueueId(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for QueueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for CallRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
