//! `intake`: parses the command line and hands over to the library.

use std::process::ExitCode;

use clap::Parser;
use server::{cli, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    match cli::run(cli::Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
