//! `cloud-link.uploaded`: the files the console has answered for good —
//! acknowledged, or refused for their name or size — by name and SHA-256,
//! so a file is uploaded once and not again at every scan. The console
//! judges duplicates itself; this only saves the bytes. It belongs to one
//! pairing and is forgotten with it.

use std::{
    collections::HashSet,
    io::Write,
    path::{Path, PathBuf},
};

pub const FILE_NAME: &str = "cloud-link.uploaded";

pub fn path_in(folder: &Path) -> PathBuf {
    folder.join(FILE_NAME)
}

/// The acknowledged files, one `sha256<TAB>name` line each.
#[derive(Debug, Default)]
pub struct Ledger {
    path: PathBuf,
    known: HashSet<(String, String)>,
}

impl Ledger {
    /// The ledger in `folder`; a missing one is empty, and a line that
    /// does not read (a write cut by a crash) is ignored: that file is
    /// simply uploaded again, and the console knows it already.
    pub fn open(folder: &Path) -> Self {
        let path = path_in(folder);
        let known = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let (sha, name) = line.split_once('\t')?;
                (sha.len() == 64).then(|| (sha.to_owned(), name.to_owned()))
            })
            .collect();
        Self { path, known }
    }

    pub fn contains(&self, sha256: &str, name: &str) -> bool {
        self.known.contains(&(sha256.to_owned(), name.to_owned()))
    }

    /// Records an acknowledged file, on disk before it returns.
    pub fn add(&mut self, sha256: &str, name: &str) -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(format!("{sha256}\t{name}\n").as_bytes())?;
        file.sync_data()?;
        self.known.insert((sha256.to_owned(), name.to_owned()));
        Ok(())
    }

    /// Forgets every file (a new pairing starts afresh).
    pub fn forget(folder: &Path) -> std::io::Result<()> {
        crate::state::remove_if_there(&path_in(folder))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acknowledged_file_is_remembered_across_restarts_until_forgotten() {
        let folder = tempfile::tempdir().expect("a folder");
        let sha = "a".repeat(64);
        let mut ledger = Ledger::open(folder.path());
        assert!(!ledger.contains(&sha, "calls.csv"));
        ledger.add(&sha, "calls.csv").expect("written");
        std::fs::OpenOptions::new()
            .append(true)
            .open(path_in(folder.path()))
            .and_then(|mut f| f.write_all(b"cut short"))
            .expect("a torn line");
        let again = Ledger::open(folder.path());
        assert!(again.contains(&sha, "calls.csv"));
        assert!(!again.contains(&sha, "other.csv"));
        Ledger::forget(folder.path()).expect("forgotten");
        assert!(!Ledger::open(folder.path()).contains(&sha, "calls.csv"));
    }
}
