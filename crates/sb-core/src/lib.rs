//! Shared vocabulary of Switchboard: the ids every crate passes around and the
//! function-permission catalogue with its data scopes.
//!
//! Layout: `ids` (newtype ids), `permission` (what a role may do and on which
//! records), `call_class` (what an extension may dial), `sip_secret` (digest
//! HA1 derivation shared by the store, the API and the registrar),
//! `cti` (the events desktops, wallboards and webhooks receive),
//! `dial_pattern` (outbound route patterns), `address_range` (IPs and CIDR
//! blocks a trunk trusts), `secret` (hex, constant-time comparison), `phone` (numbers normalised to
//! E.164) and `phone_region` (province and city of Chinese numbers), `follow_me` (an agent's
//! mobile ringing with their extension). This
//! crate has no IO and no async; every other crate depends on it.

pub mod address_range;
pub mod call_class;
pub mod cti;
pub mod dial_pattern;
pub mod error;
pub mod follow_me;
pub mod ids;
pub mod permission;
pub mod phone;
pub mod phone_region;
pub mod secret;
pub mod sip_secret;
pub mod site_network;

pub use address_range::AddressRange;
pub use call_class::CallClass;
pub use dial_pattern::DialPattern;
pub use error::CoreError;
pub use follow_me::FollowMeMode;
pub use ids::{DepartmentId, RoleId, StaffId};
pub use permission::{DataScope, Permission};
pub use sip_secret::SipSecret;
