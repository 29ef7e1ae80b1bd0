//! The Cloud Link protocol's bodies under `/cloud-link/v1/`, JSON in
//! camelCase, shared by the client and the server so neither can drift.
//! Refusals use the DESIGN §3 error envelope; a poll's answers carry RFC
//! 8628's error codes in it.

use serde::{Deserialize, Serialize};

use super::Poll;
use crate::{
    database::{import::Purpose, Connection},
    text,
};

/// What a client says about itself when it pairs and with each heartbeat;
/// shown on the integration's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClientInfo {
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::host))]
    pub host: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::version))]
    pub version: String,
    #[cfg_attr(feature = "openapi", schema(schema_with = schema::os))]
    pub os: String,
}

/// The published schema of `ClientInfo`'s fields: the rule of
/// `first_bad_field`.
#[cfg(feature = "openapi")]
mod schema {
    use utoipa::openapi::schema::Object;

    use super::MAX_INFO_CHARS;
    use crate::ingest::openapi::text;

    pub(super) fn host() -> Object {
        text(MAX_INFO_CHARS, true, "The client's host name.")
    }

    pub(super) fn version() -> Object {
        text(MAX_INFO_CHARS, true, "The client's version.")
    }

    pub(super) fn os() -> Object {
        text(MAX_INFO_CHARS, true, "The operating system it runs on.")
    }
}

/// The longest host name, version or OS description kept.
pub const MAX_INFO_CHARS: usize = 255;

impl ClientInfo {
    /// The first field that is blank, too long or holds a control
    /// character, if any: it would be shown to admins as it is.
    pub fn first_bad_field(&self) -> Option<&'static str> {
        [
            ("host", &self.host),
            ("version", &self.version),
            ("os", &self.os),
        ]
        .into_iter()
        .find(|(_, value)| {
            value.trim().is_empty()
                || value.chars().count() > MAX_INFO_CHARS
                || text::forbidden_in_name(value).is_some()
        })
        .map(|(name, _)| name)
    }
}

/// The answer to a new pairing (RFC 8628 §3.2): the PIN to show, the
/// handle to poll with (kept secret by the client), and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PairingStarted {
    pub device_code: String,
    pub pin: String,
    /// Seconds the PIN can be entered.
    pub expires_in: u64,
    /// Seconds to wait between polls.
    pub interval: u64,
}

/// A poll for the credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    pub device_code: String,
}

/// The credential, once an admin has entered the PIN: the client keeps it
/// in its state file and sends it as a bearer token from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenGranted {
    pub credential: String,
    pub integration_id: i64,
}

/// What a job asks the client to do, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Task {
    /// Upload every file of the import folder the server has not
    /// acknowledged yet, one `PUT …/files/{sha256}` each, then report.
    UploadFiles,
    /// Run `sql` over ODBC with `connection` (a connection string or
    /// `DSN=…`), then report the row count and the first rows.
    #[serde(rename_all = "camelCase")]
    RunQuery { connection: String, sql: String },
    /// Run a database integration's query for a window, then report the
    /// whole result.
    ImportQuery(Box<ImportQuery>),
    /// Connect as `connection` says (with the drivers installed) and run
    /// `SELECT 1`: *Test connection* on the integration page.
    #[serde(rename_all = "camelCase")]
    TestConnection { connection: Box<Connection> },
}

/// The query *Test connection* runs.
pub const TEST_SQL: &str = "SELECT 1";

/// An import job: make the connection string from `connection` and the
/// drivers installed (`database::Connection::odbc`), bind `parameters`
/// (local timestamps `YYYY-MM-DD hh:mm:ss`) to the `?` of `sql` in order,
/// check the result has `columns`, then report all of it.
///
/// A history job has windows `then` after the first (ADR 0012): the
/// client reads them in order, sends each but the last with
/// `POST …/jobs/{id}/windows/{n}` (the first is `n = 0`) while it reads
/// the next, and reports the last with the job. A client that knows no
/// `then` reports the first window alone: the rest come with later jobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportQuery {
    pub connection: Connection,
    pub sql: String,
    pub parameters: Vec<String>,
    pub columns: Vec<String>,
    pub purpose: Purpose,
    /// The window `[from, to)`, RFC 3339, for the log and the import
    /// history.
    pub from: String,
    pub to: String,
    /// The windows after this one, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<ImportWindow>,
}

