//! Marketing campaigns (MISSION O4): the stages and what each allows, the
//! checks of a customer's result and the campaign's rates, all pure
//! (`rules`), and the service that applies them over the store (`service`).

pub mod rules;
pub mod service;

pub use rules::{CampaignCommand, CampaignRates, check_result, next_stage, rates, timeline_line};
pub use service::CampaignDesk;
