//! `cloud-link service install | start | stop | uninstall | status`.
//!
//! On Linux: a systemd unit named after `[app] name`, so several
//! instances run side by side from separate folders. The unit runs
//! `cloud-link run` with this configuration, restarts it when it stops,
//! and starts it at boot. `--root DIR` writes under DIR instead of `/` and
//! runs no `systemctl` (for packaging, and for tests).
//!
//! On Windows ([`windows`]): a service of the service control manager
//! named "Intake Cloud Link", and "Intake Cloud Link (Instance N)" for
//! the second to eighth installation on one machine; which one belongs to
//! a folder is read off the services' command lines ([`windows_slot`]).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use crate::config::Config;

/// What to do with the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Install,
    Start,
    Stop,
    Uninstall,
    Status,
}

#[cfg(windows)]
pub mod windows;

/// The Windows service's name for the first installation on a machine.
pub const WINDOWS_SERVICE: &str = "Intake Cloud Link";
/// How many installations one Windows machine may have.
pub const WINDOWS_INSTANCES: usize = 8;

/// The Windows service name of installation `number` (1 to 8).
pub fn windows_service_name(number: usize) -> String {
    if number <= 1 {
        WINDOWS_SERVICE.to_owned()
    } else {
        format!("{WINDOWS_SERVICE} (Instance {number})")
    }
}

/// Which Windows service is, or would be, this configuration's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// Installed already under this name.
    Ours(String),
    /// Not installed; this is the first free name.
    Free(String),
}

/// Finds this configuration's service among the installed ones:
/// `installed[n - 1]` is the command line of the service named
/// [`windows_service_name`]`(n)`, when there is one. A service is this
/// configuration's when its command line names `config_path` (Windows
/// paths compare without regard to case).
pub fn windows_slot(installed: &[Option<String>], config_path: &str) -> Result<Slot, String> {
    let ours = config_path.to_lowercase();
    let numbered = || (1..=WINDOWS_INSTANCES).zip(installed.iter().chain(std::iter::repeat(&None)));
    if let Some((number, _)) = numbered().find(|(_, command)| {
        command
            .as_ref()
            .is_some_and(|command| command.to_lowercase().contains(&ours))
    }) {
        return Ok(Slot::Ours(windows_service_name(number)));
    }
    numbered()
        .find(|(_, command)| command.is_none())
        .map(|(number, _)| Slot::Free(windows_service_name(number)))
        .ok_or_else(|| {
            format!(
                "{WINDOWS_INSTANCES} installations of Cloud Link are this machine's most: uninstall one first"
            )
        })
}

/// Where the unit lives under `root`.
pub fn unit_path(root: &Path, name: &str) -> PathBuf {
    root.join("etc/systemd/system")
        .join(format!("{name}.service"))
}

