//! `cloud-link service …` from the command line: two instances in two
//! folders are two units, each running its own configuration.

use std::process::Command;

fn cloud_link(config: &std::path::Path, args: &[&str]) -> (String, bool) {
    let output = Command::new(env!("CARGO_BIN_EXE_cloud-link"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .expect("cloud-link runs");
    (
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        output.status.success(),
    )
}

#[test]
fn two_instances_install_as_two_units_each_with_its_own_configuration() {
    let root = tempfile::tempdir().expect("a root");
    let mut units = Vec::new();
    for name in ["com.example.cloud-link", "com.example.cloud-link-2"] {
        let folder = tempfile::tempdir().expect("a folder");
        let config = folder.path().join("cloud-link.toml");
        std::fs::write(
            &config,
            format!("[app]\nname = \"{name}\"\n\n[server]\nurl = \"https://intake.example.com\"\n"),
        )
        .expect("written");
        let root_arg = root.path().to_string_lossy().into_owned();
        let (said, ok) = cloud_link(&config, &["service", "install", "--root", &root_arg]);
        assert!(ok, "{said}");
        let (said, ok) = cloud_link(&config, &["service", "status", "--root", &root_arg]);
        assert!(ok && said.contains("is installed"), "{said}");
        let unit = std::fs::read_to_string(
            root.path()
                .join(format!("etc/systemd/system/{name}.service")),
        )
        .expect("a unit");
        let config = config.canonicalize().expect("a path");
        assert!(
            unit.contains(&format!("--config \"{}\" run", config.display())),
            "{unit}"
        );
        units.push((folder, unit));
    }
    assert_ne!(units[0].1, units[1].1);
}
