//! The Cloud Link client's downloads: packed with this console's address,
//! for signed-in users only, each listed on the integration page with the
//! SHA-256 of exactly what is downloaded.

mod common;

use std::{
    io::{Cursor, Read},
    path::Path,
};

use common::{location, Engine, TestApp, TestDatabase, ADMIN_EMAIL};
use reqwest::{header, StatusCode};
use sha2::{Digest, Sha256};

on_both_engines!(
    downloads_carry_the_client_its_licences_and_this_consoles_address,
    without_downloads_in_the_build_the_page_says_so,
    many_addresses_at_once_each_get_their_own_configuration,
);

const LINUX: &str = "/account/downloads/cloud-link-linux-x86_64.tar.gz";
const WINDOWS: &str = "/account/downloads/cloud-link-windows-x86_64.zip";

/// A release build's downloads folder, with stand-in executables.
fn build_folder(folder: &Path) {
    for (path, text) in [
        ("linux-x86_64/cloud-link", "an ELF executable"),
        ("windows-x86_64/cloud-link.exe", "a PE executable"),
        ("licenses/licenses.html", "<h1>Open-source licences</h1>"),
    ] {
        let path = folder.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(path, text).expect("written");
    }
}

async fn spawn(engine: Engine, folder: &Path) -> TestApp {
    let database = TestDatabase::create(engine).await;
    let folder = folder.to_owned();
    TestApp::spawn_with(database, common::client(), move |settings| {
        server::config::Settings {
            downloads_folder: folder,
            ..settings
        }
    })
    .await
    .with_admin()
    .await
}

/// Every entry of a tar.gz (of several gzip members) by path: mode, text.
fn untar(bytes: &[u8]) -> Vec<(String, u32, String)> {
    let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(bytes));
    archive
        .entries()
        .expect("a tar archive")
        .map(|entry| {
            let mut entry = entry.expect("an entry");
            let path = entry.path().expect("a path").display().to_string();
            let mode = entry.header().mode().expect("a mode");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("text");
            (path, mode, text)
        })
        .collect()
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).expect("an entry");
            let mut text = String::new();
            file.read_to_string(&mut text).expect("text");
            (file.name().expect("a name").into_owned(), text)
        })
        .collect()
}

async fn downloads_carry_the_client_its_licences_and_this_consoles_address(engine: Engine) {
    let folder = tempfile::tempdir().expect("a folder");
    build_folder(folder.path());
    let app = spawn(engine, folder.path()).await;
    let console = format!("http://{}", app.addr);

    // Nobody signed in: sent to sign in first.
    let response = app.get(LINUX).await;
    assert!(response.status().is_redirection());
    assert!(
        location(&response).starts_with("/login?next="),
        "{}",
        location(&response)
    );

    app.sign_in_as_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app.linkable_integration(&token, "Files", "csv").await;

    let response = app.get(LINUX).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/gzip");
    assert_eq!(
        response.headers()[header::CONTENT_DISPOSITION],
        "attachment; filename=\"cloud-link-linux-x86_64.tar.gz\""
    );
    let linux = response.bytes().await.expect("the archive");
    let entries = untar(&linux);
    let paths: Vec<&str> = entries.iter().map(|(path, _, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "cloud-link/",
            "cloud-link/cloud-link",
            "cloud-link/import/",
            "cloud-link/licenses/",
            "cloud-link/licenses/licenses.html",
            "cloud-link/cloud-link.toml",
        ]
    );
    let executable = &entries[1];
    assert_eq!(
        (executable.1, executable.2.as_str()),
        (0o755, "an ELF executable")
    );
    let config = &entries[5].2;
    assert!(
        config.contains(&format!("url = \"{console}\"")),
        "the console's address is filled in: {config}"
    );
    assert!(config.contains("[app]\nname = \"com.example.cloud-link\""));

    let response = app.get(WINDOWS).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/zip");
    let windows = response.bytes().await.expect("the archive");
    let files = unzip(&windows);
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "cloud-link/import/",
            "cloud-link/cloud-link.exe",
            "cloud-link/licenses/licenses.html",
            "cloud-link/cloud-link.toml",
        ]
    );
    assert_eq!(files[1].1, "a PE executable");
    let config = &files[3].1;
    assert!(config.contains(&format!("url = \"{console}\"")), "{config}");
    assert!(
        config
            .split('\n')
            .all(|line| line.is_empty() || line.ends_with('\r')),
        "Windows line endings: {config:?}"
    );

    // Asking again gives the same bytes, so the page's checksums hold.
    let again = app.get(LINUX).await.bytes().await.expect("the archive");
    assert_eq!(again, linux);

    let (status, page) = app.page(&format!("/account/integrations/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    for (platform, bytes) in [("linux", &linux), ("windows", &windows)] {
        let sha256 = hex::encode(Sha256::digest(bytes));
        assert!(
            page.contains(&format!(r#"data-test="download-{platform}""#)),
            "{platform} is offered"
        );
        assert!(
            page.contains(&sha256),
            "the page shows {platform}'s SHA-256 {sha256}"
        );
    }
    assert!(page.contains("Download for Linux 64-bit"));
    assert!(page.contains("Download for Windows 64-bit"));
    assert!(page.contains(&format!(r#"href="{LINUX}""#)));

    // Only the two archives are there.
    let response = app.get("/account/downloads/cloud-link.exe").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn without_downloads_in_the_build_the_page_says_so(engine: Engine) {
    let folder = tempfile::tempdir().expect("a folder");
    let app = spawn(engine, &folder.path().join("missing")).await;
    app.sign_in_as_admin().await;
    let token = app.token_for(ADMIN_EMAIL).await;
    let id = app.on_premise_integration(&token, "Telephony").await;
    let (_, page) = app.page(&format!("/account/integrations/{id}")).await;
    assert!(page.contains(r#"data-test="no-downloads""#));
    assert!(!page.contains(r#"data-test="downloads""#));
    let response = app.get(LINUX).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response
        .text()
        .await
        .expect("a body")
        .contains("make downloads"));
}

/// Thirty downloads at once, for ten addresses (as `Host` headers say):
/// each archive names the address it was asked of, whatever was packed
/// meanwhile.
async fn many_addresses_at_once_each_get_their_own_configuration(engine: Engine) {
    let folder = tempfile::tempdir().expect("a folder");
    build_folder(folder.path());
    let app = spawn(engine, folder.path()).await;
    app.sign_in_as_admin().await;
    let downloads: Vec<_> = (0..30)
        .map(|n| {
            let (client, url) = (app.client.clone(), app.url(LINUX));
            let host = format!("console-{}.example:8{:03}", n % 10, n % 10);
            tokio::spawn(async move {
                let archive = client
                    .get(url)
                    .header(header::HOST, &host)
                    .send()
                    .await
                    .expect("answered")
                    .bytes()
                    .await
                    .expect("an archive");
                (host, archive)
            })
        })
        .collect();
    for download in downloads {
        let (host, archive) = download.await.expect("downloaded");
        let config = untar(&archive)
            .pop()
            .map(|(_, _, text)| text)
            .unwrap_or_default();
        assert!(
            config.contains(&format!("url = \"http://{host}\"")),
            "{host}: {config}"
        );
    }
}
