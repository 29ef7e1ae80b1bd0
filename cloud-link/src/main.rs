//! Cloud Link: the on-premise client that pairs with one integration and
//! pulls work from Intake over outbound HTTPS (DESIGN §5, ADR 0009).
//!
//! The command line: `run` pairs when needed (keeping the credential in
//! `cloud-link.state`) and then works; `pin` pairs anew; `check` says
//! what stands in the way; `service` installs and drives the system
//! service (a systemd unit on Linux, a Windows service on Windows).

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use cloud_link::{config, ledger, log::Log, net, pairing, state, work};

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
    Run {
        /// Runs as the Windows service (the service control manager passes it)
        #[arg(long, hide = true)]
        service: bool,
    },
    /// Forgets the pairing and shows a new PIN to enter on the integration's page
    Pin,
    /// Checks the configuration, the way to the console (DNS, proxy, TLS, clock) and the import folder
    Check,
    /// Installs and drives the system service named after [app] name
    Service {
        #[command(subcommand)]
        action: ServiceAction,
        /// Writes the service under this folder instead of / and runs no
        /// systemctl (for packaging; Linux only)
        #[arg(long, value_name = "DIR", global = true)]
        root: Option<PathBuf>,
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
    match cli.command {
        Command::Pin => pin(&config, true),
        Command::Run { service: false } => pin(&config, false),
        Command::Run { service: true } => as_service(config),
        Command::Check => check(&config, &path),
        Command::Service { action, root } => service(&config, &path, action, root.as_deref()),
    }
}

/// Pairs (anew with `again`, else only when not paired with this console)
/// and keeps the credential; then, for `run`, works until stopped.
fn pin(config: &config::Config, again: bool) -> ExitCode {
    let mut log = Log::open(&config.folder);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            log.line(&format!("cannot start: {error}"));
            return ExitCode::from(1);
        }
    };
    if again {
        if let Err(error) =
            state::forget(&config.folder).and(ledger::Ledger::forget(&config.folder))
        {
            log.line(&format!("cannot forget the old pairing: {error}"));
            return ExitCode::from(1);
        }
    }
    let http = match net::client() {
        Ok(http) => http,
        Err(error) => {
            log.line(&error.to_string());
            return ExitCode::from(1);
        }
    };
    if let Some(proxy) = net::proxy_from_env() {
        log.line(&format!(
            "reaching the console through the proxy {}",
            net::shown_proxy(&proxy)
        ));
    }
    let paired =
        match state::load(&config.folder).filter(|state| state.server_url == config.server_url) {
            Some(paired) => paired,
            None => {
                // Files acknowledged under another pairing are not this one's.
                let _ = ledger::Ledger::forget(&config.folder);
                let paired = runtime.block_on(pairing::pair(&http, config, &mut log));
                if let Err(error) = state::save(&config.folder, &paired) {
                    log.line(&format!(
                        "cannot keep the credential in {}: {error}",
                        state::path_in(&config.folder).display()
                    ));
                    return ExitCode::from(1);
                }
                paired
            }
        };
    if again {
        return ExitCode::SUCCESS;
    }
    runtime.block_on(work::run(&http, config, &mut log, paired))
}

/// Runs the work loop as the Windows service.
#[cfg(windows)]
fn as_service(config: config::Config) -> ExitCode {
    let work = move || {
        pin(&config, false);
    };
    match cloud_link::service::windows::dispatch(work) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

/// Elsewhere the system's service manager runs `cloud-link run` itself.
#[cfg(not(windows))]
fn as_service(config: config::Config) -> ExitCode {
    pin(&config, false)
}

/// Prints one PASS or FAIL line per check; fails when any check does.
fn check(config: &config::Config, path: &std::path::Path) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start: {error}");
            return ExitCode::from(1);
        }
    };
    println!("PASS configuration: {} reads", path.display());
    let lines = runtime.block_on(cloud_link::check::run(config));
    for line in &lines {
        println!("{line}");
    }
    if lines.iter().all(|line| line.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Installs or drives the service: a systemd unit on Linux, a service of
/// the service control manager on Windows.
fn service(
    config: &config::Config,
    path: &std::path::Path,
    action: ServiceAction,
    root: Option<&std::path::Path>,
) -> ExitCode {
    use cloud_link::service::Action;
    let action = match action {
        ServiceAction::Install => Action::Install,
        ServiceAction::Start => Action::Start,
        ServiceAction::Stop => Action::Stop,
        ServiceAction::Uninstall => Action::Uninstall,
        ServiceAction::Status => Action::Status,
    };
    #[cfg(windows)]
    let done = match root {
        Some(_) => Err(
            "--root is for systemd units on Linux; Windows services have no root folder".to_owned(),
        ),
        None => cloud_link::service::windows::run(action, config, path),
    };
    #[cfg(not(windows))]
    let done = cloud_link::service::run(action, config, path, root);
    match done {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(1)
        }
    }
}
