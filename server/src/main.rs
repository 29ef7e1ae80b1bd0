//! `intake`: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;
use server::{cli, sandbox, telemetry};

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
