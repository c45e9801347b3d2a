//! Screen pop's question (MISSION C4, C5): who is calling from this number?
//! The number is normalised the way stored numbers were, so `013800138000`
//! from a trunk finds the customer saved as `+86 138 0013 8000`; the answer
//! is one customer, none, or several to choose from, with the region the
//! number belongs to.

use serde::Serialize;
use utoipa::ToSchema;

use sb_core::phone::normalize;
use sb_core::phone_region::{Region, region_of};
use sb_store::{Customer, CustomerScope, Store};

use crate::error::{DeskError, Result};

/// At most this many customers are listed for a shared number.
pub const MAX_MATCHES: u32 = 20;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneLookup {
    /// The number normalised (`+8613800138000`).
    pub e164: String,
    /// `one`, `none` or `several`.
    pub outcome: LookupOutcome,
    pub customers: Vec<Customer>,
    pub region: Option<RegionInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LookupOutcome {
    One,
    None,
    Several,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RegionInfo {
    pub province: String,
    pub city: String,
    pub province_en: String,
    pub city_en: String,
}

impl From<&Region> for RegionInfo {
    fn from(r: &Region) -> RegionInfo {
        RegionInfo {
            province: r.province.clone(),
            city: r.city.clone(),
            province_en: r.province_en.clone(),
            city_en: r.city_en.clone(),
        }
    }
}

/// Finds the customers reachable in `scope` who hold `raw`.
pub async fn lookup_by_phone(
    store: &Store,
    raw: &str,
    default_area_code: Option<&str>,
    scope: &CustomerScope,
) -> Result<PhoneLookup> {
    let number = normalize(raw, default_area_code)
        .map_err(|e| DeskError::invalid("number", e.to_string()))?;
    let customers = store
        .customers_by_phone(&number.e164, scope, MAX_MATCHES)
        .await?;
    let outcome = match customers.len() {
        0 => LookupOutcome::None,
        1 => LookupOutcome::One,
        _ => LookupOutcome::Several,
    };
    Ok(PhoneLookup {
        region: region_of(&number).map(RegionInfo::from),
        e164: number.e164,
        outcome,
        customers,
    })
}
