//! SIP for Switchboard (MISSION T1, T2, T5): transports, transactions and
//! dialogs from rsipstack (the only crate that names it), plus our registrar
//! and location service, digest auth with a nonce store, trunk registration
//! and overload control.
//!
//! Arrives with the SIP switch issue; `--sip` is already parsed by the binary.
