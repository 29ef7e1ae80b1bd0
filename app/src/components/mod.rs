//! View-only building blocks; no data access.

pub mod dialog;
pub mod forms;
pub mod icons;
pub mod integration;
pub mod language;
pub mod layout;
