//! The client's own credential, kept next to its configuration in
//! `cloud-link.state`, readable only by the user it runs as — never in
//! the TOML, which people copy around.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "cloud-link.state";

/// What pairing gave this installation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// The console it was paired with; a different `[server] url` pairs
    /// anew.
    pub server_url: String,
    pub integration_id: i64,
    pub credential: String,
}

/// Never printed: the credential is a secret.
impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("server_url", &self.server_url)
            .field("integration_id", &self.integration_id)
            .finish_non_exhaustive()
    }
}

pub fn path_in(folder: &Path) -> PathBuf {
    folder.join(FILE_NAME)
}

/// The saved state, if any; one that does not read is none (pair again).
pub fn load(folder: &Path) -> Option<State> {
    let text = std::fs::read_to_string(path_in(folder)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Saves `state` atomically (a temporary file renamed over the old one),
/// created with permissions 0600 on Unix.
pub fn save(folder: &Path, state: &State) -> std::io::Result<()> {
    let path = path_in(folder);
    let temporary = folder.join(format!("{FILE_NAME}.tmp"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary)?;
    file.write_all(serde_json::to_string_pretty(state)?.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, &path)
}

/// Forgets the pairing (`cloud-link pin`, or a credential the server
/// refuses).
pub fn forget(folder: &Path) -> std::io::Result<()> {
    remove_if_there(&path_in(folder))
}

/// Removes a file; one that is not there is fine.
pub fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_survives_a_save_and_only_its_user_may_read_it() {
        let folder = tempfile::tempdir().expect("a folder");
        let state = State {
            server_url: "https://intake.example.com".into(),
            integration_id: 7,
            credential: "itl_secret".into(),
        };
        save(folder.path(), &state).expect("saved");
        assert_eq!(load(folder.path()), Some(state.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path_in(folder.path()))
                .expect("there")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{state:?}").contains("itl_secret"));
        forget(folder.path()).expect("forgotten");
        assert_eq!(load(folder.path()), None);
        forget(folder.path()).expect("forgetting twice is fine");
    }
}
