//! Shared vocabulary of Switchboard: the ids every crate passes around and the
//! function-permission catalogue with its data scopes.
//!
//! Layout: `ids` (newtype ids), `permission` (what a role may do and on which
//! records). This crate has no IO and no async; every other crate depends on it.

pub mod error;
pub mod ids;
pub mod permission;

pub use error::CoreError;
pub use ids::{DepartmentId, RoleId, StaffId};
pub use permission::{DataScope, Permission};
