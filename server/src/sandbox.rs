//! Where a CSV schema's SQLite query runs (DESIGN §4, ADR 0010): in a
//! child process, `intake sql-sandbox`, never in the server. SQLite's
//! memory bound (`hard_heap_limit`) is the whole process's, and the
//! server's own database may be SQLite in the same library, so the bound
//! can only be a process's: the child's address space is limited too, its
//! CPU time, and the server kills it past a deadline.
//!
//! Inside, the file's table is loaded into an in-memory database, then
//! the connection only reads: an authorizer allows reading and functions,
//! nothing else (no `ATTACH`, `PRAGMA`, writes or schema changes), no
//! extension can be loaded, one statement only, and a progress handler
//! stops the query at its deadline. The server speaks JSON with the child
//! over its standard input and output.

use std::{
    io::{Read, Write},
    path::PathBuf,
    process::{ExitCode, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use domain::{
    csv::query::{
        QueryError, QueryResult, QuerySandbox, SandboxUnavailable, SqlValue, UploadedFile,
        MAX_RESULT_ROWS, QUERY_MEMORY_MIB, QUERY_SECONDS, TABLE,
    },
    store::BoxFuture,
};
use rusqlite::{
    hooks::{AuthAction, AuthContext, Authorization},
    limits::Limit,
    types::ValueRef,
    Connection, ErrorCode,
};
use serde::{Deserialize, Serialize};
use tokio::{io::AsyncReadExt, io::AsyncWriteExt, process::Command, sync::Semaphore};

/// The child's address space: SQLite's heap, the file, the result.
const CHILD_ADDRESS_SPACE_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// The largest answer read from the child.
const MAX_ANSWER_BYTES: u64 = 512 * 1024 * 1024;
/// The longest value a query may make (`randomblob`, `group_concat` …).
const MAX_VALUE_BYTES: i32 = 16 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Request {
    sql: String,
    file: UploadedFile,
}

type Answer = Result<QueryResult, QueryError>;

/// Runs queries in child processes, a few at once.
pub struct ProcessSandbox {
    program: PathBuf,
    permits: Semaphore,
}

impl ProcessSandbox {
    /// `program` is the `intake` binary; `at_once` queries run together,
    /// more wait their turn.
    pub fn new(program: PathBuf, at_once: usize) -> Self {
        Self {
            program,
            permits: Semaphore::new(at_once.max(1)),
        }
    }

    async fn run_child(&self, request: Vec<u8>) -> Result<Answer, SandboxUnavailable> {
        let unavailable = |what: &str, error: std::io::Error| {
            tracing::error!(%error, "the query sandbox failed: {what}");
            SandboxUnavailable(format!("{what}: {error}"))
        };
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| SandboxUnavailable("the server is stopping".to_owned()))?;
        let mut child = Command::new(&self.program)
            .arg("sql-sandbox")
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| unavailable("cannot start it", e))?;
        let mut stdin = child.stdin.take().expect("a piped standard input");
        let mut stdout = child.stdout.take().expect("a piped standard output");
        let mut stderr = child.stderr.take().expect("a piped standard error");
        let send = async move {
            // A child that stops reading (it failed early) is no error here:
            // its exit says why.
            let _ = stdin.write_all(&request).await;
            drop(stdin);
        };
        let mut answer = Vec::new();
        let mut complaint = Vec::new();
        let receive = async {
            let read = (&mut stdout)
                .take(MAX_ANSWER_BYTES)
                .read_to_end(&mut answer)
                .await;
            let _ = (&mut stderr)
                .take(64 * 1024)
                .read_to_end(&mut complaint)
                .await;
            read
        };
        let deadline = Duration::from_secs(QUERY_SECONDS + 5);
        let finished = tokio::time::timeout(deadline, async {
            let ((), read) = tokio::join!(send, receive);
            read?;
            child.wait().await
        })
        .await;
        let status = match finished {
            Err(_) => {
                let _ = child.kill().await;
                return Ok(Err(QueryError::TooSlow));
            }
            Ok(Err(error)) => return Err(unavailable("cannot talk to it", error)),
            Ok(Ok(status)) => status,
        };
        if status.success() {
            return serde_json::from_slice(&answer).map_err(|error| {
                tracing::error!(%error, "the query sandbox answered nonsense");
                SandboxUnavailable(format!("its answer does not read: {error}"))
            });
        }
        let complaint = String::from_utf8_lossy(&complaint);
        // Past its CPU time (SIGXCPU, SIGKILL) or its address space (an
        // allocation that failed outside SQLite aborts).
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(9 | 24) => Ok(Err(QueryError::TooSlow)),
            Some(6) if complaint.contains("memory allocation") => {
                Ok(Err(QueryError::TooMuchMemory))
            }
            _ => {
                tracing::error!(%status, %complaint, "the query sandbox failed");
                Err(SandboxUnavailable(format!("it ended with {status}")))
            }
        }
    }
}

