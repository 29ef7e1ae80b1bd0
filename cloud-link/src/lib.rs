//! The Cloud Link client's parts, used by its binary and tested here.

pub mod config;
pub mod log;
pub mod pairing;
pub mod state;
