//! Business calendars (MISSION I2, W3, O2): business hours, holidays and
//! make-up workdays, and SLA clocks that pause outside working time.
//!
//! A sans-IO core: depends only on sb-core, never on tokio, sqlx or axum.
//! Arrives with the IVR issue; the boundary is fixed now so that ticket SLAs
//! and dialer windows share one implementation.
