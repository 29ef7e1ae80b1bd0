//! View-only building blocks; no data access.

pub mod chart;
pub mod dialog;
pub mod forms;
pub mod icons;
pub mod integration;
pub mod language;
pub mod layout;