/// One window of an import job: its parameters and its ends, as in
/// [`ImportQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ImportWindow {
    pub parameters: Vec<String>,
    pub from: String,
    pub to: String,
}

/// Windows an import job reads at most: a history goes on while the
/// client reads the next window, at most this many per job.
pub const MAX_WINDOWS: usize = 8;

impl ImportQuery {
    /// The job's windows in order, the first one first.
    pub fn windows(&self) -> Vec<ImportWindow> {
        let first = ImportWindow {
            parameters: self.parameters.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        };
        std::iter::once(first)
            .chain(self.then.iter().cloned())
            .collect()
    }
}

/// A query's whole result, as text (`null` for SQL NULL), with an import
/// job's report.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ResultTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// The largest report (an import job's result with it) the console takes.
pub const MAX_REPORT_BYTES: usize = 48 * 1024 * 1024;

/// What a query returned: its columns, how many rows, and the first
/// `MAX_ROWS_REPORTED` of them as text (`null` for SQL NULL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct QueryRows {
    pub columns: Vec<String>,
    pub row_count: u64,
    pub rows: Vec<Vec<Option<String>>>,
}

/// Rows a query job reports, at most.
pub const MAX_ROWS_REPORTED: usize = 10;

/// A job the client claimed: it runs `task`, then reports with the
/// idempotency key `job-{id}-{attempt}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JobOffer {
    pub id: i64,
    /// 1 for the first claim, one more each time the job is offered again.
    pub attempt: u32,
    /// Seconds the job is the client's before it is offered again.
    pub lease_seconds: u64,
    pub task: Task,
}

impl JobOffer {
    /// The idempotency key this attempt's report is sent with.
    pub fn report_key(&self) -> String {
        format!("job-{}-{}", self.id, self.attempt)
    }
}

/// The answer to an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FileAccepted {
    /// `received` (kept for import) or `duplicate` (the same content was
    /// received before, under any name).
    pub outcome: String,
}

/// How a job ended, in the client's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct JobResult {
    pub succeeded: bool,
    /// A summary, or what went wrong; at most 2 000 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub message: String,
    /// What a query job returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<QueryRows>,
    /// An import job's whole result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<ResultTable>,
}

/// The longest message a job report keeps.
pub const MAX_MESSAGE_CHARS: usize = 2_000;

impl Poll {
    /// The envelope's `code` for a poll that grants nothing (RFC 8628
    /// §3.5), or `None` when the credential is issued.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Self::Pending => Some("authorization_pending"),
            Self::SlowDown { .. } => Some("slow_down"),
            Self::Expired => Some("expired_token"),
            Self::Granted(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bodies_are_camel_case() {
        let started = PairingStarted {
            device_code: "d".into(),
            pin: "424242".into(),
            expires_in: 300,
            interval: 5,
        };
        assert_eq!(
            serde_json::to_value(&started).expect("JSON"),
            serde_json::json!({"deviceCode": "d", "pin": "424242", "expiresIn": 300, "interval": 5})
        );
        let granted: TokenGranted =
            serde_json::from_str(r#"{"credential":"c","integrationId":7}"#).expect("JSON");
        assert_eq!(granted.integration_id, 7);
    }

    #[test]
    fn what_a_client_says_about_itself_is_plain_bounded_text() {
        let info = |host: &str| ClientInfo {
            host: host.into(),
            version: "0.1.0".into(),
            os: "linux x86_64".into(),
        };
        assert_eq!(info("acd-gateway-01").first_bad_field(), None);
        assert_eq!(info(" ").first_bad_field(), Some("host"));
        assert_eq!(info("a\u{202E}b").first_bad_field(), Some("host"));
        assert_eq!(info(&"h".repeat(256)).first_bad_field(), Some("host"));
    }

    #[test]
    fn each_refused_poll_has_its_rfc_8628_code() {
        assert_eq!(Poll::Pending.code(), Some("authorization_pending"));
        assert_eq!(Poll::Expired.code(), Some("expired_token"));
        assert_eq!(
            Poll::Granted(crate::integration::IntegrationId(1)).code(),
            None
        );
    }
}
