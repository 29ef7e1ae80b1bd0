//! Jobs: the work the server gives a paired client (ADR 0009). A scheduler
//! queues them per integration; the client claims one at a time with a
//! long poll, runs it inside the customer's network and reports back.
//! Every step is safe to repeat: a claim leases the job for a bounded
//! time (a client killed mid-job gets it again once the lease runs out), a
//! file is kept once per integration and checksum, and a job's report is
//! applied once.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{delta, wire::Task};
use crate::integration::{IntegrationId, IntegrationKind, Status};

/// The longest a client's claim waits for a job: under the idle timeout
/// of common proxies (30 s and more), so the connection is not cut. A
/// running client claims again at once, so it reports in at least this
/// often while idle.
pub const CLAIM_WAIT: Duration = Duration::from_secs(25);

/// Claims one integration's credential may have waiting at once: a
/// client waits on one, and a second covers a restart while the first is
/// still open. More would let one credential hold connections and
/// database rechecks without bound.
pub const MAX_WAITING_CLAIMS: usize = 2;

/// A client not heard of for this long (three claims) has gone quiet: the
/// page warns.
pub const QUIET_AFTER: Duration = Duration::from_secs(3 * CLAIM_WAIT.as_secs());

/// A job, as the client names it in its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JobId(pub i64);

/// When jobs are queued and how long a claim holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobSchedule {
    /// How often a CSV integration's import folder is looked at.
    pub scan_files_every: Duration,
    /// How long a claimed job is the claimant's; it is offered again after.
    pub lease: Duration,
    /// When database integrations' imports run.
    pub imports: crate::database::import::Periods,
    /// How long a history window sent before the one ahead of it waits
    /// for that one to be applied (ADR 0012).
    pub window_patience: Duration,
}

impl Default for JobSchedule {
    fn default() -> Self {
        Self {
            scan_files_every: Duration::from_secs(60),
            lease: Duration::from_secs(5 * 60),
            imports: crate::database::import::Periods::default(),
            window_patience: Duration::from_secs(30),
        }
    }
}

/// What the scheduler knows of one paired integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobCandidate {
    pub integration: IntegrationId,
    pub kind: IntegrationKind,
    pub status: Status,
    /// Whether its client has collected its credential.
    pub collected: bool,
    /// When its latest job was queued, if any since it was paired.
    pub last_queued_at: Option<DateTime<Utc>>,
    /// Whether a job of it is still waiting or running.
    pub open: bool,
}

impl JobSchedule {
    /// The job to queue for `candidate` at `now`, if one is due: at most
    /// one open job per integration, none while paused (missed work is
    /// picked up on resume: the next scan sees every file still there), the
    /// first right after pairing. Only CSV integrations have jobs so far;
    /// queries come with database integrations (issue 13).
    pub fn due(&self, candidate: &JobCandidate, now: DateTime<Utc>) -> Option<Task> {
        if candidate.open || !candidate.collected || !runs_jobs(candidate.status) {
            return None;
        }
        if candidate.kind != IntegrationKind::Csv {
            return None;
        }
        match candidate.last_queued_at {
            Some(last) if now < last + delta(self.scan_files_every) => None,
            _ => Some(Task::UploadFiles),
        }
    }

    /// Until when a job claimed at `now` is the claimant's.
    pub fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + delta(self.lease)
    }
}

/// Whether an integration in `status` has its jobs run: not while paused
/// (they wait) or deleted, nor before it is paired.
pub fn runs_jobs(status: Status) -> bool {
    matches!(status, Status::Active | Status::Resuming | Status::Failing)
}

/// Whether a job may be claimed at `now`: never claimed, or its lease ran
/// out (the client that had it stopped or lost its connection).
pub fn claimable(leased_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    leased_until.is_none_or(|until| until <= now)
}

/// The largest file the client uploads, as for a file uploaded by hand
/// (DESIGN §4).
pub const MAX_FILE_BYTES: u64 = 7 * 1024 * 1024;

/// A file's SHA-256 in lower-case hex: how the same content is known
/// again, whatever its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checksum(String);

impl Checksum {
    pub const PATTERN: &'static str = "^[0-9a-f]{64}$";

