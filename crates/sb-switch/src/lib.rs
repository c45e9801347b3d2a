//! The call runtime: sockets, one tokio task per call driving an sb-call
//! state machine and its media, the ACD task, recording writers and the CTI
//! event bus. The only crate that does call IO.
//!
//! Arrives with the SIP switch issue.
