//! Webhooks (MISSION X3): every CTI event on the bus is POSTed, signed, to
//! each enabled webhook that subscribes to its type.
//!
//! Layout: `schedule` (the pure retry schedule), `signature` (the
//! `X-Switchboard-Signature` header), `client` (the HTTP POST and the URL
//! rule), `hub` (what routes and the dispatcher share: the client, a wake-up
//! and the webhook list's generation), `dispatcher` (the background task).
//!
//! The delivery log in the store is the queue: the dispatcher's intake
//! writes a pending row per matching webhook for each event, then its sender
//! claims due rows (leasing them past the request timeout), POSTs them with
//! at most `max_in_flight` requests at once and records each attempt. The
//! bus is a broadcast channel, so a slow receiver or database can only make
//! the intake lag (it logs how many events it missed), never slow the switch.

pub mod client;
pub mod dispatcher;
pub mod hub;
pub mod schedule;
pub mod signature;

pub use client::{Attempted, WebhookClient, check_url};
pub use dispatcher::{DeliveryConfig, spawn};
pub use hub::WebhookHub;
pub use schedule::RetrySchedule;
pub use signature::{SIGNATURE_HEADER, sign};
