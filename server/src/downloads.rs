//! The Cloud Link client's downloads (issue 12): the release build puts
//! the executables and their licences in a folder
//! (`INTAKE_CLOUD_LINK_DOWNLOADS`, `target/downloads` by default); the
//! server packs them with a `cloud-link.toml` whose `[server] url` is the
//! console's address, so a client unpacked anywhere knows where to go.
//!
//! Packing is cheap because the large part is packed once: the Linux
//! tar.gz is that part's gzip member followed by a small member with the
//! configuration (concatenated gzip members are one gzip stream), and
//! the Windows zip copies the compressed executable as it is. A few
//! addresses' archives are kept, with their SHA-256 for the page.

use std::{
    collections::VecDeque,
    io::{Cursor, Write},
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use axum::body::Bytes;
use flate2::{write::GzEncoder, Compression};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use zip::{write::SimpleFileOptions, CompressionMethod, ZipArchive, ZipWriter};

/// The folder every archive unpacks into.
const TOP: &str = "cloud-link";
/// How many consoles' addresses keep their packed archives.
const KEPT: usize = 4;

/// What there is to download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Linux,
    Windows,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::Linux, Platform::Windows];

    /// The archive's file name, also its address under `/account/downloads/`.
    pub fn file_name(self) -> &'static str {
        match self {
            Platform::Linux => "cloud-link-linux-x86_64.tar.gz",
            Platform::Windows => "cloud-link-windows-x86_64.zip",
        }
    }

    pub fn from_file_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|platform| platform.file_name() == name)
    }

    /// The word the page uses to pick its label.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Linux => "linux",
            Platform::Windows => "windows",
        }
    }

    /// Where the release build puts the executable, inside the folder.
    fn executable(self) -> &'static str {
        match self {
            Platform::Linux => "linux-x86_64/cloud-link",
            Platform::Windows => "windows-x86_64/cloud-link.exe",
        }
    }

    fn mime(self) -> &'static str {
        match self {
            Platform::Linux => "application/gzip",
            Platform::Windows => "application/zip",
        }
    }
}

/// One packed archive.
#[derive(Debug, Clone)]
pub struct Archive {
    pub bytes: Bytes,
    /// Lowercase hex.
    pub sha256: String,
}

impl Archive {
    fn of(bytes: Vec<u8>) -> Self {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Self {
            bytes: Bytes::from(bytes),
            sha256,
        }
    }

    pub fn mime(platform: Platform) -> &'static str {
        platform.mime()
    }
}

/// Both archives for one console address.
#[derive(Debug)]
pub struct Packed {
    linux: Archive,
    windows: Archive,
}

impl Packed {
    pub fn archive(&self, platform: Platform) -> &Archive {
        match platform {
            Platform::Linux => &self.linux,
            Platform::Windows => &self.windows,
        }
    }
}

/// The parts packed once.
struct Base {
    /// A gzip member holding the tar entries of everything but the
    /// configuration, without the end-of-archive blocks.
    linux_head: Vec<u8>,
    /// A zip of everything but the configuration.
    windows: Vec<u8>,
    /// The executables' modification time (Unix seconds), for every entry.
    modified: u64,
}

/// The downloads of this server.
pub struct Downloads {
    folder: PathBuf,
    base: OnceCell<Option<Arc<Base>>>,
    packed: Mutex<VecDeque<(String, Arc<Packed>)>>,
    packing: tokio::sync::Mutex<()>,
}

impl Downloads {
    pub fn new(folder: PathBuf) -> Self {
        Self {
            folder,
            base: OnceCell::new(),
            packed: Mutex::new(VecDeque::new()),
            packing: tokio::sync::Mutex::new(()),
        }
    }

    /// The archives for a console at `url`; `None` when this build has no
    /// downloads (the release build makes them).
    pub async fn for_console(&self, url: &str) -> Option<Arc<Packed>> {
        if let Some(packed) = self.kept(url) {
            return Some(packed);
        }
        let base = self
            .base
            .get_or_init(|| async {
                let folder = self.folder.clone();
                match tokio::task::spawn_blocking(move || Base::read(&folder)).await {
                    Ok(Ok(base)) => Some(Arc::new(base)),
                    Ok(Err(problem)) => {
                        tracing::info!(folder = %self.folder.display(), %problem, "no Cloud Link downloads");
                        None
                    }
                    Err(error) => {
                        tracing::error!(?error, "packing the Cloud Link downloads failed");
                        None
                    }
                }
            })
            .await
            .clone()?;
        // One packing at a time: each holds the executables' size in
        // memory, and many addresses at once (forged `Host` headers) must
        // not multiply it. Whoever waited finds the address packed.
        let _packing = self.packing.lock().await;
        if let Some(packed) = self.kept(url) {
            return Some(packed);
        }
        let owned_url = url.to_owned();
        let packed = tokio::task::spawn_blocking(move || base.pack(&owned_url))
            .await
            .map_err(|error| tracing::error!(?error, "packing a Cloud Link download failed"))
            .ok()?
            .map_err(|error| tracing::error!(%error, "packing a Cloud Link download failed"))
            .ok()?;
        let packed = Arc::new(packed);
        let mut kept = self
            .packed
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        kept.retain(|(kept_url, _)| kept_url != url);
        if kept.len() >= KEPT {
            kept.pop_front();
        }
        kept.push_back((url.to_owned(), packed.clone()));
        Some(packed)
    }

    fn kept(&self, url: &str) -> Option<Arc<Packed>> {
        let kept = self
            .packed
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        kept.iter()
            .find(|(kept_url, _)| kept_url == url)
            .map(|(_, packed)| packed.clone())
    }
}

