//! One module per route.

pub mod activities;
pub mod audit;
pub mod employee;
pub mod employees;
pub mod home;
pub mod integrations;
pub mod intraday;
pub mod login;
pub mod not_found;
pub mod queues;
pub mod setup;
pub mod tokens;
#[cfg(feature = "ssr")]
pub mod too_many_attempts;
pub mod workloads;
