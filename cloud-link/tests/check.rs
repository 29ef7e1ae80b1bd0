//! `cloud-link check` and the way to the console through a real proxy
//! (Debian's tinyproxy, started here with a user name and password): a
//! client pairs and uploads through it, `check` passes, and it fails with
//! a line saying what to do for a wrong address, a refused connection and
//! a wrong proxy password.

#[path = "../../server/tests/common/mod.rs"]
mod common;
mod support;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use common::{Engine, TestApp, ADMIN_EMAIL};
use support::{drop_file, files_once, link, pin_in_log};

on_both_engines!(a_client_behind_an_authenticating_proxy_pairs_uploads_and_checks_out);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Whether something listens on `port` within five seconds.
async fn listens(port: u16) -> bool {
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A tinyproxy on a free local port that wants `ops` / `s3cret`.
struct Proxy {
    port: u16,
    _process: tokio::process::Child,
    _folder: tempfile::TempDir,
}

impl Proxy {
    async fn start() -> Self {
        let folder = tempfile::tempdir().expect("a folder");
        let port = free_port();
        let config = folder.path().join("tinyproxy.conf");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 120\nMaxClients 50\n\
                 BasicAuth ops s3cret\nAllow 127.0.0.1\nLogLevel Warning\n"
            ),
        )
        .expect("written");
        let process = tokio::process::Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| panic!("tinyproxy runs (make test installs it): {error}"));
        assert!(listens(port).await, "tinyproxy did not listen on {port}");
        Self {
            port,
            _process: process,
            _folder: folder,
        }
    }

    fn url(&self, password: &str) -> String {
        format!("http://ops:{password}@127.0.0.1:{}", self.port)
    }
}

/// A client folder with one settled file in its import folder.
fn client_folder(server_url: &str) -> (tempfile::TempDir, PathBuf) {
    let (folder, config) = support::client_folder(server_url);
    drop_file(
        &folder.path().join("import"),
        "calls.csv",
        "queue;offered\nSales;10\n",
    );
    (folder, config)
}

fn cloud_link(config: &Path, proxy: Option<&str>) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_cloud-link"));
    command
        .arg("--config")
        .arg(config)
        .env_remove("https_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("no_proxy")
        .env_remove("NO_PROXY")
        .kill_on_drop(true);
    if let Some(proxy) = proxy {
        command.env("https_proxy", proxy);
    }
    command
}

/// `cloud-link check`'s lines and whether it passed.
async fn check(config: &Path, proxy: Option<&str>) -> (String, bool) {
    let output = cloud_link(config, proxy)
        .arg("check")
        .output()
        .await
        .expect("check runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.success(),
    )
}

async fn a_client_behind_an_authenticating_proxy_pairs_uploads_and_checks_out(engine: Engine) {
    let app = TestApp::spawn(engine).await.with_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app
        .linkable_integration(&token, "Calls behind a proxy", "csv")
        .await;
    let proxy = Proxy::start().await;
    let server_url = format!("http://{}", app.addr);
    let (folder, config) = client_folder(&server_url);

    // Not paired yet: everything on the way passes, the credential fails.
    let (lines, passed) = check(&config, Some(&proxy.url("s3cret"))).await;
    assert!(!passed, "{lines}");
    assert!(lines.contains("PASS connection: reached"), "{lines}");
    assert!(
        lines.contains("through the proxy http://ops:****@127.0.0.1"),
        "{lines}"
    );
    assert!(
        !lines.contains("s3cret"),
        "the password is never shown: {lines}"
    );
    assert!(
        lines.contains("FAIL credential: not paired with this console yet: run `cloud-link pin`"),
        "{lines}"
    );

    // Paired and working through the proxy.
    let _client = cloud_link(&config, Some(&proxy.url("s3cret")))
        .arg("run")
        .stdout(Stdio::null())
        .spawn()
        .expect("cloud-link starts");
    let log = folder.path().join("cloud-link.log");
    link(&app, &token, id, &pin_in_log(&log, 1).await).await;
    let files = files_once(&app, &token, id, 1, &log).await;
    assert_eq!(files.len(), 1, "uploaded through the proxy");
    assert!(std::fs::read_to_string(&log)
        .expect("a log")
        .contains("reaching the console through the proxy http://ops:****@"));

    let (lines, passed) = check(&config, Some(&proxy.url("s3cret"))).await;
    assert!(passed, "{lines}");
    for what in [
        "configuration",
        "name",
        "connection",
        "clock",
        "credential",
        "import folder",
        "ODBC drivers",
    ] {
        assert!(lines.contains(&format!("PASS {what}:")), "{what}: {lines}");
    }

    // What a customer gets wrong, each named with what to do.
    let (lines, passed) = check(&config, Some(&proxy.url("wrong"))).await;
    assert!(!passed);
    assert!(
        lines.contains("FAIL connection: the proxy refused the user name or password"),
        "{lines}"
    );
    assert!(!lines.contains("wrong@"), "{lines}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let (_refused, refused_config) = client_folder(&format!("http://127.0.0.1:{closed}"));
    let (lines, passed) = check(&refused_config, None).await;
    assert!(!passed);
    assert!(
        lines.contains("FAIL connection: the connection was refused"),
        "{lines}"
    );

    let (_unknown, unknown_config) = client_folder("http://intake.invalid");
    let (lines, passed) = check(&unknown_config, None).await;
    assert!(!passed);
    assert!(
        lines.contains("FAIL name: the console's name intake.invalid does not resolve"),
        "{lines}"
    );
    assert!(
        lines.contains("PASS import folder:"),
        "the local checks still run: {lines}"
    );
}

/// A console whose certificate nobody trusts (a self-signed one, served by
/// `openssl s_server`): `check` fails on the connection and says why.
#[tokio::test]
async fn an_untrusted_certificate_fails_the_connection_check_with_what_to_do() {
    let folder = tempfile::tempdir().expect("a folder");
    let (key, certificate) = (
        folder.path().join("key.pem"),
        folder.path().join("cert.pem"),
    );
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&certificate)
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs (make test installs it)");
    assert!(made.success(), "a self-signed certificate");
    let port = free_port();
    let _server = tokio::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(port.to_string())
        .arg("-cert")
        .arg(&certificate)
        .arg("-key")
        .arg(&key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("openssl s_server runs");
    assert!(
        listens(port).await,
        "openssl s_server did not listen on {port}"
    );
    let (_client, config) = client_folder(&format!("https://localhost:{port}"));
    let (lines, passed) = check(&config, None).await;
    assert!(!passed, "{lines}");
    assert!(
        lines.contains(
            "FAIL connection: the TLS handshake failed: the certificate is not trusted \
             (a proxy inspecting TLS needs its CA installed)"
        ),
        "{lines}"
    );
}
