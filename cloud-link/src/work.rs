//! The work loop (ADR 0009): claim a job with a long poll, run it, report,
//! and again. Every request is retried with back-off until the console
//! answers, and every step is safe to repeat, so a network cut, a console
//! restart or a restart of this client loses and duplicates nothing. A
//! credential the console refuses (the integration was deleted, or an
//! admin connected another installation) means pairing again: a new PIN
//! appears in the log.

use std::{
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use domain::cloud_link::{
    job::{Checksum, MAX_FILE_BYTES},
    wire::{FileAccepted, ImportQuery, JobOffer, JobResult, QueryRows, Task, TEST_SQL},
};
use reqwest::{Response, StatusCode};
use sha2::{Digest, Sha256};

use crate::{
    backoff::Backoff,
    config::Config,
    ledger::Ledger,
    log::Log,
    pairing::{self, client_info, describe},
    query,
    state::{self, State},
};

/// Whether the console refused a file for its name or size, which sending
/// it again cannot change (a checksum mismatch can: the file changed while
/// it was read).
fn refused_for_good(code: &str) -> bool {
    matches!(code, "invalid_file_name" | "payload_too_large")
}

/// How long a claim waits on the console for a job.
const CLAIM_WAIT_SECONDS: u64 = domain::cloud_link::job::CLAIM_WAIT.as_secs();
/// A file younger than this may still be being written: it waits for the
/// next scan.
pub const SETTLE: Duration = Duration::from_secs(2);
/// How long an upload of the largest file may take.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);
/// How long any other request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request got no usable answer.
enum Failure {
    /// The credential was refused: pair again.
    Revoked,
    /// The console refused the request for good (its envelope's code).
    Refused(StatusCode, String),
}

/// Runs jobs for as long as the process runs, pairing again whenever the
/// credential is refused.
pub async fn run(http: &reqwest::Client, config: &Config, log: &mut Log, mut paired: State) -> ! {
    loop {
        Worker {
            http,
            config,
            credential: &paired.credential,
            backoff: Backoff::default(),
        }
        .serve(log)
        .await;
        log.line(
            "the console no longer accepts this installation (its integration was deleted, \
             or another installation was connected to it); pairing again",
        );
        if let Err(error) = state::forget(&config.folder).and(Ledger::forget(&config.folder)) {
            log.line(&format!("cannot forget the old pairing: {error}"));
        }
        paired = pairing::pair(http, config, log).await;
        if let Err(error) = state::save(&config.folder, &paired) {
            log.line(&format!(
                "cannot keep the credential in {}: {error}; it is used until the client stops",
                state::path_in(&config.folder).display()
            ));
        }
    }
}

struct Worker<'a> {
    http: &'a reqwest::Client,
    config: &'a Config,
    credential: &'a str,
    backoff: Backoff,
}

