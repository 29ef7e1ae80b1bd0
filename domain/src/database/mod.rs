//! Database integrations (DESIGN §4): how the paired Cloud Link client
//! reaches the customer's database, and what it imports from it. An admin
//! picks MS SQL Server, MySQL or PostgreSQL (host, port or a named SQL
//! Server instance, database, user, password) or *Other (ODBC)* with a
//! connection string or a DSN; the database's time zone; the data type;
//! the query, whose result carries fixed column names; real time and
//! data reconciliation.
//!
//! The connection string is made on the client's machine, from these
//! settings and the ODBC drivers installed there ([`Connection::odbc`]):
//! the server cannot know which driver versions a customer has.

pub mod form;
pub mod import;
pub mod service;

use serde::{Deserialize, Serialize};

use crate::{
    csv::{query::result_columns, schema::Layout, zone::TimeZone},
    integration::IntervalLength,
};

/// The longest host, database, user or password kept.
pub const MAX_FIELD_CHARS: usize = 255;
/// The longest ODBC connection string or DSN kept.
pub const MAX_CONNECTION_CHARS: usize = 4_096;
/// The longest query kept.
pub const MAX_QUERY_CHARS: usize = 100_000;

/// The database products with a form of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum Product {
    SqlServer,
    MySql,
    PostgreSql,
}

impl Product {
    pub const ALL: [Product; 3] = [Product::SqlServer, Product::MySql, Product::PostgreSql];

    pub fn as_str(self) -> &'static str {
        match self {
            Product::SqlServer => "sqlServer",
            Product::MySql => "mySql",
            Product::PostgreSql => "postgreSql",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|product| product.as_str() == name)
    }

    pub fn default_port(self) -> u16 {
        match self {
            Product::SqlServer => 1433,
            Product::MySql => 3306,
            Product::PostgreSql => 5432,
        }
    }

    /// The installed driver to use, best first: the newest Microsoft
    /// driver, MySQL's Unicode driver or MariaDB's, psqlODBC's Unicode one.
    fn driver(self, installed: &[String]) -> Option<&str> {
        let score = |name: &str| -> Option<(u8, u32)> {
            let lower = name.to_lowercase();
            let version = lower
                .split(|c: char| !c.is_ascii_digit())
                .find_map(|digits| digits.parse::<u32>().ok())
                .unwrap_or(0);
            let rank = match self {
                Product::SqlServer
                    if lower.starts_with("odbc driver") && lower.contains("sql server") =>
                {
                    3
                }
                Product::SqlServer if lower.contains("sql server native client") => 2,
                Product::SqlServer if lower.contains("sql server") => 1,
                Product::SqlServer if lower.contains("freetds") => 1,
                Product::MySql if lower.contains("mysql") && lower.contains("unicode") => 3,
                Product::MySql if lower.contains("mariadb") => 2,
                Product::MySql if lower.contains("mysql") => 1,
                Product::PostgreSql
                    if lower.contains("postgresql") && lower.contains("unicode") =>
                {
                    3
                }
                Product::PostgreSql if lower.contains("postgresql") => 1,
                _ => return None,
            };
            Some((rank, version))
        };
        installed
            .iter()
            .filter_map(|name| score(name).map(|score| (score, name.as_str())))
            .max_by_key(|(score, _)| *score)
            .map(|(_, name)| name)
    }
}

/// How the client reaches the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Connection {
    #[serde(rename_all = "camelCase")]
    Server {
        product: Product,
        host: String,
        /// `None`: the product's usual port, or a named SQL Server
        /// instance's, which SQL Server Browser tells (UDP 1434).
        port: Option<u16>,
        /// SQL Server only: a named instance.
        instance: Option<String>,
        database: String,
        user: String,
        password: String,
    },
    /// A connection string or `DSN=…`, as the client's machine knows it.
    Odbc { connection: String },
}

/// No installed driver fits the database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no ODBC driver for {product} is installed on the Cloud Link machine (installed: {installed})"
)]
pub struct NoDriver {
    pub product: &'static str,
    pub installed: String,
}

impl Connection {
    /// The connection without its password, as kept once a job ended.
    pub fn without_password(&self) -> Self {
        match self {
            Connection::Server {
                product,
                host,
                port,
                instance,
                database,
                user,
                ..
            } => Connection::Server {
                product: *product,
                host: host.clone(),
                port: *port,
                instance: instance.clone(),
                database: database.clone(),
                user: user.clone(),
                password: String::new(),
            },
            Connection::Odbc { .. } => Connection::Odbc {
                connection: String::new(),
            },
        }
    }

