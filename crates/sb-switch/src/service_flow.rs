//! Loading what a service call runs: the flow's current version and the
//! sub-flows it names (a running call keeps these versions), the business
//! calendars its conditions read, and the small built-in flows for calls
//! routed straight to a queue or refused with a prompt.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use sb_calendar::Calendar;
use sb_ivr::{FlowDocument, FlowSet};
use tracing::warn;

use crate::directory::Directory;
use crate::routing::Service;

/// A flow ready to run, with the version the trail names.
pub(crate) struct LoadedFlow {
    pub name: String,
    pub version: i64,
    pub flows: FlowSet,
    pub calendars: BTreeMap<String, Calendar>,
}

/// Published flows and the calendars, parsed, as the store last gave them:
/// a service call reads no database unless an admin changed something
/// (`clear` on every flow or calendar change).
#[derive(Debug, Default)]
pub(crate) struct FlowCache {
    flows: Mutex<HashMap<String, (i64, Arc<FlowDocument>)>>,
    calendars: Mutex<Option<BTreeMap<String, Calendar>>>,
}

impl FlowCache {
    pub(crate) fn clear(&self) {
        if let Ok(mut flows) = self.flows.lock() {
            flows.clear();
        }
        if let Ok(mut calendars) = self.calendars.lock() {
            *calendars = None;
        }
    }

    /// A flow's current version, from memory or the store.
    async fn flow(
        &self,
        directory: &dyn Directory,
        name: &str,
    ) -> Result<(i64, Arc<FlowDocument>), String> {
        if let Some(found) = self.flows.lock().ok().and_then(|f| f.get(name).cloned()) {
            return Ok(found);
        }
        let stored = directory
            .flow(name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no voice flow named {name}"))?;
        let document = FlowDocument::parse(&stored.document)
            .map_err(|e| format!("flow {name} version {}: {e}", stored.version))?;
        let entry = (stored.version, Arc::new(document));
        if let Ok(mut flows) = self.flows.lock() {
            flows.insert(name.to_owned(), entry.clone());
        }
        Ok(entry)
    }

    async fn calendars(
        &self,
        directory: &dyn Directory,
    ) -> Result<BTreeMap<String, Calendar>, String> {
        if let Some(found) = self.calendars.lock().ok().and_then(|c| c.clone()) {
            return Ok(found);
        }
        let mut calendars = BTreeMap::new();
        for (calendar, json) in directory.calendars().await.map_err(|e| e.to_string())? {
            match Calendar::parse(&json) {
                Ok(parsed) => {
                    calendars.insert(calendar, parsed);
                }
                Err(error) => warn!(%calendar, %error, "calendar skipped: it does not parse"),
            }
        }
        if let Ok(mut cached) = self.calendars.lock() {
            *cached = Some(calendars.clone());
        }
        Ok(calendars)
    }
}

/// Sub-flows nest at most this deep (a flow that calls itself would
/// otherwise load forever).
const MAX_SUBFLOW_DEPTH: usize = 8;

pub(crate) async fn load(
    cache: &FlowCache,
    directory: &dyn Directory,
    service: &Service,
) -> Result<LoadedFlow, String> {
    let (name, version, main) = match service {
        Service::Flow(name) => {
            let (version, document) = cache.flow(directory, name).await?;
            (name.clone(), version, document)
        }
        Service::Queue(queue) => {
            let json = serde_json::json!({
                "start": "queue",
                "nodes": { "queue": { "type": "queue", "queue": queue } }
            });
            let document = FlowDocument::parse(&json.to_string()).map_err(|e| e.to_string())?;
            (format!("queue:{queue}"), 0, Arc::new(document))
        }
        Service::Refuse { prompt } => {
            let json = serde_json::json!({
                "start": "refuse",
                "nodes": { "refuse": { "type": "hangup", "prompts": [ { "prompt": prompt } ] } }
            });
            let document = FlowDocument::parse(&json.to_string()).map_err(|e| e.to_string())?;
            ("blacklist".to_owned(), 0, Arc::new(document))
        }
    };
    let mut subflows = BTreeMap::new();
    let mut pending: Vec<(String, usize)> = main.subflows().into_iter().map(|n| (n, 1)).collect();
    while let Some((subflow, depth)) = pending.pop() {
        if subflows.contains_key(&subflow) || subflow == name {
            continue;
        }
        if depth > MAX_SUBFLOW_DEPTH {
            return Err(format!(
                "sub-flows nest deeper than {MAX_SUBFLOW_DEPTH} at {subflow}"
            ));
        }
        let (_, document) = cache
            .flow(directory, &subflow)
            .await
            .map_err(|e| format!("sub-flow of {name}: {e}"))?;
        pending.extend(document.subflows().into_iter().map(|n| (n, depth + 1)));
        subflows.insert(subflow, document);
    }
    let calendars = cache.calendars(directory).await?;
    Ok(LoadedFlow {
        name,
        version,
        flows: FlowSet::new(main, subflows),
        calendars,
    })
}
