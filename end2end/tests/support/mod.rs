//! Runs the release `intake` binary on a fresh database and drives it from
//! real browsers over WebDriver.

#![allow(dead_code)]

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use fantoccini::{wd::Capabilities, Client, ClientBuilder, Locator};
use serde_json::json;

/// How long any one element may take to appear.
pub const PATIENCE: Duration = Duration::from_secs(20);

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("end2end sits in the workspace")
        .to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn wait_for_port(port: u16, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("nothing listens on port {port} after {within:?}")
}

/// A child process that is killed when dropped.
pub struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Intake, as built by `cargo leptos build --release`, on its own SQLite file.
pub struct Intake {
    pub base: String,
    /// The binary, for its CLI (`intake token create`) on the same database.
    pub binary: PathBuf,
    pub database_url: String,
    _process: Process,
    _data: tempfile_dir::TempDir,
}

mod tempfile_dir {
    /// A folder removed on drop.
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Intake {
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(&[])
    }

    /// An Intake with some settings of its own (`INTAKE_…` variables).
    pub fn start_with(settings: &[(&str, &str)]) -> anyhow::Result<Self> {
        let root = workspace_root();
        let binary = std::env::var_os("INTAKE_E2E_BINARY")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/release/intake"));
        let site_root = std::env::var_os("INTAKE_E2E_SITE_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target/site"));
        if !binary.exists()
            || !site_root.join("pkg/intake.wasm").exists()
                && !site_root.join("pkg/intake_bg.wasm").exists()
        {
            bail!(
                "the release site is not built ({} / {}): run `make test`, which builds it first",
                binary.display(),
                site_root.display()
            );
        }
        let data =
            std::env::temp_dir().join(format!("intake-e2e-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&data)?;
        let port = free_port();
        let database_url = format!("sqlite://{}", data.join("intake.db").display());
        let child = Command::new(&binary)
            .arg("serve")
            .env("INTAKE_DATABASE_URL", &database_url)
            .env("INTAKE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", &site_root)
            .env(
                "INTAKE_CLOUD_LINK_DOWNLOADS",
                std::env::var_os("INTAKE_E2E_DOWNLOADS")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| root.join("target/downloads")),
            )
            .env("RUST_LOG", "warn")
            .envs(settings.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let process = Process(child);
        wait_for_port(port, Duration::from_secs(30))?;
        Ok(Self {
            base: format!("http://127.0.0.1:{port}"),
            binary,
            database_url,
            _process: process,
            _data: tempfile_dir::TempDir(data),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

#[derive(Debug, Clone, Copy)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }
}

/// A WebDriver server and one browser session on it.
pub struct Browser {
    pub client: Client,
    pub engine: Engine,
    /// Off for the stories that prove forms work without it.
    pub javascript: bool,
    _driver: Process,
    _profile: Option<tempfile_dir::TempDir>,
}

impl Browser {
    pub async fn launch(engine: Engine) -> anyhow::Result<Self> {
        Self::launch_with(engine, true).await
    }

    /// Chromium with JavaScript switched off, to prove the forms work without it.
    pub async fn launch_without_javascript() -> anyhow::Result<Self> {
        Self::launch_with(Engine::Chromium, false).await
    }

    async fn launch_with(engine: Engine, javascript: bool) -> anyhow::Result<Self> {
        let port = free_port();
        let port_arg = format!("--port={port}");
        let mut profile = None;
        let (command, capabilities): (Command, serde_json::Value) = match engine {
            Engine::Chromium => {
                let dir = std::env::temp_dir()
                    .join(format!("intake-chromium-{}", uuid::Uuid::new_v4().simple()));
                let mut command = Command::new("chromedriver");
                command.arg(&port_arg);
                let caps = json!({
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            format!("--user-data-dir={}", dir.display()),
                            "--window-size=1280,900"
                        ],
                        "prefs": if javascript {
                            json!({})
                        } else {
                            json!({"profile.managed_default_content_settings.javascript": 2})
                        }
                    }
                });
                profile = Some(tempfile_dir::TempDir(dir));
                (command, caps)
            }
            Engine::Firefox => {
                let mut command = Command::new("geckodriver");
                command.arg(&port_arg);
                let caps = json!({
                    "browserName": "firefox",
                    "moz:firefoxOptions": {"binary": "/usr/bin/firefox-esr", "args": ["-headless"]}
                });
                (command, caps)
            }
            Engine::WebKit => {
                let mut command = Command::new("xvfb-run");
                command.args(["-a", "WebKitWebDriver", &port_arg]);
                let caps = json!({
                    "browserName": "MiniBrowser",
                    "webkitgtk:browserOptions": {
                        "binary": "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                        "args": ["--automation"]
                    }
                });
                (command, caps)
            }
        };
        let mut command = command;
        let driver = Process(
            command
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("cannot start the {} driver", engine.name()))?,
        );
        wait_for_port(port, Duration::from_secs(30))?;
        let capabilities: Capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("capabilities are an object"),
        };
        // A driver without a display can hang on new-session: bound it.
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .with_context(|| format!("{} did not start a session within a minute", engine.name()))?
        .with_context(|| format!("{} refused a session", engine.name()))?;
        client.set_window_size(1280, 900).await.ok();
        Ok(Self {
            client,
            javascript,
            engine,
            _driver: driver,
            _profile: profile,
        })
    }

