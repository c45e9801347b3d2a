//! Automatic call distribution (MISSION A1-A10): queues, agents, skills,
//! strategies, overflow and wrap-up as one state machine with a replayable
//! event log, sans-IO on a virtual clock.
//!
//! Depends only on sb-core. Arrives with the ACD and IVR issue.