    pub fn parse(hex: &str) -> Option<Self> {
        (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Self(hex.to_owned()))
    }

    /// The checksum of raw digest bytes.
    pub fn of_digest(digest: &[u8]) -> Self {
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A file's name as the client found it in its import folder: a name, not
/// a path, shown to admins as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(name: &str) -> Option<Self> {
        let fine = !name.trim().is_empty()
            && name.chars().count() <= Self::MAX_CHARS
            && !name.contains(['/', '\\'])
            && name != "."
            && name != ".."
            && crate::text::forbidden_in_name(name).is_none();
        fine.then(|| Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What became of an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOutcome {
    /// New content: kept for import.
    Received,
    /// Content already received for this integration (under any name):
    /// listed, not imported again.
    Duplicate,
}

impl FileOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Duplicate => "duplicate",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "received" => Some(Self::Received),
            "duplicate" => Some(Self::Duplicate),
            _ => None,
        }
    }

    /// The outcome of a file whose checksum was `already_received` for the
    /// integration.
    pub fn judge(already_received: bool) -> Self {
        if already_received {
            Self::Duplicate
        } else {
            Self::Received
        }
    }
}

/// A file as the server keeps it.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub integration: IntegrationId,
    pub job: JobId,
    pub name: &'a FileName,
    pub size: u64,
    pub checksum: &'a Checksum,
    /// The content as stored (compressed by the store's caller).
    pub encoding: &'a str,
    pub body: &'a [u8],
    pub received_at: DateTime<Utc>,
}

/// A file received from a client, as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFile {
    pub name: String,
    pub size: u64,
    pub checksum: String,
    pub outcome: FileOutcome,
    pub received_at: DateTime<Utc>,
}

/// How a job ended, as its client reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobReport {
    pub succeeded: bool,
    /// What went wrong, or a summary, in the client's words.
    pub message: String,
    /// What a query returned, as JSON (`wire::QueryRows`), bounded.
    pub rows: Option<String>,
    /// The key the client sent the report with: a repeat carries the same.
    pub key: String,
}

impl JobReport {
    /// What this report does to a job that has ended with the report keyed
    /// `ended_with`, or is still open (`None`).
    pub fn against(&self, ended_with: Option<&str>) -> Reported {
        match ended_with {
            None => Reported::Applied,
            Some(key) if key == self.key => Reported::Repeated,
            Some(_) => Reported::AlreadyEnded,
        }
    }
}

/// Where a job is, as an admin sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its client (or for the integration's resume).
    Queued,
    /// Claimed, its lease running.
    Running,
    Succeeded,
    Failed,
}

impl JobState {
    /// The state of a job that `ended` (with `succeeded`) or is leased
    /// until `leased_until`, at `now`.
    pub fn of(
        ended: Option<bool>,
        leased_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        match ended {
            Some(true) => Self::Succeeded,
            Some(false) => Self::Failed,
            None if claimable(leased_until, now) => Self::Queued,
            None => Self::Running,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }
}

/// A job as the management API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobView {
    pub id: JobId,
    pub task: Task,
    pub state: JobState,
    pub attempts: u32,
    pub message: Option<String>,
    /// JSON of `wire::QueryRows`, for a query that returned.
    pub rows: Option<String>,
}

/// The longest connection string and query a probe takes.
pub const MAX_CONNECTION_CHARS: usize = 4_096;
pub const MAX_SQL_CHARS: usize = 100_000;

