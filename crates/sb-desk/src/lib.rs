//! The business desk (MISSION C, W, K, O, P): customers, tickets, knowledge
//! base, callbacks, campaigns and reports, on top of sb-store.
//!
//! Arrives with the service desk issue.
