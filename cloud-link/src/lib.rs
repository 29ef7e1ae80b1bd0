//! The Cloud Link client's parts, used by its binary and tested here.

pub mod backoff;
pub mod check;
pub mod config;
pub mod ledger;
pub mod log;
pub mod net;
pub mod pairing;
pub mod query;
pub mod service;
pub mod state;
pub mod work;
