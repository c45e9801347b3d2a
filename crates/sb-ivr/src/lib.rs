//! Voice flows (MISSION I1-I9): versioned JSON flow documents and their
//! interpreter, which emits commands (Play, Collect, Queue, Transfer) and
//! takes results; sans-IO.
//!
//! Depends only on sb-core. Arrives with the ACD and IVR issue.
