//! `cloud-link.toml` (DESIGN §5): read strictly, so a typo never leaves a
//! setting silently at its default. Every mistake names the file, the line
//! and what was expected.

use std::{
    fmt,
    ops::Range,
    path::{Path, PathBuf},
};

use serde::Deserialize;
use toml::Spanned;

/// The file's name next to the executable.
pub const FILE_NAME: &str = "cloud-link.toml";

/// The configuration, checked; relative paths are resolved against the
/// configuration's folder, the client's working folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The service's id; one per instance.
    pub name: String,
    /// For database integrations: log the row count and the first ten rows.
    pub verbose: bool,
    /// Where CSV files are picked up.
    pub import_directory: PathBuf,
    /// The console's address, e.g. `https://intake.example.com`.
    pub server_url: String,
    /// The folder of the configuration: the log and the state file live
    /// there.
    pub folder: PathBuf,
}

/// A mistake in the configuration, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// From 1; none when the file could not be read at all.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    app: App,
    server: Option<Server>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct App {
    name: Spanned<String>,
    #[serde(default)]
    verbose: bool,
    import_directory: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Server {
    url: Spanned<String>,
}

/// The longest service name: systemd unit names stop at 255 bytes.
const MAX_NAME_BYTES: usize = 200;

impl Config {
    /// Reads and checks the configuration at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError {
            file: path.to_owned(),
            line: None,
            message: format!("cannot read it: {error}"),
        })?;
        let folder = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."))
            .to_owned();
        Self::parse(&text, path, folder)
    }

    /// Checks `text`, the content of `file` in `folder`.
    pub fn parse(text: &str, file: &Path, folder: PathBuf) -> Result<Self, ConfigError> {
        let at = |span: Option<Range<usize>>, message: String| ConfigError {
            file: file.to_owned(),
            line: span.map(|span| line_of(text, span.start)),
            message,
        };
        let parsed: File =
            toml::from_str(text).map_err(|error| at(error.span(), error.message().to_owned()))?;

        let name = parsed.app.name.get_ref().trim();
        if !is_service_name(name) {
            return Err(at(
                Some(parsed.app.name.span()),
                format!(
                    "app.name must be 1 to {MAX_NAME_BYTES} letters, digits, dots, dashes or \
                     underscores, like \"com.example.cloud-link\"; got {:?}",
                    parsed.app.name.get_ref()
                ),
            ));
        }
        let import_directory = match &parsed.app.import_directory {
            Some(directory) if directory.get_ref().trim().is_empty() => {
                return Err(at(
                    Some(directory.span()),
                    "app.importDirectory must name a folder, like \"import\"".to_owned(),
                ))
            }
            Some(directory) => PathBuf::from(directory.get_ref()),
            None => PathBuf::from("import"),
        };
        let Some(server) = parsed.server else {
            return Err(at(
                None,
                "[server] url is missing: the console's address, like \"https://intake.example.com\""
                    .to_owned(),
            ));
        };
        let url = server.url.get_ref().trim().trim_end_matches('/');
        let Some(host) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
        else {
            return Err(at(
                Some(server.url.span()),
                format!(
                    "server.url must start with https:// (or http:// for a test server); got {:?}",
                    server.url.get_ref()
                ),
            ));
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(at(
                Some(server.url.span()),
                format!(
                    "server.url must name the console's address, like \"https://intake.example.com\"; got {:?}",
                    server.url.get_ref()
                ),
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            verbose: parsed.app.verbose,
            import_directory: folder.join(import_directory),
            server_url: url.to_owned(),
            folder,
        })
    }
}

fn is_service_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The line (from 1) of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .unwrap_or(text)
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"[app]
name = "com.example.cloud-link"
verbose = false
importDirectory = "import"

[server]
url = "https://intake.example.com/"
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("cloud-link.toml"), PathBuf::from("/opt/cl"))
    }

    #[test]
    fn the_downloads_template_reads_with_the_consoles_address() {
        let config = parse(&domain::cloud_link::config_template(
            "https://intake.example.com:8443/",
        ))
        .expect("the shipped template reads");
        assert_eq!(config.server_url, "https://intake.example.com:8443");
        assert_eq!(config.name, "com.example.cloud-link");
        assert_eq!(config.import_directory, Path::new("/opt/cl/import"));
    }

    fn error(text: &str) -> String {
        parse(text).expect_err("refused").to_string()
    }

    #[test]
    fn the_documented_file_reads_and_paths_are_relative_to_its_folder() {
        let config = parse(GOOD).expect("good");
        assert_eq!(config.name, "com.example.cloud-link");
        assert_eq!(config.server_url, "https://intake.example.com");
        assert_eq!(config.import_directory, PathBuf::from("/opt/cl/import"));
        assert!(!config.verbose);
        let absolute = GOOD.replace("\"import\"", "\"/data/csv\"");
        assert_eq!(
            parse(&absolute).expect("good").import_directory,
            PathBuf::from("/data/csv")
        );
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line_and_the_keys_expected() {
        let message = error(&GOOD.replace("verbose = false", "verbos = false"));
        assert!(message.starts_with("cloud-link.toml:3: "), "{message}");
        assert!(message.contains("verbos"), "{message}");
        assert!(message.contains("importDirectory"), "{message}");
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_named_with_its_line() {
        let message = error(&GOOD.replace("verbose = false", "verbose = \"yes\""));
        assert!(message.starts_with("cloud-link.toml:3: "), "{message}");
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        let message = error(&GOOD.replace("https://intake.example.com/", "intake.example.com"));
        assert!(
            message.starts_with("cloud-link.toml:7: server.url must start with https://"),
            "{message}"
        );
        let message = error(&GOOD.replace("com.example.cloud-link", "my service"));
        assert!(
            message.starts_with("cloud-link.toml:2: app.name must be"),
            "{message}"
        );
        let message = error(GOOD.split("[server]").next().unwrap_or_default());
        assert!(message.contains("[server] url is missing"), "{message}");
        let message = error("[app\nname = 1");
        assert!(message.starts_with("cloud-link.toml:1: "), "{message}");
    }

    #[test]
    fn an_unreadable_file_says_so() {
        let error = Config::load(Path::new("/nonexistent/cloud-link.toml")).expect_err("missing");
        assert_eq!(error.line, None);
        assert!(error.to_string().contains("cannot read it"));
    }
}
