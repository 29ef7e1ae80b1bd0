//! Cloud Link: the on-premise client that pairs with one integration and
//! pulls work from Intake over outbound HTTPS (DESIGN §5, ADR 0009).
//!
//! Built so far: the command line, the strict reading of
//! `cloud-link.toml` and the pairing box. Pairing, the work loop, `check`
//! and the services come next (issue 12); until then those commands check
//! the configuration and then say they are not available, so nobody
//! mistakes this build for a working client.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use cloud_link::config;

#[derive(Parser)]
#[command(
    name = "cloud-link",
    version,
    about = "Connects an Intake integration to systems inside your network, over outbound HTTPS only."
)]
struct Cli {
    /// The configuration file [default: cloud-link.toml next to the executable]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs in the foreground: pairs when needed, then fetches and runs jobs
    Run,
    /// Forgets the pairing and shows a new PIN to enter on the integration's page
    Pin,
    /// Checks the configuration, the way to the console (DNS, proxy, TLS, clock) and the import folder
    Check,
    /// Installs and drives the system service named after [app] name
    Service {
        #[command(subcommand)]
        action: ServiceAction,
    },
}

#[derive(Subcommand)]
enum ServiceAction {
    /// Installs the service and enables it at boot
    Install,
    /// Starts the installed service
    Start,
    /// Stops the running service
    Stop,
    /// Removes the service
    Uninstall,
    /// Says whether the service is installed and running
    Status,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let path = match cli.config {
        Some(path) => path,
        None => match std::env::current_exe() {
            Ok(exe) => exe.with_file_name(config::FILE_NAME),
            Err(error) => {
                eprintln!("cannot find the executable's folder: {error}; use --config PATH");
                return ExitCode::from(2);
            }
        },
    };
    let config = match config::Config::load(&path) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let command = match cli.command {
        Command::Run => "run",
        Command::Pin => "pin",
        Command::Check => "check",
        Command::Service { .. } => "service",
    };
    eprintln!(
        "cloud-link {}: {} is read and valid (service {:?}, console {}), but `{command}` is not \
         available in this build yet",
        env!("CARGO_PKG_VERSION"),
        path.display(),
        config.name,
        config.server_url,
    );
    ExitCode::from(2)
}
