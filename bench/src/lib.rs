//! What the benchmarks share: the release server they start and measure.

pub mod server;