impl Task {
    /// The task as kept once its job has ended: a query's connection
    /// string (it may hold a password) is not kept past its use.
    pub fn redacted(&self) -> Self {
        match self {
            Self::RunQuery { sql, .. } => Self::RunQuery {
                connection: String::new(),
                sql: sql.clone(),
            },
            Self::TestConnection { connection } => Self::TestConnection {
                connection: Box::new(connection.without_password()),
            },
            Self::ImportQuery(import) => Self::ImportQuery(Box::new(super::wire::ImportQuery {
                connection: import.connection.without_password(),
                ..(**import).clone()
            })),
            other => other.clone(),
        }
    }
}

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    /// Applied now.
    Applied,
    /// Sent again (same key): already applied, nothing changes.
    Repeated,
    /// The job was already ended by another report (an earlier attempt).
    AlreadyEnded,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + seconds, 0).expect("a time")
    }

    fn csv() -> JobCandidate {
        JobCandidate {
            integration: IntegrationId(1),
            kind: IntegrationKind::Csv,
            status: Status::Active,
            collected: true,
            last_queued_at: None,
            open: false,
        }
    }

    #[test]
    fn a_paired_csv_integration_scans_its_folder_at_once_then_every_period() {
        let schedule = JobSchedule::default();
        assert_eq!(schedule.due(&csv(), at(0)), Some(Task::UploadFiles));
        let scanned = JobCandidate {
            last_queued_at: Some(at(0)),
            ..csv()
        };
        assert_eq!(schedule.due(&scanned, at(59)), None);
        assert_eq!(schedule.due(&scanned, at(60)), Some(Task::UploadFiles));
    }

    #[test]
    fn no_job_while_one_is_open_paused_or_nobody_collected_the_credential() {
        let schedule = JobSchedule::default();
        for candidate in [
            JobCandidate {
                open: true,
                ..csv()
            },
            JobCandidate {
                status: Status::Paused,
                ..csv()
            },
            JobCandidate {
                status: Status::Deleted,
                ..csv()
            },
            JobCandidate {
                collected: false,
                ..csv()
            },
        ] {
            assert_eq!(schedule.due(&candidate, at(0)), None, "{candidate:?}");
        }
    }

    #[test]
    fn a_report_ends_a_job_once_and_its_repeat_changes_nothing() {
        let report = JobReport {
            succeeded: true,
            message: "2 files".into(),
            rows: None,
            key: "job-1-1".into(),
        };
        assert_eq!(report.against(None), Reported::Applied);
        assert_eq!(report.against(Some("job-1-1")), Reported::Repeated);
        assert_eq!(report.against(Some("job-1-2")), Reported::AlreadyEnded);
    }

    #[test]
    fn a_job_is_queued_running_then_ended_and_a_query_forgets_its_connection() {
        assert_eq!(JobState::of(None, None, at(0)), JobState::Queued);
        assert_eq!(JobState::of(None, Some(at(5)), at(0)), JobState::Running);
        assert_eq!(JobState::of(None, Some(at(5)), at(6)), JobState::Queued);
        assert_eq!(JobState::of(Some(false), None, at(0)), JobState::Failed);
        assert_eq!(JobState::of(Some(true), None, at(0)), JobState::Succeeded);
        let query = Task::RunQuery {
            connection: "DSN=acd;PWD=secret".into(),
            sql: "SELECT 1".into(),
        };
        assert_eq!(
            query.redacted(),
            Task::RunQuery {
                connection: String::new(),
                sql: "SELECT 1".into()
            }
        );
    }

    #[test]
    fn a_lease_that_ran_out_is_claimable_again() {
        assert!(claimable(None, at(0)));
        assert!(!claimable(Some(at(10)), at(9)));
        assert!(claimable(Some(at(10)), at(10)));
    }

    #[test]
    fn checksums_and_file_names_are_what_they_claim() {
        let hex = "ab".repeat(32);
        assert_eq!(Checksum::parse(&hex).map(|c| c.0), Some(hex.clone()));
        assert_eq!(Checksum::of_digest(&[0xab; 32]).as_str(), hex);
        assert_eq!(Checksum::parse(&"AB".repeat(32)), None);
        assert_eq!(Checksum::parse("ab"), None);
        assert!(FileName::parse("calls 2026-11-26.csv").is_some());
        for bad in [
            "",
            " ",
            "../x.csv",
            "a/b.csv",
            "a\\b.csv",
            "..",
            "a\u{202E}b",
            &"x".repeat(256),
        ] {
            assert_eq!(FileName::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn content_seen_before_is_a_duplicate_whatever_its_name() {
        assert_eq!(FileOutcome::judge(false), FileOutcome::Received);
        assert_eq!(FileOutcome::judge(true), FileOutcome::Duplicate);
        for outcome in [FileOutcome::Received, FileOutcome::Duplicate] {
            assert_eq!(FileOutcome::parse(outcome.as_str()), Some(outcome));
        }
    }
}
