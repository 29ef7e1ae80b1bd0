//! Secrets: password hashes, access tokens and sealed credentials.

pub mod credentials;
pub mod password;
pub mod token;
