//! The Intake server: configuration, startup, the HTTP surface and storage.
//! `main.rs` only parses the command line and calls into here, so tests
//! build exactly the application that ships.

pub mod cli;
pub mod config;
pub mod db;
pub mod downloads;
pub mod http;
pub mod sandbox;
pub mod scheduler;
pub mod secrets;
pub mod startup;
pub mod telemetry;
