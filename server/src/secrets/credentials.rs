//! Credentials admins enter (a database integration's password) are kept
//! sealed with the server's key: XChaCha20-Poly1305 (RustCrypto's
//! `chacha20poly1305`, a random 192-bit nonce each time), as
//! `v1.<key id>.<hex of nonce and ciphertext>`. The key id (the first
//! four bytes of the key's SHA-256) says which key sealed it, so a key
//! can be replaced: the old one stays listed for opening until every
//! saved password was saved again (ADR 0011).

use std::{io::Write, path::Path};

use anyhow::{bail, Context};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use domain::database::service::CredentialSealer;
use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};

const VERSION: &str = "v1";
/// Binds a sealed value to what it is.
const PURPOSE: &[u8] = b"intake credential v1";
const NONCE_BYTES: usize = 24;

/// A 256-bit key.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.id())
    }
}

impl Key {
    pub fn random() -> Self {
        let mut bytes = [0; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// 64 hexadecimal digits.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let bytes = hex::decode(text.trim()).context("a key is 64 hexadecimal digits")?;
        let Ok(bytes) = <[u8; 32]>::try_from(bytes) else {
            bail!("a key is 64 hexadecimal digits (32 bytes)");
        };
        Ok(Self(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..4])
    }

    /// The key in `path`, or a new one written there (readable by its
    /// owner only) when there is none yet.
    pub fn from_file_or_new(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text)
                .with_context(|| format!("the credentials key in {}", path.display())),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::random();
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options
                    .open(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                writeln!(file, "{}", key.to_hex())?;
                file.sync_all()?;
                tracing::warn!(
                    path = %path.display(),
                    "made a new credentials key; keep it with the database's backups"
                );
                Ok(key)
            }
            Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

/// Seals with the current key; opens with it or an older one.
#[derive(Debug, Clone)]
pub struct Sealer {
    current: Key,
    older: Vec<Key>,
}

impl Sealer {
    pub fn new(current: Key, older: Vec<Key>) -> Self {
        Self { current, older }
    }
}

impl CredentialSealer for Sealer {
    fn seal(&self, secret: &str) -> String {
        let mut nonce = [0; NONCE_BYTES];
        OsRng.fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new((&self.current.0).into());
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: PURPOSE,
                },
            )
            .expect("sealing in memory cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        format!("{VERSION}.{}.{}", self.current.id(), hex::encode(bytes))
    }

    fn open(&self, sealed: &str) -> Option<String> {
        let mut parts = sealed.splitn(3, '.');
        let (Some(VERSION), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let key = std::iter::once(&self.current)
            .chain(&self.older)
            .find(|key| key.id() == id)?;
        let bytes = hex::decode(body).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let opened = XChaCha20Poly1305::new((&key.0).into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: PURPOSE,
                },
            )
            .ok()?;
        String::from_utf8(opened).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only_and_never_reads_the_same() {
        let sealer = Sealer::new(Key::random(), Vec::new());
        let sealed = sealer.seal("pa$$ word");
        assert!(!sealed.contains("pa$$"));
        assert_ne!(sealed, sealer.seal("pa$$ word"), "a new nonce each time");
        assert_eq!(sealer.open(&sealed).as_deref(), Some("pa$$ word"));
        let stranger = Sealer::new(Key::random(), Vec::new());
        assert_eq!(stranger.open(&sealed), None);
        let mut tampered = sealed.clone();
        tampered.replace_range(sealed.len() - 2.., "00");
        assert_eq!(sealer.open(&tampered), None);
    }

    #[test]
    fn a_replaced_key_still_opens_what_it_sealed() {
        let old = Key::random();
        let sealed = Sealer::new(old.clone(), Vec::new()).seal("secret");
        let rotated = Sealer::new(Key::random(), vec![old]);
        assert_eq!(rotated.open(&sealed).as_deref(), Some("secret"));
        assert_ne!(
            rotated.seal("secret").split('.').nth(1),
            sealed.split('.').nth(1),
            "new seals name the new key"
        );
    }

    #[test]
    fn a_key_file_is_made_once_then_read() {
        let dir = std::env::temp_dir().join(format!("intake-key-{}", hex::encode(Key::random().0)));
        let path = dir.join("credentials.key");
        let made = Key::from_file_or_new(&path).expect("made");
        assert_eq!(Key::from_file_or_new(&path).expect("read"), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("there")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