    pub async fn find(&self, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css}"))
    }

    /// The element's text; an element the page rendered again between
    /// finding and reading it is found again.
    pub async fn text_of(&self, css: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.find(css).await?.text().await {
                Err(error) if is_stale(&error) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return Ok(other?),
            }
        }
    }

    /// Types `text` into the field, replacing what it held. A field the
    /// page rendered again meanwhile (a navigation or hydration that was
    /// still under way) is found again and typed into afresh.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let field = self.find(css).await?;
            let typed = async {
                field.clear().await?;
                field.send_keys(text).await
            }
            .await;
            match typed {
                Err(error) if is_stale(&error) && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return Ok(other?),
            }
        }
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.find(css).await?.click().await?;
        Ok(())
    }

    /// Waits until the browser's address ends with `path_and_query`.
    pub async fn wait_for_path(&self, expected: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let url = self.client.current_url().await?;
            let here = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            if here == expected || url.path() == expected {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("expected to be at {expected}, still at {here}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the page has hydrated (its wasm ran).
    pub async fn wait_for_hydration(&self) -> anyhow::Result<()> {
        self.find("html[data-hydrated=true]")
            .await
            .context("the page never hydrated: did the wasm bundle load?")?;
        Ok(())
    }

    /// Saves a screenshot under `end2end/screenshots/`.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        // WebKit can paint a frame late: wait two animation frames first.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await?;
        let dir = workspace_root().join("end2end/screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}-{name}.png", self.engine.name()));
        std::fs::File::create(&path)?.write_all(&png)?;
        Ok(path)
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// Fetches a path with a plain HTTP/1.0 request (no browser), for checks.
pub fn http_get_status(base_port_url: &str, path: &str) -> anyhow::Result<u16> {
    let addr = base_port_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr)?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .context("an HTTP status line")?
        .parse()?;
    Ok(status)
}

pub const EMAIL: &str = "ada@example.com";
pub const PASSWORD: &str = "correct horse battery staple";

/// A personal access token from the `intake` CLI, on the story's database.
pub fn token(intake: &Intake) -> anyhow::Result<String> {
    let output = std::process::Command::new(&intake.binary)
        .args(["token", "create", "--email", EMAIL, "--name", "e2e"])
        .env("INTAKE_DATABASE_URL", &intake.database_url)
        .output()?;
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .find(|word| word.starts_with("itp_"))
        .map(str::to_owned)
        .context("intake token create printed a token")
}

/// First-run setup and sign-in, ending on the integrations overview.
pub async fn set_up_and_sign_in(intake: &Intake, browser: &Browser) -> anyhow::Result<()> {
    browser.client.goto(&intake.url("/setup")).await?;
    browser.fill("#account_name", "Acme Support").await?;
    browser.fill("#email", EMAIL).await?;
    browser.fill("#password", PASSWORD).await?;
    browser
        .click("form[data-test=setup-form] button[type=submit]")
        .await?;
    browser.wait_for_path("/login").await?;
    browser.fill("#password", PASSWORD).await?;
    browser
        .click("form[data-test=login-form] button[type=submit]")
        .await?;
    browser.wait_for_path("/account/integrations").await
}

/// The browser a story runs in.
#[derive(Clone, Copy, Debug)]
pub enum Launch {
    In(Engine),
    /// Chromium with JavaScript off.
    WithoutJavaScript,
}

impl Launch {
    async fn browser(self) -> anyhow::Result<Browser> {
        match self {
            Launch::In(engine) => Browser::launch(engine).await,
            Launch::WithoutJavaScript => Browser::launch_without_javascript().await,
        }
    }
}

/// Runs `story` in a fresh Intake and browser; a failure leaves a screenshot.
///
/// When the browser itself dies under the story (WebKitGTK's web process
/// has crashed once in a hundred-odd runs, while loading the wasm), the story
/// runs once more from the start, in a new Intake and a new browser, and the
/// crash is printed. A failure of the product is never run again: only a
/// session the driver reports as deleted or crashed is.
pub async fn run_story<F>(launch: Launch, name: &str, story: F) -> anyhow::Result<()>
where
    F: for<'a> AsyncFn(&'a Intake, &'a Browser) -> anyhow::Result<()>,
{
    let first = run_once(launch, name, &story).await;
    match first {
        Err(error) if browser_died(&error) => {
            eprintln!("{launch:?}: the browser died under {name} ({error:#}); running it again");
            run_once(launch, name, &story).await
        }
        other => other,
    }
}

async fn run_once<F>(launch: Launch, name: &str, story: &F) -> anyhow::Result<()>
where
    F: for<'a> AsyncFn(&'a Intake, &'a Browser) -> anyhow::Result<()>,
{
    let intake = Intake::start()?;
    let browser = launch.browser().await?;
    let result = story(&intake, &browser).await;
    if let Err(error) = &result {
        let engine = browser.engine.name();
        match browser.screenshot(&format!("{name}-failure")).await {
            Ok(path) => eprintln!(
                "{engine}: {name} failed ({error:#}); screenshot: {}",
                path.display()
            ),
            Err(shot) => eprintln!("{engine}: {name} failed ({error:#}); no screenshot: {shot:#}"),
        }
    }
    browser.close().await;
    result
}

/// Whether the driver says the browser's session is gone: the page crashed
/// or hung, or the session was deleted under the story.
fn browser_died(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<fantoccini::error::CmdError>(),
            Some(fantoccini::error::CmdError::Standard(failure))
                if failure.error == fantoccini::error::ErrorStatus::InvalidSessionId
                    || failure.message.contains("page crash")
        )
    })
}

