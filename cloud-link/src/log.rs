//! `cloud-link.log` next to the configuration, and the console: every line
//! goes to both. (Daily rotation comes with the service, issue 12.)

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
};

pub const FILE_NAME: &str = "cloud-link.log";

pub struct Log {
    file: Option<File>,
    path: PathBuf,
}

impl Log {
    /// Appends to the log in `folder`; when it cannot be opened, the
    /// console alone says so and carries on.
    pub fn open(folder: &Path) -> Self {
        let path = folder.join(FILE_NAME);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path);
        if let Err(error) = &file {
            eprintln!("cannot write {}: {error}", path.display());
        }
        Self {
            file: file.ok(),
            path,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One line with the time in UTC.
    pub fn line(&mut self, text: &str) {
        let stamped = format!(
            "{} {text}\n",
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        self.write(&stamped);
    }

    /// Text as it is (the pairing box).
    pub fn verbatim(&mut self, text: &str) {
        self.write(text);
    }

    fn write(&mut self, text: &str) {
        print!("{text}");
        let _ = std::io::stdout().flush();
        if let Some(file) = &mut self.file {
            let _ = file.write_all(text.as_bytes());
            let _ = file.flush();
        }
    }
}