impl Base {
    fn read(folder: &Path) -> Result<Self, String> {
        let read = |relative: &str| {
            let path = folder.join(relative);
            std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))
        };
        let linux = read(Platform::Linux.executable())?;
        let windows = read(Platform::Windows.executable())?;
        let licenses_folder = folder.join("licenses");
        let mut licenses = Vec::new();
        for entry in std::fs::read_dir(&licenses_folder)
            .map_err(|error| format!("{}: {error}", licenses_folder.display()))?
        {
            let entry = entry.map_err(|error| error.to_string())?;
            if entry.file_type().is_ok_and(|kind| kind.is_file()) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let text = std::fs::read(entry.path()).map_err(|error| error.to_string())?;
                licenses.push((name, text));
            }
        }
        licenses.sort();
        let modified = std::fs::metadata(folder.join(Platform::Linux.executable()))
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |since| since.as_secs());
        Ok(Self {
            linux_head: linux_head(&linux, &licenses, modified).map_err(|e| e.to_string())?,
            windows: windows_zip(&windows, &licenses).map_err(|e| e.to_string())?,
            modified,
        })
    }

    fn pack(&self, url: &str) -> std::io::Result<Packed> {
        let config = domain::cloud_link::config_template(url);
        // The configuration, then the end of the archive, as a second
        // gzip member.
        let mut tail = tar::Builder::new(Vec::new());
        append_file(
            &mut tail,
            &format!("{TOP}/cloud-link.toml"),
            config.as_bytes(),
            0o644,
            self.modified,
        )?;
        let mut linux = self.linux_head.clone();
        linux.extend(gzip(&tail.into_inner()?)?);

        let mut archive = ZipArchive::new(Cursor::new(self.windows.as_slice()))?;
        let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(self.windows.len() + 1024)));
        for index in 0..archive.len() {
            zip.raw_copy_file(archive.by_index_raw(index)?)?;
        }
        zip.start_file(format!("{TOP}/cloud-link.toml"), zip_options())?;
        // Notepad and every editor on Windows read either line ending; CRLF
        // keeps older tools happy too.
        zip.write_all(config.replace('\n', "\r\n").as_bytes())?;
        let windows = zip.finish()?.into_inner();
        Ok(Packed {
            linux: Archive::of(linux),
            windows: Archive::of(windows),
        })
    }
}

fn append_file(
    builder: &mut tar::Builder<Vec<u8>>,
    path: &str,
    bytes: &[u8],
    mode: u32,
    modified: u64,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(mode);
    header.set_mtime(modified);
    header.set_entry_type(tar::EntryType::Regular);
    builder.append_data(&mut header, path, bytes)
}

fn append_folder(
    builder: &mut tar::Builder<Vec<u8>>,
    path: &str,
    modified: u64,
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(0);
    header.set_mode(0o755);
    header.set_mtime(modified);
    header.set_entry_type(tar::EntryType::Directory);
    builder.append_data(&mut header, path, std::io::empty())
}

/// The Linux archive's first gzip member: the folder, an empty import
/// folder, the executable and the licences.
fn linux_head(
    executable: &[u8],
    licenses: &[(String, Vec<u8>)],
    modified: u64,
) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    append_folder(&mut builder, &format!("{TOP}/"), modified)?;
    append_file(
        &mut builder,
        &format!("{TOP}/cloud-link"),
        executable,
        0o755,
        modified,
    )?;
    append_folder(&mut builder, &format!("{TOP}/import/"), modified)?;
    append_folder(&mut builder, &format!("{TOP}/licenses/"), modified)?;
    for (name, text) in licenses {
        append_file(
            &mut builder,
            &format!("{TOP}/licenses/{name}"),
            text,
            0o644,
            modified,
        )?;
    }
    let mut tar = builder.into_inner()?;
    // `into_inner` ends the archive with two zero blocks; the
    // configuration's member carries the end instead.
    tar.truncate(tar.len().saturating_sub(1024));
    gzip(&tar)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

fn zip_options() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// The Windows zip without its configuration.
fn windows_zip(
    executable: &[u8],
    licenses: &[(String, Vec<u8>)],
) -> zip::result::ZipResult<Vec<u8>> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.add_directory(format!("{TOP}/import/"), zip_options())?;
    zip.start_file(format!("{TOP}/cloud-link.exe"), zip_options())?;
    zip.write_all(executable)?;
    for (name, text) in licenses {
        zip.start_file(format!("{TOP}/licenses/{name}"), zip_options())?;
        zip.write_all(text)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The console's address as a client should reach it: `INTAKE_PUBLIC_URL`'s
/// origin when set, else the address the request came to (its `Host`).
pub fn console_url(public_origin: Option<&str>, host: Option<&str>) -> Option<String> {
    if let Some(origin) = public_origin {
        return Some(origin.to_owned());
    }
    let host = host?.trim();
    let plausible = !host.is_empty()
        && host.len() <= 261
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    plausible.then(|| format!("http://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_the_public_one_else_the_requests_host_if_plausible() {
        assert_eq!(
            console_url(Some("https://intake.example.com"), Some("evil.example")).as_deref(),
            Some("https://intake.example.com")
        );
        assert_eq!(
            console_url(None, Some("127.0.0.1:3000")).as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(console_url(None, Some("a\"b")), None);
        assert_eq!(console_url(None, None), None);
    }

    #[test]
    fn file_names_are_the_addresses() {
        for platform in Platform::ALL {
            assert_eq!(
                Platform::from_file_name(platform.file_name()),
                Some(platform)
            );
        }
        assert_eq!(Platform::from_file_name("cloud-link.tar.gz"), None);
    }
}
