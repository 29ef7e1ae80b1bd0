//! One module per route.

pub mod home;
pub mod integrations;
pub mod login;
pub mod not_found;
pub mod setup;
#[cfg(feature = "ssr")]
pub mod too_many_attempts;
