//! An agent reached by a transfer or consultation (not by an ACD offer)
//! must not be offered another call meanwhile: the ACD has them not ready
//! with the reason [`REASON`] while their phone rings or talks, and ready
//! again when the last holder of this guard lets go (the transfer was not
//! answered, the call moved on or ended) — unless the agent changed their
//! state themselves in between.

use std::sync::Arc;

use tracing::{debug, warn};

use crate::acd_task::AcdService;
use crate::acd_view::AgentCommand;

/// The not-ready reason the agent's desktop and the supervisor see.
pub(super) const REASON: &str = "transferred call";

pub(super) struct BusyAgent {
    acd: AcdService,
    agent: String,
}

impl std::fmt::Debug for BusyAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusyAgent")
            .field("agent", &self.agent)
            .finish()
    }
}

impl BusyAgent {
    /// Takes a ready agent out of distribution; refused with the agent's
    /// state when they are not ready.
    pub(super) async fn take(acd: &AcdService, agent: &str) -> Result<Arc<BusyAgent>, String> {
        let view = acd.view().await;
        let state = view
            .agents
            .iter()
            .find(|a| a.employee_id == agent)
            .map_or("logged_out", |a| a.state);
        if state != "ready" {
            return Err(format!("agent {agent} is {}", state.replace('_', " ")));
        }
        acd.agent(
            agent,
            AgentCommand::NotReady {
                reason: REASON.into(),
            },
        )
        .await
        .map_err(|error| format!("agent {agent}: {error}"))?;
        debug!(%agent, "agent held for a transferred call");
        Ok(Arc::new(BusyAgent {
            acd: acd.clone(),
            agent: agent.to_owned(),
        }))
    }
}

impl Drop for BusyAgent {
    fn drop(&mut self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (acd, agent) = (self.acd.clone(), std::mem::take(&mut self.agent));
        runtime.spawn(async move {
            let view = acd.view().await;
            let still_ours = view.agents.iter().any(|a| {
                a.employee_id == agent
                    && a.state == "not_ready"
                    && a.reason.as_deref() == Some(REASON)
            });
            if still_ours && let Err(error) = acd.agent(&agent, AgentCommand::Ready).await {
                warn!(%agent, %error, "could not make the agent ready after a transferred call");
            }
        });
    }
}
