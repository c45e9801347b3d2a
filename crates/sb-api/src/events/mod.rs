//! CTI events (MISSION X3, X4): the bus the switch and the API publish
//! to, and the WebSocket stream desktops, wallboards and integrations read.

pub mod bus;
pub mod stream;

pub use bus::{EventBus, Published};
