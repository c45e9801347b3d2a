//! Who is calling and what they may do: console sessions (HttpOnly cookie +
//! CSRF header), bearer API tokens, Argon2 passwords, and the `Can<P>`
//! extractor that every protected route takes first.

pub mod can;
pub mod cookie;
pub mod password;
pub mod principal;
pub mod secret;

pub use can::{Can, perm};
pub use principal::{Principal, Via};