impl Worker<'_> {
    fn url(&self, path: &str) -> String {
        format!("{}/cloud-link/v1/{path}", self.config.server_url)
    }

    /// Claims and runs jobs until the credential is refused.
    async fn serve(&mut self, log: &mut Log) {
        log.line(&format!(
            "connected to {}; waiting for jobs",
            self.config.server_url
        ));
        loop {
            let (http, url) = (
                self.http,
                self.url(&format!("jobs/claim?wait={CLAIM_WAIT_SECONDS}")),
            );
            let offer = self
                .send(log, "claim a job", || {
                    http.post(&url)
                        .timeout(Duration::from_secs(CLAIM_WAIT_SECONDS) + REQUEST_TIMEOUT)
                        .json(&client_info())
                })
                .await;
            let response = match offer {
                Ok(response) => response,
                Err(Failure::Revoked) => return,
                Err(Failure::Refused(status, code)) => {
                    log.line(&format!("the console refused a claim ({status}, {code})"));
                    tokio::time::sleep(self.backoff.wait()).await;
                    continue;
                }
            };
            if response.status() == StatusCode::NO_CONTENT {
                continue;
            }
            let offer = match response.json::<JobOffer>().await {
                Ok(offer) => offer,
                Err(error) => {
                    log.line(&format!("a job did not read: {error}; claiming again"));
                    tokio::time::sleep(self.backoff.wait()).await;
                    continue;
                }
            };
            match self.run_job(log, &offer).await {
                Ok(()) => {}
                Err(Failure::Revoked) => return,
                Err(Failure::Refused(status, code)) => log.line(&format!(
                    "job {} ended early: the console refused it ({status}, {code})",
                    offer.id
                )),
            }
        }
    }

    /// Sends a request until the console answers it ([`send`]).
    async fn send(
        &mut self,
        log: &mut Log,
        what: &str,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Response, Failure> {
        let mut note = |line: String| log.line(&line);
        send(self.credential, &mut self.backoff, &mut note, what, request).await
    }

    async fn run_job(&mut self, log: &mut Log, offer: &JobOffer) -> Result<(), Failure> {
        let mut table = None;
        let result = match &offer.task {
            Task::UploadFiles => self.upload_files(log, offer).await?,
            Task::RunQuery { connection, sql } => self.run_query(log, connection, sql).await,
            Task::TestConnection { connection } => {
                match query::drivers().and_then(|drivers| {
                    connection.odbc(&drivers).map_err(|error| error.to_string())
                }) {
                    Ok(connection) => self.run_query(log, &connection, TEST_SQL).await,
                    Err(message) => JobResult {
                        succeeded: false,
                        message,
                        rows: None,
                        table: None,
                    },
                }
            }
            Task::ImportQuery(import) => match self.run_import(log, offer, import).await? {
                Some((result, encoded)) => {
                    table = encoded;
                    result
                }
                None => return Ok(()),
            },
        };
        log.line(&format!("job {}: {}", offer.id, result.message));
        let key = offer.report_key();
        let body = bytes::Bytes::from(report_body(&result, table.as_deref()));
        let (http, url) = (self.http, self.url(&format!("jobs/{}/result", offer.id)));
        let reported = self
            .send(log, "report the job's end", || {
                http.post(&url)
                    .timeout(if table.is_some() {
                        UPLOAD_TIMEOUT
                    } else {
                        REQUEST_TIMEOUT
                    })
                    .header("Idempotency-Key", &key)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone())
            })
            .await;
        match reported {
            // An earlier attempt reported first: nothing more to do.
            Err(Failure::Refused(StatusCode::CONFLICT, _)) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// Runs a query job over ODBC, off the async runtime.
    async fn run_query(&self, log: &mut Log, connection: &str, sql: &str) -> JobResult {
        let (connection, sql) = (connection.to_owned(), sql.to_owned());
        let ran = tokio::task::spawn_blocking(move || query::run(&connection, &sql))
            .await
            .unwrap_or_else(|error| Err(format!("the query stopped: {error}")));
        match ran {
            Ok(rows) => {
                if self.config.verbose {
                    for line in query::describe(&rows) {
                        log.line(&line);
                    }
                }
                JobResult {
                    succeeded: true,
                    message: format!("{} row(s)", rows.row_count),
                    rows: Some(rows),
                    table: None,
                }
            }
            Err(message) => JobResult {
                succeeded: false,
                message,
                rows: None,
                table: None,
            },
        }
    }

    /// Runs an import job's query for each of its windows in order, over
    /// ODBC and off the async runtime. Every window but the last is sent
    /// on its own while the next is read, [`WINDOWS_IN_FLIGHT`] of them
    /// unanswered at most, so the console reads one and applies another
    /// while the database gives the next (ADR 0012); the last is the
    /// job's result, with its table as JSON, once every window before it
    /// was answered. `None`: the console ended the job at a window (it
    /// says why in the import history).
    async fn run_import(
        &mut self,
        log: &mut Log,
        offer: &JobOffer,
        import: &ImportQuery,
    ) -> Result<Option<(JobResult, Option<Vec<u8>>)>, Failure> {
        let windows = import.windows();
        let last = windows.len() - 1;
        let mut sending = std::collections::VecDeque::new();
        let mut reading = read_windows(import);
        for (n, window) in windows.into_iter().enumerate() {
            log.line(&format!(
                "job {}: importing {} – {}",
                offer.id, window.from, window.to
            ));
            let ran = reading
                .recv()
                .await
                .unwrap_or_else(|| Err("the query stopped".to_owned()));
            let (result, table) = self.window_read(log, ran);
            let table = match table {
                Some(table) if n < last => table,
                table => {
                    // The job's report comes after every window sent.
                    while let Some(sent) = sending.pop_front() {
                        if !answered(log, offer, sent, &mut sending).await? {
                            return Ok(None);
                        }
                    }
                    return Ok(Some((result, table)));
                }
            };
            log.line(&format!("job {}: {}", offer.id, result.message));
            while sending.len() >= WINDOWS_IN_FLIGHT {
                let sent = sending.pop_front().expect("one is in flight");
                if !answered(log, offer, sent, &mut sending).await? {
                    return Ok(None);
                }
            }
            sending.push_back(self.send_window(offer, n, table));
        }
        unreachable!("a job has a window, and its last returns")
    }

    /// Starts sending window `n`'s table of an import job, retrying as
    /// [`send`] does: whether the console took it, and the lines for the
    /// log.
    fn send_window(&self, offer: &JobOffer, n: usize, table: Vec<u8>) -> Sending {
        let (http, credential) = (self.http.clone(), self.credential.to_owned());
        let url = self.url(&format!("jobs/{}/windows/{n}", offer.id));
        let body = bytes::Bytes::from(table);
        tokio::spawn(async move {
            let mut lines = Vec::new();
            let mut note = |line: String| lines.push(line);
            let sent = send(
                &credential,
                &mut Backoff::default(),
                &mut note,
                "send a window's rows",
                || {
                    http.post(&url)
                        .timeout(UPLOAD_TIMEOUT)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body.clone())
                },
            )
            .await
            .map(|_| ());
            (n, sent, lines)
        })
    }

    /// A window's result, and its table as JSON when it was read.
    fn window_read(
        &self,
        log: &mut Log,
        ran: Result<query::EncodedTable, String>,
    ) -> (JobResult, Option<Vec<u8>>) {
        match ran {
            Ok(table) => {
                let message = format!("{} row(s)", table.row_count);
                if self.config.verbose {
                    let first = QueryRows {
                        columns: table.columns,
                        row_count: table.row_count as u64,
                        rows: table.first,
                    };
                    for line in query::describe(&first) {
                        log.line(&line);
                    }
                }
                let result = JobResult {
                    succeeded: true,
                    message,
                    rows: None,
                    table: None,
                };
                (result, Some(table.json))
            }
            Err(message) => {
                let result = JobResult {
                    succeeded: false,
                    message,
                    rows: None,
                    table: None,
                };
                (result, None)
            }
        }
    }

    /// Uploads every settled file of the import folder the console has
    /// not acknowledged yet, oldest name first.
    async fn upload_files(
        &mut self,
        log: &mut Log,
        offer: &JobOffer,
    ) -> Result<JobResult, Failure> {
        let folder = &self.config.import_directory;
        let files = match settled_files(folder, SystemTime::now()) {
            Ok(files) => files,
            Err(error) => {
                return Ok(JobResult {
                    succeeded: false,
                    message: format!(
                        "cannot read the import folder {}: {error}",
                        folder.display()
                    ),
                    rows: None,
                    table: None,
                })
            }
        };
        let mut ledger = Ledger::open(&self.config.folder);
        let (mut sent, mut problems) = (0, Vec::new());
        for path in files {
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let content = match read_bounded(&path) {
                Ok(Some(content)) => content,
                Ok(None) => {
                    problems.push(format!(
                        "{name}: larger than {} MiB, left in the folder",
                        MAX_FILE_BYTES / 1024 / 1024
                    ));
                    continue;
                }
                Err(error) => {
                    problems.push(format!("{name}: cannot be read ({error})"));
                    continue;
                }
            };
            let sha256 = Checksum::of_digest(&Sha256::digest(&content));
            if ledger.contains(sha256.as_str(), &name) {
                continue;
            }
            let (http, url) = (
                self.http,
                self.url(&format!("jobs/{}/files/{}", offer.id, sha256.as_str())),
            );
            let uploaded = self
                .send(log, &format!("upload {name}"), || {
                    http.put(&url)
                        .query(&[("name", &name)])
                        .timeout(UPLOAD_TIMEOUT)
                        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                        .body(content.clone())
                })
                .await;
            match uploaded {
                Ok(response) => {
                    let outcome = response
                        .json::<FileAccepted>()
                        .await
                        .map(|accepted| accepted.outcome)
                        .unwrap_or_else(|_| "received".to_owned());
                    log.line(&format!(
                        "uploaded {name} ({} bytes, SHA-256 {}): {outcome}",
                        content.len(),
                        sha256.as_str()
                    ));
                    sent += 1;
                    if let Err(error) = ledger.add(sha256.as_str(), &name) {
                        log.line(&format!("cannot note {name} as uploaded: {error}"));
                    }
                }
                Err(Failure::Refused(status, code)) => {
                    problems.push(format!("{name}: refused ({status}, {code})"));
                    // Refused for what it is, it would be refused again:
                    // reported once, and sent again only renamed or changed.
                    if refused_for_good(&code) {
                        if let Err(error) = ledger.add(sha256.as_str(), &name) {
                            log.line(&format!("cannot note {name} as refused: {error}"));
                        }
                    }
                }
                Err(Failure::Revoked) => return Err(Failure::Revoked),
            }
        }
        let mut message = format!("{sent} new file(s) uploaded");
        if !problems.is_empty() {
            message.push_str("; ");
            message.push_str(&problems.join("; "));
        }
        Ok(JobResult {
            succeeded: problems.is_empty(),
            message,
            rows: None,
            table: None,
        })
    }
}

