//! `cloud-link.log` next to the configuration, and the console: every line
//! goes to both. The log is rotated at each start and when the day (UTC)
//! changes: the old file keeps its day in its name
//! (`cloud-link-2026-11-26.log`, then `cloud-link-2026-11-26.1.log` …) and
//! is never deleted by the program.

use std::{
    fs::File,
    io::Write,
    path::{Path, PathBuf},
};

use chrono::{DateTime, NaiveDate, Utc};

pub const FILE_NAME: &str = "cloud-link.log";

pub struct Log {
    file: Option<File>,
    path: PathBuf,
    /// The day the open file is for.
    day: NaiveDate,
}

/// The name a log of `day` is rotated to: the first of that day's names
/// not taken in `folder`.
fn rotated_name(folder: &Path, day: NaiveDate) -> PathBuf {
    let first = folder.join(format!("cloud-link-{day}.log"));
    if !first.exists() {
        return first;
    }
    (1..)
        .map(|n| folder.join(format!("cloud-link-{day}.{n}.log")))
        .find(|path| !path.exists())
        .unwrap_or(first)
}

/// The day a log file was last written, in UTC.
fn day_of(path: &Path) -> Option<NaiveDate> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(DateTime::<Utc>::from(modified).date_naive())
}

impl Log {
    /// Starts a log in `folder`, rotating the one a previous start left.
    pub fn open(folder: &Path) -> Self {
        Self::open_at(folder, Utc::now())
    }

    /// As `open`, at `now` (tests give a fake clock).
    pub fn open_at(folder: &Path, now: DateTime<Utc>) -> Self {
        let path = folder.join(FILE_NAME);
        let mut log = Self {
            file: None,
            path,
            day: now.date_naive(),
        };
        log.rotate(day_of(&log.path).unwrap_or(log.day));
        log
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves a non-empty log aside under `its_day`, then opens a new one.
    fn rotate(&mut self, its_day: NaiveDate) {
        self.file = None;
        let used = std::fs::metadata(&self.path).is_ok_and(|m| m.len() > 0);
        if used {
            let folder = self.path.parent().unwrap_or(Path::new("."));
            let aside = rotated_name(folder, its_day);
            if let Err(error) = std::fs::rename(&self.path, &aside) {
                eprintln!("cannot rotate {}: {error}", self.path.display());
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path);
        if let Err(error) = &file {
            eprintln!("cannot write {}: {error}", self.path.display());
        }
        self.file = file.ok();
    }

    /// One line with the time in UTC.
    pub fn line(&mut self, text: &str) {
        self.line_at(text, Utc::now());
    }

    /// As `line`, at `now`: the first line of a new day starts a new file.
    pub fn line_at(&mut self, text: &str, now: DateTime<Utc>) {
        self.roll_over(now);
        let stamped = format!(
            "{} {text}\n",
            now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        self.write(&stamped);
    }

    /// Text as it is (the pairing box).
    pub fn verbatim(&mut self, text: &str) {
        self.roll_over(Utc::now());
        self.write(text);
    }

    fn roll_over(&mut self, now: DateTime<Utc>) {
        let today = now.date_naive();
        if today != self.day {
            let yesterday = self.day;
            self.day = today;
            self.rotate(yesterday);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(2026, 11, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .expect("a time")
            .and_utc()
    }

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .expect("a folder")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn the_log_rotates_at_each_start_and_each_new_day_keeping_every_file() {
        let folder = tempfile::tempdir().expect("a folder");
        let mut log = Log::open_at(folder.path(), at(25, 22));
        log.line_at("first start", at(25, 22));
        log.line_at("past midnight", at(26, 0));
        assert_eq!(
            names(folder.path()),
            ["cloud-link-2026-11-25.log", "cloud-link.log"]
        );
        drop(log);

        // Two restarts on the 26th: each leaves its file, none is lost.
        let mut log = Log::open_at(folder.path(), at(26, 9));
        log.line_at("second start", at(26, 9));
        drop(log);
        let _log = Log::open_at(folder.path(), at(26, 10));
        let today = day_of(&folder.path().join(FILE_NAME)).expect("a day");
        let mut expected = vec![
            "cloud-link-2026-11-25.log".to_owned(),
            format!("cloud-link-{today}.log"),
            format!("cloud-link-{today}.1.log"),
            "cloud-link.log".to_owned(),
        ];
        expected.sort();
        assert_eq!(names(folder.path()), expected);
        let yesterday =
            std::fs::read_to_string(folder.path().join("cloud-link-2026-11-25.log")).expect("kept");
        assert_eq!(yesterday, "2026-11-25T22:00:00Z first start\n");
    }

    #[test]
    fn an_empty_log_is_not_rotated() {
        let folder = tempfile::tempdir().expect("a folder");
        drop(Log::open_at(folder.path(), at(26, 9)));
        drop(Log::open_at(folder.path(), at(26, 10)));
        assert_eq!(names(folder.path()), ["cloud-link.log"]);
    }
}
