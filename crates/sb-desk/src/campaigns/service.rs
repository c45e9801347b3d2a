//! Applying the campaign rules over the store: decide on the campaign as
//! read; the store's write checks the stage again in the same statement
//! (a 409 naming the stage if it moved on meanwhile).

use sb_store::{Actor, Campaign, CampaignResult, CampaignTarget, CustomerFilter, Store};
use time::OffsetDateTime;

use super::rules::{CampaignCommand, check_result, next_stage, timeline_line};
use crate::DeskError;

/// Targets a campaign picks at most; a wider filter is narrowed first.
pub const MAX_TARGETS: i64 = 50_000;

#[derive(Debug, Clone)]
pub struct CampaignDesk {
    store: Store,
}

impl CampaignDesk {
    pub fn new(store: Store) -> CampaignDesk {
        CampaignDesk { store }
    }

    async fn decide(&self, id: i64, command: CampaignCommand) -> Result<Campaign, DeskError> {
        let campaign = self.store.campaign(id).await?;
        next_stage(campaign.state, command, &campaign.counts)?;
        Ok(campaign)
    }

    /// Picks the targets by `filter` (the campaign's saved one, in the
    /// caller's data scope), replacing earlier picks; only while planning.
    pub async fn pick_targets(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        filter: &CustomerFilter,
    ) -> Result<Campaign, DeskError> {
        self.decide(id, CampaignCommand::PickTargets).await?;
        let matching = self.store.count_customers(filter).await?;
        if matching > MAX_TARGETS {
            return Err(DeskError::invalid(
                "filter",
                format!("{matching} customers match; a campaign reaches at most {MAX_TARGETS}"),
            ));
        }
        Ok(self
            .store
            .pick_campaign_targets(now, actor, id, filter, MAX_TARGETS)
            .await?)
    }

    /// Moves the campaign on with `command` (start or finish).
    pub async fn advance(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        command: CampaignCommand,
    ) -> Result<Campaign, DeskError> {
        let campaign = self.store.campaign(id).await?;
        let to = next_stage(campaign.state, command, &campaign.counts)?;
        Ok(self
            .store
            .set_campaign_state(now, actor, id, campaign.state, to)
            .await?)
    }

    /// Records what came of one customer while the campaign runs.
    pub async fn record_result(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        customer_id: i64,
        result: CampaignResult,
    ) -> Result<CampaignTarget, DeskError> {
        let campaign = self.decide(id, CampaignCommand::RecordResult).await?;
        let result = check_result(result)?;
        let line = timeline_line(&campaign.theme, &result);
        Ok(self
            .store
            .record_campaign_result(now, actor, id, customer_id, &result, &line)
            .await?)
    }
}
