//! Apply: carries out a plan against Clay, step by step, with a state checkpoint after each.
//!
//! Owns: the DAG scheduler ([`scheduler`]) and the progress hook ([`hook`]).
//! Must not know: Clay's JSON (it calls the provider), printing (it emits hook events).

pub mod hook;
pub mod scheduler;