/// Windows of an import sent and not answered yet, at most: one being
/// applied while the next is read on the console's side.
const WINDOWS_IN_FLIGHT: usize = 2;

/// A window being sent: its number, whether the console took it, and the
/// lines for the log.
type Sending = tokio::task::JoinHandle<(usize, Result<(), Failure>, Vec<String>)>;

/// Waits for the answer to a window `sent`: `false` when the console
/// ended the job instead (the windows still `sending` are given up).
async fn answered(
    log: &mut Log,
    offer: &JobOffer,
    sent: Sending,
    sending: &mut std::collections::VecDeque<Sending>,
) -> Result<bool, Failure> {
    let (n, outcome, lines) = sent.await.unwrap_or_else(|error| {
        (
            usize::MAX,
            Err(Failure::Refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                error.to_string(),
            )),
            Vec::new(),
        )
    });
    for line in lines {
        log.line(&line);
    }
    match outcome {
        Ok(()) => Ok(true),
        Err(failure) => {
            for later in sending.drain(..) {
                later.abort();
            }
            match failure {
                Failure::Revoked => Err(Failure::Revoked),
                Failure::Refused(status, code) => {
                    log.line(&format!(
                        "job {} ended at window {n}: the console refused it ({status}, {code}); \
                         the import history on the integration's page says why",
                        offer.id
                    ));
                    Ok(false)
                }
            }
        }
    }
}

