//! The flows one call runs: the main flow and the subflows it (or they)
//! name, loaded by the driver before the call starts so that a call keeps
//! the versions it started with.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::FlowDocument;

#[derive(Debug, Clone)]
pub struct FlowSet {
    main: Arc<FlowDocument>,
    subflows: BTreeMap<String, Arc<FlowDocument>>,
}

impl FlowSet {
    pub fn new(main: Arc<FlowDocument>, subflows: BTreeMap<String, Arc<FlowDocument>>) -> FlowSet {
        FlowSet { main, subflows }
    }

    /// A main flow without subflows.
    pub fn single(main: Arc<FlowDocument>) -> FlowSet {
        FlowSet::new(main, BTreeMap::new())
    }

    pub fn with_subflow(mut self, name: impl Into<String>, flow: Arc<FlowDocument>) -> FlowSet {
        self.subflows.insert(name.into(), flow);
        self
    }

    pub fn main(&self) -> &Arc<FlowDocument> {
        &self.main
    }

    pub fn subflow(&self, name: &str) -> Option<&Arc<FlowDocument>> {
        self.subflows.get(name)
    }

    /// Subflows named by the main flow or a loaded subflow but not loaded:
    /// the driver loads them and asks again until this is empty.
    pub fn missing_subflows(&self) -> Vec<String> {
        let named: BTreeSet<String> = std::iter::once(&self.main)
            .chain(self.subflows.values())
            .flat_map(|flow| flow.subflows())
            .collect();
        named
            .into_iter()
            .filter(|name| !self.subflows.contains_key(name))
            .collect()
    }
}

/// What the switch knows of the call; they become the variables `call_id`,
/// `caller` and `dialled`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFacts {
    pub call_id: String,
    pub caller: String,
    pub dialled: String,
}
