//! Marketing campaigns (MISSION O4): the campaign with the saved customer
//! filter that picks its targets (`campaign`), and each target's result:
//! invited or why not, came, gift taken, satisfaction (`targets`). Counts
//! for the rates are taken on read; the rates themselves are sb-desk's.
//!
//! A campaign's stage decides what may change (targets while planning,
//! results while running); each write checks the stage it was decided on
//! in its own statement, so a finish racing a result cannot lose either.

mod campaign;
mod targets;

pub use campaign::{Campaign, CampaignCounts, CampaignInput};
pub use targets::{CampaignResult, CampaignTarget, CampaignTargetFilter};
