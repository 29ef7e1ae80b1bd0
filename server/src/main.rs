//! `intake`: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;
use server::{cli, sandbox, telemetry};

/// mimalloc rather than the C library's allocator: reading a Cloud Link
/// report or an ingestion request makes and drops many small values, and
/// glibc's malloc and free were a fifth of the server's time on a history
/// import (ADR 0012).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // A query's sandbox bounds its own process: no runtime, no threads.
    if matches!(cli.command, Some(cli::Command::SqlSandbox)) {
        return sandbox::serve_child();
    }
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
