//! Intake's concepts as types that parse, and its rules as services over a
//! [`store::Store`]. No I/O and no HTML: this crate also builds for wasm so
//! forms can check input with the same code as the server.

pub mod account;
pub mod actor;
pub mod audit;
pub mod catalogue;
pub mod cloud_link;
pub mod csv;
pub mod database;
pub mod email;
pub mod ingest;
pub mod integration;
pub mod integrations;
pub mod language;
pub mod login;
pub mod page;
pub mod password;
pub mod role;
pub mod secret;
pub mod setup;
pub mod store;
pub mod text;
pub mod tokens;
pub mod workforce;

pub use account::{AccountId, AccountName};
pub use email::EmailAddress;
pub use language::Language;
pub use password::Password;
pub use role::Role;
pub use setup::UserId;
