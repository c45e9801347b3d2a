//! Music on hold (MISSION G4).
//!
//! Every listener of a class hears the same stream: the position is derived
//! from the clock, not kept per call, so a thousand callers on hold cost one
//! decoded buffer and one copy per frame each, not a thousand decoders.
//!
//! - `class`: one class of music (a folder of WAVs played in name order);
//! - `builtin`: the melody used when no folder is configured;
//! - `library`: the classes by name, with "default" as the fallback.

mod builtin;
mod class;
mod library;

pub use class::MusicClass;
pub use library::MusicLibrary;