/// Sends a request with `credential` until the console answers it: waits
/// (`backoff`) and retries while it cannot be reached or answers 5xx or
/// 429, noting each wait.
async fn send(
    credential: &str,
    backoff: &mut Backoff,
    note: &mut (dyn FnMut(String) + Send),
    what: &str,
    request: impl Fn() -> reqwest::RequestBuilder,
) -> Result<Response, Failure> {
    loop {
        let wait = match request().bearer_auth(credential).send().await {
            Ok(response) if response.status().is_success() => {
                backoff.reset();
                return Ok(response);
            }
            Ok(response)
                if response.status() == StatusCode::UNAUTHORIZED
                    || response.status() == StatusCode::PROXY_AUTHENTICATION_REQUIRED =>
            {
                // Only the console's own refusal revokes the pairing; a
                // proxy asking for a password must not.
                let status = response.status();
                if pairing::code_of(response).await == "link_revoked" {
                    return Err(Failure::Revoked);
                }
                let wait = backoff.wait();
                note(format!(
                    "cannot {what}: the proxy refused the user name or password ({status}): \
                     fix them in https_proxy; trying again in {} s",
                    wait.as_secs_f64().ceil()
                ));
                wait
            }
            Ok(response)
                if response.status().is_server_error()
                    || response.status() == StatusCode::TOO_MANY_REQUESTS =>
            {
                let wait = pairing::retry_after(&response).unwrap_or_else(|| backoff.wait());
                note(format!(
                    "cannot {what}: the console answered {}; trying again in {} s",
                    response.status(),
                    wait.as_secs_f64().ceil()
                ));
                wait
            }
            Ok(response) => {
                let status = response.status();
                return Err(Failure::Refused(status, pairing::code_of(response).await));
            }
            Err(error) => {
                let wait = backoff.wait();
                note(format!(
                    "cannot {what}: {}; trying again in {} s",
                    describe(&error),
                    wait.as_secs_f64().ceil()
                ));
                wait
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// Starts reading an import's windows in order on a thread of its own,
/// over one connection: each window's rows as the report's table, or why
/// not (then nothing more is read). It reads a window ahead of the one
/// taken, no more, and stops when the receiver is dropped.
fn read_windows(
    import: &ImportQuery,
) -> tokio::sync::mpsc::Receiver<Result<query::EncodedTable, String>> {
    let (sql, columns) = (import.sql.clone(), import.columns.clone());
    let (connection, windows) = (import.connection.clone(), import.windows());
    let (tables, received) = tokio::sync::mpsc::channel(1);
    tokio::task::spawn_blocking(move || {
        let connected = query::drivers()
            .map_err(|error| format!("the ODBC drivers cannot be listed: {error}"))
            .and_then(|drivers| connection.odbc(&drivers).map_err(|error| error.to_string()))
            .and_then(|text| query::connect(&text));
        let connection = match connected {
            Ok(connection) => connection,
            Err(why) => {
                let _ = tables.blocking_send(Err(why));
                return;
            }
        };
        for window in windows {
            let table = query::import(&connection, &sql, &window.parameters, &columns);
            let failed = table.is_err();
            if tables.blocking_send(table).is_err() || failed {
                return;
            }
        }
    });
    received
}

/// The regular files of `folder` not modified within `SETTLE` of `now`,
/// by name; hidden files (a dot first) are someone's temporary files.
pub fn settled_files(folder: &Path, now: SystemTime) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let settled = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= SETTLE);
        if metadata.is_file() && !hidden && settled {
            files.push(entry.path());
        }
    }
    files.sort();
    Ok(files)
}

/// The file's content, or `None` when it is larger than the console takes.
fn read_bounded(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut content = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut content)?;
    Ok((content.len() as u64 <= MAX_FILE_BYTES).then_some(content))
}