/// The tests of one story: one in each engine, and with `without_javascript`
/// one more in Chromium with JavaScript off. Each is its own test, in a module
/// named for the story; an engine that cannot run fails, it is not skipped.
macro_rules! in_every_browser {
    ($tests:ident, $name:literal, $story:ident $(, $without_javascript:ident)?) => {
        mod $tests {
            use $crate::support::{run_story, Engine, Launch};

            #[tokio::test]
            async fn in_chromium() -> anyhow::Result<()> {
                run_story(Launch::In(Engine::Chromium), $name, super::$story).await
            }

            #[tokio::test]
            async fn in_firefox() -> anyhow::Result<()> {
                run_story(Launch::In(Engine::Firefox), $name, super::$story).await
            }

            #[tokio::test]
            async fn in_webkit() -> anyhow::Result<()> {
                run_story(Launch::In(Engine::WebKit), $name, super::$story).await
            }

            $(
                #[tokio::test]
                async fn $without_javascript() -> anyhow::Result<()> {
                    run_story(Launch::WithoutJavaScript, concat!($name, "-no-js"), super::$story)
                        .await
                }
            )?
        }
    };
}

/// Whether WebDriver says the element left the page (WebKit's driver
/// says instead that it lost the node by its identifier).
fn is_stale(error: &fantoccini::error::CmdError) -> bool {
    matches!(
        error,
        fantoccini::error::CmdError::Standard(failure)
            if failure.error == fantoccini::error::ErrorStatus::StaleElementReference
                || (failure.message.starts_with("Node with identifier")
                    && failure.message.ends_with("was not found"))
    )
}

#[test]
fn only_a_dead_browser_runs_a_story_again() {
    use fantoccini::error::{CmdError, ErrorStatus, WebDriver};
    let crashed = CmdError::Standard(WebDriver::new(
        ErrorStatus::UnknownError,
        "session deleted because of page crash or hang.",
    ));
    let deleted = CmdError::Standard(WebDriver::new(ErrorStatus::InvalidSessionId, "gone"));
    let missing = CmdError::Standard(WebDriver::new(
        ErrorStatus::NoSuchElement,
        "no such element",
    ));
    assert!(browser_died(
        &anyhow::Error::new(crashed).context("the page never hydrated")
    ));
    assert!(browser_died(&anyhow::Error::new(deleted)));
    assert!(!browser_died(
        &anyhow::Error::new(missing).context("no element matches #x")
    ));
    assert!(!browser_died(&anyhow::anyhow!("the queue is listed")));
}