/// Quotes an argument for a systemd `ExecStart=` line.
fn quoted(path: &Path) -> String {
    let text = path.to_string_lossy();
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The unit for `config`, running `executable`.
pub fn unit(config: &Config, config_path: &Path, executable: &Path) -> String {
    format!(
        "[Unit]\n\
         Description=Intake Cloud Link ({name})\n\
         Wants=network-online.target\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={exe} --config {config} run\n\
         WorkingDirectory={folder}\n\
         Restart=always\n\
         RestartSec=5\n\
         # The client only makes outbound HTTPS requests and writes in its folder.\n\
         NoNewPrivileges=true\n\
         PrivateTmp=true\n\
         \n\
         [Install]\n\
         WantedBy=multi-user.target\n",
        name = config.name,
        exe = quoted(executable),
        config = quoted(config_path),
        folder = quoted(&config.folder),
    )
}

/// Does `action`; the lines to print, or what went wrong.
pub fn run(
    action: Action,
    config: &Config,
    config_path: &Path,
    root: Option<&Path>,
) -> Result<Vec<String>, String> {
    let name = &config.name;
    let path = unit_path(root.unwrap_or(Path::new("/")), name);
    let systemctl = |args: &[&str]| -> Result<String, String> {
        if root.is_some() {
            return Ok(format!(
                "(not run with --root) systemctl {}",
                args.join(" ")
            ));
        }
        let output = Command::new("systemctl")
            .args(args)
            .output()
            .map_err(|error| {
                format!("cannot run systemctl ({error}): is this a systemd system?")
            })?;
        let said = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if output.status.success() || args.first() == Some(&"is-active") {
            Ok(said)
        } else {
            Err(format!(
                "systemctl {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    };
    let unit_name = format!("{name}.service");
    match action {
        Action::Install => {
            let executable = std::env::current_exe()
                .and_then(|exe| exe.canonicalize())
                .map_err(|error| format!("cannot find this executable: {error}"))?;
            let config_path = config_path
                .canonicalize()
                .map_err(|error| format!("cannot find {}: {error}", config_path.display()))?;
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
            }
            std::fs::write(&path, unit(config, &config_path, &executable)).map_err(|error| {
                format!(
                    "cannot write {} ({error}): install as root (sudo)",
                    path.display()
                )
            })?;
            let mut said = vec![format!("installed {}", path.display())];
            said.push(systemctl(&["daemon-reload"])?);
            said.push(systemctl(&["enable", &unit_name])?);
            said.push(format!(
                "the service {name} starts at boot; start it now with `cloud-link service start`"
            ));
            Ok(said.into_iter().filter(|line| !line.is_empty()).collect())
        }
        Action::Uninstall => {
            let mut said = Vec::new();
            if path.exists() {
                said.push(systemctl(&["disable", "--now", &unit_name])?);
                std::fs::remove_file(&path)
                    .map_err(|error| format!("cannot remove {} ({error})", path.display()))?;
                said.push(systemctl(&["daemon-reload"])?);
                said.push(format!(
                    "removed the service {name}; its folder and log stay"
                ));
            } else {
                said.push(format!("the service {name} is not installed"));
            }
            Ok(said.into_iter().filter(|line| !line.is_empty()).collect())
        }
        Action::Start | Action::Stop => {
            if !path.exists() {
                return Err(format!(
                    "the service {name} is not installed: run `cloud-link service install` first"
                ));
            }
            let verb = if action == Action::Start {
                "start"
            } else {
                "stop"
            };
            let said = systemctl(&[verb, &unit_name])?;
            Ok([said, format!("{verb}: done")]
                .into_iter()
                .filter(|line| !line.is_empty())
                .collect())
        }
        Action::Status => {
            if !path.exists() {
                return Ok(vec![format!("the service {name} is not installed")]);
            }
            let state = systemctl(&["is-active", &unit_name])?;
            Ok(vec![format!("the service {name} is installed and {state}")])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(folder: &Path) -> Config {
        Config {
            name: "com.example.cloud-link-2".into(),
            verbose: false,
            import_directory: folder.join("import"),
            server_url: "https://intake.example.com".into(),
            folder: folder.to_path_buf(),
        }
    }

    #[test]
    fn each_instance_is_its_own_unit_running_its_own_configuration() {
        let unit = unit(
            &config(Path::new("/opt/cloud-link two")),
            Path::new("/opt/cloud-link two/cloud-link.toml"),
            Path::new("/opt/cloud-link two/cloud-link"),
        );
        assert!(unit.contains(
            "ExecStart=\"/opt/cloud-link two/cloud-link\" --config \"/opt/cloud-link two/cloud-link.toml\" run\n"
        ));
        assert!(unit.contains("WorkingDirectory=\"/opt/cloud-link two\"\n"));
        assert!(unit.contains("Restart=always\n"));
        assert!(unit.contains("WantedBy=multi-user.target\n"));
        assert_eq!(
            unit_path(Path::new("/"), "com.example.cloud-link-2"),
            Path::new("/etc/systemd/system/com.example.cloud-link-2.service")
        );
    }

    #[test]
    fn windows_installations_take_the_first_free_name_and_find_their_own() {
        let folder = r"C:\Intake\Second\cloud-link.toml";
        let first = Some(
            r#""C:\Intake\cloud-link.exe" --config "C:\Intake\cloud-link.toml" run --service"#
                .to_owned(),
        );
        assert_eq!(
            windows_slot(&[], folder),
            Ok(Slot::Free("Intake Cloud Link".into()))
        );
        assert_eq!(
            windows_slot(std::slice::from_ref(&first), folder),
            Ok(Slot::Free("Intake Cloud Link (Instance 2)".into()))
        );
        let second = Some(format!(
            r#""C:\Intake\Second\cloud-link.exe" --config "{}" run --service"#,
            folder.to_uppercase()
        ));
        assert_eq!(
            windows_slot(&[first.clone(), None, second.clone()], folder),
            Ok(Slot::Ours("Intake Cloud Link (Instance 3)".into()))
        );
        let full = vec![first; WINDOWS_INSTANCES];
        assert!(windows_slot(&full, folder)
            .expect_err("no name left")
            .contains("uninstall one first"));
    }

    #[test]
    fn install_and_uninstall_under_a_root_write_and_remove_the_unit() {
        let folder = tempfile::tempdir().expect("a folder");
        let root = folder.path().join("root");
        let config_path = folder.path().join("cloud-link.toml");
        std::fs::write(&config_path, "").expect("written");
        let config = config(folder.path());
        let said = run(Action::Status, &config, &config_path, Some(&root)).expect("status");
        assert_eq!(
            said,
            ["the service com.example.cloud-link-2 is not installed"]
        );
        assert!(run(Action::Start, &config, &config_path, Some(&root))
            .expect_err("not installed")
            .contains("run `cloud-link service install` first"));
        run(Action::Install, &config, &config_path, Some(&root)).expect("installed");
        let written = std::fs::read_to_string(unit_path(&root, &config.name)).expect("a unit");
        assert!(written.contains("--config"), "{written}");
        let said = run(Action::Uninstall, &config, &config_path, Some(&root)).expect("removed");
        assert!(said
            .last()
            .is_some_and(|line| line.contains("its folder and log stay")));
        assert!(!unit_path(&root, &config.name).exists());
    }
}