    /// The ODBC connection string for `installed` drivers.
    pub fn odbc(&self, installed: &[String]) -> Result<String, NoDriver> {
        let (product, host, port, instance, database, user, password) = match self {
            Connection::Odbc { connection } => return Ok(connection.clone()),
            Connection::Server {
                product,
                host,
                port,
                instance,
                database,
                user,
                password,
            } => (product, host, port, instance, database, user, password),
        };
        let driver = product.driver(installed).ok_or_else(|| NoDriver {
            product: product.as_str(),
            installed: if installed.is_empty() {
                "none".to_owned()
            } else {
                installed.join(", ")
            },
        })?;
        // FreeTDS takes the port on its own, as the other products do;
        // Microsoft's drivers after a comma.
        let microsoft =
            *product == Product::SqlServer && !driver.to_lowercase().contains("freetds");
        let server = match (product, instance) {
            (Product::SqlServer, Some(instance)) => format!("{host}\\{instance}"),
            (Product::SqlServer, None) if microsoft => {
                format!("{host},{}", port.unwrap_or(product.default_port()))
            }
            _ => host.clone(),
        };
        let mut pairs = vec![("Driver", driver.to_owned()), ("Server", server)];
        if !microsoft && instance.is_none() {
            pairs.push(("Port", port.unwrap_or(product.default_port()).to_string()));
        }
        pairs.extend([
            ("Database", database.clone()),
            ("UID", user.clone()),
            ("PWD", password.clone()),
        ]);
        Ok(pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={};", odbc_value(&value)))
            .collect())
    }
}

/// A value as an ODBC connection string holds it: braced (a `}` doubled)
/// when it has characters the string's syntax uses.
fn odbc_value(value: &str) -> String {
    if value.is_empty()
        || value
            .chars()
            .any(|c| matches!(c, ';' | '{' | '}' | '=' | ' ') || c.is_control())
    {
        format!("{{{}}}", value.replace('}', "}}"))
    } else {
        value.to_owned()
    }
}

/// What the query imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportData {
    /// Interval-based contact data, 15 or 30 minutes.
    Intervals(IntervalLength),
    /// One row per contact.
    Contacts,
    AgentStatuses,
}

impl ImportData {
    /// The columns the query's result must carry, then the optional ones.
    pub fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        result_columns(self.layout())
    }

    /// How the result is read: as a CSV file of the same layout would be.
    pub fn layout(self) -> Layout {
        match self {
            ImportData::Intervals(length) => Layout::Intervals(length),
            ImportData::Contacts => Layout::Contacts,
            ImportData::AgentStatuses => Layout::AgentStatuses,
        }
    }
}

/// A database integration's settings as the API and the form send them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsDocument {
    /// `sqlServer`, `mySql`, `postgreSql`, or `odbc` for any other database through a connection string or DSN.
    #[cfg_attr(feature = "openapi", schema(example = "postgreSql"))]
    pub database_type: String,
    /// The database server's host name or address, as the Cloud Link machine reaches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Left out: the product's usual port (1433, 3306, 5432). Not with a named SQL Server instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// SQL Server only: a named instance; its port comes from SQL Server Browser (UDP 1434).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Write-only: kept sealed, never given back; left out, the saved one is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// `odbc` only: a connection string or `DSN=…` as the Cloud Link machine knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The IANA time zone of the database's times, e.g. `Europe/Berlin`.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub time_zone: String,
    /// `intervals`, `contacts` or `agentStatuses`.
    #[cfg_attr(feature = "openapi", schema(example = "intervals"))]
    pub data_type: String,
    /// Interval-based only: 15 or 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_minutes: Option<u32>,
    /// The query; its result's columns carry fixed names (aliases are the usual way): intervals `queueidentifier, queuename, timestamp, offered, answered, handlingtime [, channel]`; contacts `queueidentifier, queuename, timestamp, answered [, duration, channel]`; agent statuses `agentidentifier, starttime, activity [, endtime]`.
    pub query: String,
    /// Import every 10 seconds instead of every 15 minutes.
    #[serde(default)]
    pub real_time: bool,
    /// On unless said otherwise: the last 24 hours imported again every 15 minutes, so corrections at the source arrive.
    #[serde(default = "on")]
    pub reconciliation: bool,
}

fn on() -> bool {
    true
}

/// A database integration's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSettings {
    pub connection: Connection,
    pub zone: TimeZone,
    pub data: ImportData,
    pub query: String,
    pub real_time: bool,
    pub reconciliation: bool,
}

/// One thing wrong with a settings document, at its JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsProblem {
    pub pointer: &'static str,
    pub detail: String,
}

