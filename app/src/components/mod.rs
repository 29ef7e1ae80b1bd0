//! View-only building blocks; no data access.

pub mod forms;
pub mod icons;
pub mod language;
pub mod layout;
