//! Customers (MISSION C1-C7): checking profiles into what the store keeps,
//! the ID card rules, the dictionary vocabulary a record is checked against,
//! and the phone lookup behind screen pop.

mod draft;
mod id_card;
mod lookup;
mod rules;

pub use draft::{
    AddressDraft, CustomerDraft, EmailDraft, FieldProblem, NAME_MAX, PhoneDraft, date_string,
    parse_date, parse_gender, parse_lifecycle,
};
pub use id_card::{IdCard, parse_id_card};
pub use lookup::{LookupOutcome, MAX_MATCHES, PhoneLookup, RegionInfo, lookup_by_phone};
pub use rules::{
    ASSET_KIND_LIST, Choices, CustomerRules, EDUCATION_LIST, LEVEL_LIST, MARITAL_LIST,
};