impl SettingsDocument {
    /// The settings, or every problem with them. `saved_password` is kept
    /// when the document has none.
    pub fn settings(
        &self,
        saved_password: Option<&str>,
    ) -> Result<DatabaseSettings, Vec<SettingsProblem>> {
        let mut problems = Vec::new();
        let mut problem = |pointer: &'static str, detail: &str| {
            problems.push(SettingsProblem {
                pointer,
                detail: detail.to_owned(),
            });
        };
        fn text(value: &Option<String>) -> &str {
            value.as_deref().map_or("", str::trim)
        }
        let fits = |value: &str, max: usize| {
            value.chars().count() <= max && !value.chars().any(char::is_control)
        };
        let connection = if self.database_type == "odbc" {
            let connection = text(&self.connection);
            if connection.is_empty() {
                problem(
                    "/connection",
                    "is required: a connection string or DSN=name",
                );
            } else if !fits(connection, MAX_CONNECTION_CHARS) {
                problem("/connection", "is at most 4096 characters of one line");
            }
            for (pointer, value) in [
                ("/host", &self.host),
                ("/database", &self.database),
                ("/user", &self.user),
            ] {
                if value.is_some() {
                    problem(pointer, "has no meaning with an ODBC connection string");
                }
            }
            Some(Connection::Odbc {
                connection: connection.to_owned(),
            })
        } else if let Some(product) = Product::parse(&self.database_type) {
            let mut required = |pointer: &'static str, value: &str| {
                if value.is_empty() {
                    problem(pointer, "is required");
                } else if !fits(value, MAX_FIELD_CHARS) {
                    problem(pointer, "is at most 255 characters of one line");
                }
                value.to_owned()
            };
            let host = required("/host", text(&self.host));
            let database = required("/database", text(&self.database));
            let user = required("/user", text(&self.user));
            let instance = Some(text(&self.instance)).filter(|i| !i.is_empty());
            if instance.is_some() && product != Product::SqlServer {
                problem("/instance", "is for SQL Server only");
            }
            if instance.is_some() && self.port.is_some() {
                problem(
                    "/port",
                    "goes without a named instance: SQL Server Browser tells the instance's port (UDP 1434 must be open)",
                );
            }
            let port = match self.port {
                None => None,
                Some(port) => match u16::try_from(port) {
                    Ok(port) if port > 0 => Some(port),
                    _ => {
                        problem("/port", "is a port from 1 to 65535");
                        None
                    }
                },
            };
            let password = self
                .password
                .clone()
                .or_else(|| saved_password.map(str::to_owned))
                .unwrap_or_default();
            if !fits(&password, MAX_FIELD_CHARS) {
                problem("/password", "is at most 255 characters of one line");
            }
            Some(Connection::Server {
                product,
                host,
                port,
                instance: instance.map(str::to_owned),
                database,
                user,
                password,
            })
        } else {
            problem(
                "/databaseType",
                "is one of sqlServer, mySql, postgreSql, odbc",
            );
            None
        };
        let zone = TimeZone::parse(&self.time_zone);
        if zone.is_none() {
            problem("/timeZone", "is an IANA time zone, e.g. Europe/Berlin");
        }
        let data = match (self.data_type.as_str(), self.interval_minutes) {
            ("intervals", Some(15)) => Some(ImportData::Intervals(IntervalLength::Fifteen)),
            ("intervals", Some(30)) => Some(ImportData::Intervals(IntervalLength::Thirty)),
            ("intervals", _) => {
                problem("/intervalMinutes", "is 15 or 30 for interval-based data");
                None
            }
            ("contacts" | "agentStatuses", Some(_)) => {
                problem("/intervalMinutes", "is for interval-based data only");
                None
            }
            ("contacts", None) => Some(ImportData::Contacts),
            ("agentStatuses", None) => Some(ImportData::AgentStatuses),
            _ => {
                problem("/dataType", "is one of intervals, contacts, agentStatuses");
                None
            }
        };
        let query = self.query.trim();
        if query.is_empty() {
            problem("/query", "is required");
        } else if query.chars().count() > MAX_QUERY_CHARS {
            problem("/query", "is at most 100000 characters");
        } else if let Err(error) = import::MarkedQuery::parse(query) {
            problem("/query", &error.to_string());
        }
        match (connection, zone, data) {
            (Some(connection), Some(zone), Some(data)) if problems.is_empty() => {
                Ok(DatabaseSettings {
                    connection,
                    zone,
                    data,
                    query: query.to_owned(),
                    real_time: self.real_time,
                    reconciliation: self.reconciliation,
                })
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drivers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn server(product: Product) -> Connection {
        Connection::Server {
            product,
            host: "db.example.local".into(),
            port: None,
            instance: None,
            database: "acd".into(),
            user: "reader".into(),
            password: "p;w}d".into(),
        }
    }

    #[test]
    fn the_connection_string_uses_the_best_installed_driver_and_braces_what_needs_it() {
        let installed = drivers(&[
            "SQL Server",
            "ODBC Driver 17 for SQL Server",
            "ODBC Driver 18 for SQL Server",
            "PostgreSQL ANSI",
            "PostgreSQL Unicode",
            "MariaDB Unicode",
        ]);
        assert_eq!(
            server(Product::SqlServer)
                .odbc(&installed)
                .expect("a driver"),
            "Driver={ODBC Driver 18 for SQL Server};Server=db.example.local,1433;\
             Database=acd;UID=reader;PWD={p;w}}d};"
        );
        assert_eq!(
            server(Product::PostgreSql)
                .odbc(&installed)
                .expect("a driver"),
            "Driver={PostgreSQL Unicode};Server=db.example.local;Port=5432;\
             Database=acd;UID=reader;PWD={p;w}}d};"
        );
        assert!(server(Product::MySql)
            .odbc(&installed)
            .expect("MariaDB's driver speaks MySQL")
            .starts_with("Driver={MariaDB Unicode};"));
        let named = Connection::Server {
            product: Product::SqlServer,
            host: "db.example.local".into(),
            port: None,
            instance: Some("ACD".into()),
            database: "acd".into(),
            user: "reader".into(),
            password: String::new(),
        };
        assert!(named
            .odbc(&installed)
            .expect("a driver")
            .contains(";Server=db.example.local\\ACD;"));
        assert_eq!(
            server(Product::MySql).odbc(&drivers(&["PostgreSQL Unicode"])),
            Err(NoDriver {
                product: "mySql",
                installed: "PostgreSQL Unicode".into()
            })
        );
        // FreeTDS, where Microsoft's driver is not installed, takes the
        // port as the others do.
        assert_eq!(
            server(Product::SqlServer)
                .odbc(&drivers(&["FreeTDS", "PostgreSQL Unicode"]))
                .expect("FreeTDS speaks to SQL Server"),
            "Driver=FreeTDS;Server=db.example.local;Port=1433;Database=acd;UID=reader;PWD={p;w}}d};"
        );
        let dsn = Connection::Odbc {
            connection: "DSN=ACD".into(),
        };
        assert_eq!(dsn.odbc(&[]).expect("as it is"), "DSN=ACD");
    }

    fn document() -> SettingsDocument {
        SettingsDocument {
            database_type: "sqlServer".into(),
            host: Some("db".into()),
            database: Some("acd".into()),
            user: Some("reader".into()),
            password: Some("secret".into()),
            time_zone: "Europe/Berlin".into(),
            data_type: "intervals".into(),
            interval_minutes: Some(15),
            query: "SELECT * FROM stats WHERE start >= {from} AND start < {to}".into(),
            reconciliation: true,
            ..SettingsDocument::default()
        }
    }

    #[test]
    fn settings_are_checked_with_every_problem_at_its_pointer() {
        let settings = document().settings(None).expect("fine");
        assert_eq!(
            settings.data,
            ImportData::Intervals(IntervalLength::Fifteen)
        );
        assert!(settings.reconciliation);

        let wrong = SettingsDocument {
            instance: Some("ACD".into()),
            port: Some(1433),
            host: None,
            time_zone: "Mars/Olympus".into(),
            interval_minutes: Some(60),
            query: " ".into(),
            ..document()
        };
        let pointers: Vec<&str> = wrong
            .settings(None)
            .expect_err("problems")
            .iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/host", "/port", "/timeZone", "/intervalMinutes", "/query"]
        );
    }

    #[test]
    fn a_query_marks_its_window() {
        let unmarked = SettingsDocument {
            query: "SELECT * FROM stats".into(),
            ..document()
        };
        let problems = unmarked.settings(None).expect_err("a problem");
        assert_eq!(problems[0].pointer, "/query");
        assert!(problems[0].detail.contains("{from}"), "{:?}", problems[0]);
    }

    #[test]
    fn a_password_left_out_keeps_the_saved_one() {
        let without = SettingsDocument {
            password: None,
            ..document()
        };
        let Connection::Server { password, .. } =
            without.settings(Some("kept")).expect("fine").connection
        else {
            panic!("a server connection")
        };
        assert_eq!(password, "kept");
    }

    #[test]
    fn each_data_type_names_its_columns() {
        assert_eq!(
            ImportData::AgentStatuses.columns(),
            (
                &["agentidentifier", "starttime", "activity"][..],
                &["endtime"][..]
            )
        );
        assert!(ImportData::Contacts
            .columns()
            .0
            .contains(&"queueidentifier"));
    }
}