impl QuerySandbox for ProcessSandbox {
    fn run<'a>(
        &'a self,
        file: &'a UploadedFile,
        sql: &'a str,
    ) -> BoxFuture<'a, Result<Answer, SandboxUnavailable>> {
        Box::pin(async move {
            let request = serde_json::to_vec(&Request {
                sql: sql.to_owned(),
                file: file.clone(),
            })
            .map_err(|error| SandboxUnavailable(error.to_string()))?;
            self.run_child(request).await
        })
    }
}

/// `intake sql-sandbox`: bounds this process, reads one request from
/// standard input, answers on standard output.
pub fn serve_child() -> ExitCode {
    use rlimit::Resource;
    let cpu = QUERY_SECONDS + 2;
    let bounded = rlimit::setrlimit(
        Resource::AS,
        CHILD_ADDRESS_SPACE_BYTES,
        CHILD_ADDRESS_SPACE_BYTES,
    )
    .and_then(|()| rlimit::setrlimit(Resource::CPU, cpu, cpu + 1));
    if let Err(error) = bounded {
        eprintln!("cannot bound the sandbox: {error}");
        return ExitCode::FAILURE;
    }
    let mut input = Vec::new();
    if let Err(error) = std::io::stdin().lock().read_to_end(&mut input) {
        eprintln!("cannot read the request: {error}");
        return ExitCode::FAILURE;
    }
    let request: Request = match serde_json::from_slice(&input) {
        Ok(request) => request,
        Err(error) => {
            eprintln!("the request does not read: {error}");
            return ExitCode::FAILURE;
        }
    };
    drop(input);
    let deadline = Instant::now() + Duration::from_secs(QUERY_SECONDS);
    let answer = execute(&request.file, &request.sql, deadline, true);
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &answer)
        .map_err(std::io::Error::from)
        .and_then(|()| out.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cannot answer: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `sql` over `file` until `deadline`. `bound_heap` sets SQLite's
/// heap limit, which is the whole process's: only in the child.
pub fn execute(file: &UploadedFile, sql: &str, deadline: Instant, bound_heap: bool) -> Answer {
    let denied = Arc::new(Mutex::new(None::<String>));
    let connection = prepare_database(file, bound_heap).map_err(|e| sql_error(&e, None))?;
    let seen = denied.clone();
    connection.authorizer(Some(move |context: AuthContext<'_>| {
        let allowed = match context.action {
            AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => true,
            AuthAction::Function { function_name } => {
                !function_name.eq_ignore_ascii_case("load_extension")
            }
            _ => false,
        };
        if allowed {
            Authorization::Allow
        } else {
            if let Ok(mut seen) = seen.lock() {
                seen.get_or_insert_with(|| describe(&context.action));
            }
            Authorization::Deny
        }
    }));
    connection.progress_handler(10_000, Some(move || Instant::now() > deadline));
    let denied_action = || denied.lock().ok().and_then(|seen| seen.clone());
    // One statement: a second one is prepared (never run) to notice it.
    let mut statements = rusqlite::Batch::new(&connection, sql);
    let mut statement = statements
        .next()
        .map_err(|e| sql_error(&e, denied_action()))?
        .ok_or_else(|| QueryError::Sql("the query is empty".to_owned()))?;
    if statements
        .next()
        .map_err(|e| sql_error(&e, denied_action()))?
        .is_some()
    {
        return Err(QueryError::NotOneStatement);
    }
    let columns: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let width = columns.len();
    let mut rows = Vec::new();
    let mut cursor = statement
        .query([])
        .map_err(|e| sql_error(&e, denied_action()))?;
    while let Some(row) = cursor.next().map_err(|e| sql_error(&e, denied_action()))? {
        if rows.len() == MAX_RESULT_ROWS {
            return Err(QueryError::TooManyRows);
        }
        let mut values = Vec::with_capacity(width);
        for index in 0..width {
            let value = row.get_ref(index).map_err(|e| sql_error(&e, None))?;
            values.push(match value {
                ValueRef::Null => SqlValue::Null,
                ValueRef::Integer(n) => SqlValue::Integer(n),
                ValueRef::Real(x) => SqlValue::Real(x),
                ValueRef::Text(text) | ValueRef::Blob(text) => {
                    SqlValue::Text(String::from_utf8_lossy(text).into_owned())
                }
            });
        }
        rows.push(values);
    }
    Ok(QueryResult { columns, rows })
}

