//! Plans: what apply would do, and why.
//!
//! Owns: the plan model ([`Plan`], [`ResourceChange`], [`Action`], [`Reason`]) and the diff that
//! computes it from desired objects (built from the spec) and prior objects (state refreshed from
//! Clay). Must not know: Clay's JSON or HTTP (configs arrive normalised), the state file format,
//! or printing.
//!
//! Architecture invariant: a plan is computed from desired objects and the refreshed prior state
//! alone; the diff is pure.

pub mod config;
mod desired;
mod diff;
mod model;
pub mod render;
pub mod saved;

pub use desired::desired_objects;
pub use diff::{DesiredObject, PriorObject, diff};
pub use model::{Action, ChangeCost, Plan, PlanProblem, Reason, ResourceChange};
