//! Secrets: password hashes and access tokens.

pub mod password;
pub mod token;
