//! The database settings as the integration page's form sends them: every
//! field as text, the ones the chosen database type or data type does not
//! use left out of the document, so switching types never leaves a field
//! behind that the settings would refuse. The form's draft travels in the
//! page's address after a refusal — without the password, which never
//! goes into an address.

use serde::{Deserialize, Serialize};

use super::SettingsDocument;

/// The form's fields, as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub database_type: String,
    pub host: String,
    pub port: String,
    pub instance: String,
    pub database: String,
    pub user: String,
    #[serde(skip_serializing)]
    pub password: String,
    pub connection: String,
    pub time_zone: String,
    /// `intervals15`, `intervals30`, `contacts` or `agentStatuses`.
    pub import: String,
    pub query: String,
    /// A checkbox: present when ticked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<String>,
}

/// A port that is not a number, as the settings refuse it.
const NOT_A_PORT: u32 = 0;

impl SettingsForm {
    /// The settings document the form describes; an empty password keeps
    /// the saved one.
    pub fn document(&self) -> SettingsDocument {
        let text = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        let server = self.database_type != "odbc";
        let sql_server = self.database_type == "sqlServer";
        let (data_type, interval_minutes) = match self.import.as_str() {
            "intervals15" => ("intervals", Some(15)),
            "intervals30" => ("intervals", Some(30)),
            other => (other, None),
        };
        SettingsDocument {
            database_type: self.database_type.clone(),
            host: text(&self.host).filter(|_| server),
            port: text(&self.port)
                .filter(|_| server)
                .map(|port| port.parse().unwrap_or(NOT_A_PORT)),
            instance: text(&self.instance).filter(|_| sql_server),
            database: text(&self.database).filter(|_| server),
            user: text(&self.user).filter(|_| server),
            password: Some(self.password.clone()).filter(|p| server && !p.is_empty()),
            connection: text(&self.connection).filter(|_| !server),
            time_zone: self.time_zone.trim().to_owned(),
            data_type: data_type.to_owned(),
            interval_minutes,
            query: self.query.clone(),
            real_time: self.real_time.is_some(),
            reconciliation: self.reconciliation.is_some(),
        }
    }

    /// The form showing `document` (without its password).
    pub fn of(document: &SettingsDocument) -> Self {
        let import = match (document.data_type.as_str(), document.interval_minutes) {
            ("intervals", Some(30)) => "intervals30".to_owned(),
            ("intervals", _) => "intervals15".to_owned(),
            (other, _) => other.to_owned(),
        };
        let on = |ticked: bool| ticked.then(|| "on".to_owned());
        Self {
            database_type: document.database_type.clone(),
            host: document.host.clone().unwrap_or_default(),
            port: document.port.map(|p| p.to_string()).unwrap_or_default(),
            instance: document.instance.clone().unwrap_or_default(),
            database: document.database.clone().unwrap_or_default(),
            user: document.user.clone().unwrap_or_default(),
            password: String::new(),
            connection: document.connection.clone().unwrap_or_default(),
            time_zone: document.time_zone.clone(),
            import,
            query: document.query.clone(),
            real_time: on(document.real_time),
            reconciliation: on(document.reconciliation),
        }
    }

    /// A new integration's form: PostgreSQL, interval-based in 15
    /// minutes, reconciliation on (DESIGN §4), the query with its window.
    pub fn new_integration(time_zone: &str) -> Self {
        Self {
            database_type: "postgreSql".to_owned(),
            time_zone: time_zone.to_owned(),
            import: "intervals15".to_owned(),
            reconciliation: Some("on".to_owned()),
            ..Self::default()
        }
    }

    /// The form field a settings problem's pointer names.
    pub fn field(pointer: &str) -> &'static str {
        match pointer {
            "/databaseType" => "database_type",
            "/host" => "host",
            "/port" => "port",
            "/instance" => "instance",
            "/database" => "database",
            "/user" => "user",
            "/password" => "password",
            "/connection" => "connection",
            "/timeZone" => "time_zone",
            "/dataType" | "/intervalMinutes" => "import",
            "/query" => "query",
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_fields_the_chosen_types_use_reach_the_document() {
        let form = SettingsForm {
            database_type: "odbc".into(),
            host: "left over".into(),
            password: "from before".into(),
            connection: " DSN=acd ".into(),
            time_zone: "Europe/Berlin".into(),
            import: "contacts".into(),
            query: "SELECT … WHERE at >= {from}".into(),
            reconciliation: Some("on".into()),
            ..SettingsForm::default()
        };
        let document = form.document();
        assert_eq!(document.host, None);
        assert_eq!(document.password, None);
        assert_eq!(document.connection.as_deref(), Some("DSN=acd"));
        assert_eq!(document.data_type, "contacts");
        assert_eq!(document.interval_minutes, None);
        assert!(document.reconciliation && !document.real_time);
        assert!(
            document.settings(None).is_ok(),
            "{:?}",
            document.settings(None)
        );

        let server = SettingsForm {
            database_type: "sqlServer".into(),
            host: "db".into(),
            port: "14x3".into(),
            import: "intervals30".into(),
            ..form
        };
        let document = server.document();
        assert_eq!(document.interval_minutes, Some(30));
        assert_eq!(document.connection, None);
        let problems = document.settings(None).expect_err("problems");
        assert!(
            problems.iter().any(|p| p.pointer == "/port"),
            "{problems:?}"
        );
        assert_eq!(SettingsForm::field("/intervalMinutes"), "import");
    }

    #[test]
    fn the_form_shows_a_document_and_its_draft_never_holds_the_password() {
        let form = SettingsForm {
            database_type: "postgreSql".into(),
            host: "db".into(),
            database: "acd".into(),
            user: "reader".into(),
            password: "secret".into(),
            time_zone: "UTC".into(),
            import: "intervals30".into(),
            query: "SELECT 1 WHERE {from} IS NOT NULL".into(),
            real_time: Some("on".into()),
            ..SettingsForm::default()
        };
        let shown = SettingsForm::of(&form.document());
        assert_eq!(
            shown,
            SettingsForm {
                password: String::new(),
                ..form.clone()
            }
        );
        let draft = serde_urlencoded::to_string(&form).expect("a query");
        assert!(!draft.contains("secret"), "{draft}");
    }
}