/// The in-memory database holding `file` as `uploaded_file`.
fn prepare_database(file: &UploadedFile, bound_heap: bool) -> rusqlite::Result<Connection> {
    let connection = Connection::open_in_memory()?;
    connection.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    if bound_heap {
        let bytes = QUERY_MEMORY_MIB * 1024 * 1024;
        connection.query_row(&format!("PRAGMA hard_heap_limit = {bytes}"), [], |_| Ok(()))?;
    }
    // Sorts and temporary tables in memory, under the heap limit, never
    // on the server's disk.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    connection.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0);
    connection.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES);
    connection.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, 100_000);
    let names: Vec<String> = file.columns.iter().map(|name| quoted(name)).collect();
    let create = format!(
        "CREATE TABLE {TABLE} ({})",
        names
            .iter()
            .map(|name| format!("{name} TEXT"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    connection.execute_batch(&create)?;
    if !names.is_empty() {
        let insert = format!(
            "INSERT INTO {TABLE} VALUES ({})",
            vec!["?"; names.len()].join(", ")
        );
        connection.execute_batch("BEGIN")?;
        {
            let mut statement = connection.prepare(&insert)?;
            for row in &file.rows {
                statement.execute(rusqlite::params_from_iter(row.iter()))?;
            }
        }
        connection.execute_batch("COMMIT")?;
    }
    connection.pragma_update(None, "query_only", true)?;
    Ok(connection)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn describe(action: &AuthAction<'_>) -> String {
    match action {
        AuthAction::Attach { .. } => "ATTACH".to_owned(),
        AuthAction::Detach { .. } => "DETACH".to_owned(),
        AuthAction::Pragma { pragma_name, .. } => format!("PRAGMA {pragma_name}"),
        AuthAction::Function { function_name } => format!("the function {function_name}"),
        // SQLite's own tables change with the schema.
        AuthAction::Insert { table_name } if table_name.starts_with("sqlite_") => {
            "CREATE".to_owned()
        }
        AuthAction::Insert { .. } => "INSERT".to_owned(),
        AuthAction::Update { .. } => "UPDATE".to_owned(),
        AuthAction::Delete { .. } => "DELETE".to_owned(),
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => "a transaction".to_owned(),
        other => {
            let name = format!("{other:?}");
            let name = name
                .split([' ', '{', '('])
                .next()
                .unwrap_or("that")
                .to_owned();
            format!("{name} (only SELECT)")
        }
    }
}

fn sql_error(error: &rusqlite::Error, denied: Option<String>) -> QueryError {
    if let Some(action) = denied {
        return QueryError::NotAllowed(action);
    }
    match error {
        rusqlite::Error::MultipleStatement => QueryError::NotOneStatement,
        rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
            ErrorCode::OperationInterrupted => QueryError::TooSlow,
            ErrorCode::OutOfMemory => QueryError::TooMuchMemory,
            ErrorCode::TooBig => QueryError::TooMuchMemory,
            _ => QueryError::Sql(sqlite_message(error)),
        },
        other => QueryError::Sql(sqlite_message(other)),
    }
}

fn sqlite_message(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> UploadedFile {
        UploadedFile {
            columns: vec!["queue".into(), "start".into(), "talk".into()],
            rows: vec![
                vec!["Sales".into(), "27.11.2026 08:03".into(), "95".into()],
                vec!["Sales".into(), "27.11.2026 08:20".into(), "".into()],
            ],
        }
    }

    fn run(sql: &str) -> Answer {
        execute(&file(), sql, Instant::now() + Duration::from_secs(5), false)
    }

    #[test]
    fn a_query_reads_the_uploaded_file() {
        let result = run("SELECT queue AS queueidentifier, \
             substr(start, 7, 4) || '-' || substr(start, 4, 2) || '-' || substr(start, 1, 2) \
             || ' ' || substr(start, 12, 5) || ':00' AS timestamp, \
             CAST(talk AS INTEGER) AS duration, talk = '' AS missing FROM uploaded_file")
        .expect("a result");
        assert_eq!(
            result.columns,
            ["queueidentifier", "timestamp", "duration", "missing"]
        );
        assert_eq!(
            result.rows[0],
            [
                SqlValue::Text("Sales".into()),
                SqlValue::Text("2026-11-27 08:03:00".into()),
                SqlValue::Integer(95),
                SqlValue::Integer(0)
            ]
        );
    }

    #[test]
    fn a_query_only_reads() {
        for (sql, action) in [
            ("ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH"),
            ("PRAGMA query_only = 0", "PRAGMA query_only"),
            ("DELETE FROM uploaded_file", "DELETE"),
            ("INSERT INTO uploaded_file VALUES ('a', 'b', 'c')", "INSERT"),
            ("CREATE TABLE t (x)", "CREATE"),
            ("SELECT load_extension('x')", "the function load_extension"),
        ] {
            assert_eq!(
                run(sql),
                Err(QueryError::NotAllowed(action.to_owned())),
                "{sql}"
            );
        }
        assert_eq!(run("SELECT 1; SELECT 2"), Err(QueryError::NotOneStatement));
        assert!(
            matches!(run("SELEKT 1"), Err(QueryError::Sql(message)) if message.contains("syntax"))
        );
        assert!(
            matches!(run("SELECT nothing FROM uploaded_file"), Err(QueryError::Sql(message)) if message.contains("nothing"))
        );
    }

    #[test]
    fn a_runaway_query_is_stopped_at_its_deadline() {
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                       SELECT count(*) FROM n";
        let answer = execute(
            &file(),
            endless,
            Instant::now() + Duration::from_millis(200),
            false,
        );
        assert_eq!(answer, Err(QueryError::TooSlow));
    }

    #[test]
    fn values_too_large_are_refused() {
        assert_eq!(
            run("SELECT randomblob(100000000)"),
            Err(QueryError::TooMuchMemory)
        );
    }

    /// The shapes customers' queries take, each through the sandbox and
    /// read as the schema would.
    #[test]
    fn the_usual_query_shapes_read() {
        use domain::{
            csv::{
                intervals::Missing, query::QueryMapping, schema::FileData, schema::Layout,
                zone::TimeZone,
            },
            integration::IntervalLength,
        };
        let deadline = || Instant::now() + Duration::from_secs(5);
        let intervals = QueryMapping::new(
            "unused",
            Layout::Intervals(IntervalLength::Fifteen),
            TimeZone::UTC,
            Missing::Zero,
        )
        .expect("a mapping");
        // Totals from an average, a date and a time joined with substr,
        // answered as offered minus abandoned.
        let report = UploadedFile {
            columns: ["queue", "day", "slot", "offered", "abandoned", "aht"]
                .map(String::from)
                .to_vec(),
            rows: vec![["Sales", "27.11.2026", "0815", "12", "2", "95.5"]
                .map(String::from)
                .to_vec()],
        };
        let result = execute(
            &report,
            "SELECT queue AS queueidentifier, queue AS queuename, \
             substr(day, 7, 4) || '-' || substr(day, 4, 2) || '-' || substr(day, 1, 2) || ' ' \
             || substr(slot, 1, 2) || ':' || substr(slot, 3, 2) || ':00' AS timestamp, \
             offered, offered - abandoned AS answered, \
             (offered - abandoned) * aht AS handlingtime FROM uploaded_file",
            deadline(),
            false,
        )
        .expect("a result");
        let Ok(FileData::Intervals(rows)) = intervals.read(result.clone()) else {
            panic!("intervals: {result:?}")
        };
        let totals = rows[0].totals.expect("counts");
        assert_eq!(rows[0].start.to_rfc3339(), "2026-11-27T08:15:00+00:00");
        assert_eq!(
            (totals.offered, totals.handled, totals.abandoned),
            (12, 10, 2)
        );
        assert_eq!(totals.handle_time_ms, 955_000, "10 × 95.5 s");

        // One row a contact, answered told by a CASE.
        let contacts = QueryMapping::new("unused", Layout::Contacts, TimeZone::UTC, Missing::Zero)
            .expect("a mapping");
        let calls = UploadedFile {
            columns: ["queue", "started", "outcome", "talk"]
                .map(String::from)
                .to_vec(),
            rows: vec![
                ["Sales", "2026-11-27 08:03:10", "ANSWERED", "120"]
                    .map(String::from)
                    .to_vec(),
                ["Sales", "2026-11-27 08:07:00", "ABANDONED", ""]
                    .map(String::from)
                    .to_vec(),
            ],
        };
        let result = execute(
            &calls,
            "SELECT queue AS queueidentifier, queue AS queuename, started AS timestamp, \
             CASE outcome WHEN 'ANSWERED' THEN 1 ELSE 0 END AS answered, \
             CAST(NULLIF(talk, '') AS INTEGER) AS duration FROM uploaded_file",
            deadline(),
            false,
        )
        .expect("a result");
        let Ok(FileData::Contacts(read)) = contacts.read(result.clone()) else {
            panic!("contacts: {result:?}")
        };
        assert_eq!(
            read.iter()
                .map(|(_, c)| (c.handled, c.duration_ms))
                .collect::<Vec<_>>(),
            [(true, 120_000), (false, 0)]
        );
    }
}