/// A report's body: `result` as JSON with `table` (a [`ResultTable`]
/// already encoded, see [`query::EncodedTable`]) as its `table`.
///
/// [`ResultTable`]: domain::cloud_link::wire::ResultTable
fn report_body(result: &JobResult, table: Option<&[u8]>) -> Vec<u8> {
    let mut body = serde_json::to_vec(result).expect("a report always encodes");
    if let Some(table) = table {
        // An object ends with its brace: the table goes in before it.
        body.pop();
        body.reserve(table.len() + 10);
        body.extend_from_slice(br#","table":"#);
        body.extend_from_slice(table);
        body.push(b'}');
    }
    body
}

#[cfg(test)]
mod tests {
    use domain::cloud_link::wire::ResultTable;

    use super::*;

    #[test]
    fn a_report_body_is_the_job_result_with_its_table() {
        let result = JobResult {
            succeeded: true,
            message: "2 row(s)".into(),
            rows: None,
            table: None,
        };
        let table = br#"{"columns":["queue"],"rows":[["Sales"],[null]]}"#;
        let read: JobResult =
            serde_json::from_slice(&report_body(&result, Some(table))).expect("JSON");
        assert_eq!(
            read,
            JobResult {
                table: Some(ResultTable {
                    columns: vec!["queue".into()],
                    rows: vec![vec![Some("Sales".into())], vec![None]],
                }),
                ..result.clone()
            }
        );
        let read: JobResult = serde_json::from_slice(&report_body(&result, None)).expect("JSON");
        assert_eq!(read, result);
    }

    #[test]
    fn only_settled_visible_regular_files_are_picked_up_by_name() {
        let folder = tempfile::tempdir().expect("a folder");
        for name in ["b.csv", "a.csv", ".partial.csv"] {
            std::fs::write(folder.path().join(name), "x").expect("written");
        }
        std::fs::create_dir(folder.path().join("archive")).expect("a folder");
        let later = SystemTime::now() + SETTLE;
        let names: Vec<String> = settled_files(folder.path(), later)
            .expect("read")
            .iter()
            .map(|path| {
                path.file_name()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.csv", "b.csv"]);
        assert!(
            settled_files(folder.path(), SystemTime::now())
                .expect("read")
                .is_empty(),
            "a file just written may still be growing"
        );
    }
}
