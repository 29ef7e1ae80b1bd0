//! Access tokens: `itp_` (personal) and `itk_` (integration) secrets in one
//! format that secret scanners recognise and that carries its own checksum.
//! See `docs/adr/0002-secret-format.md`.

use rand::{rngs::OsRng, RngCore};
use sha2::{Digest, Sha256};

/// 160 bits from the operating system's CSPRNG.
const RANDOM_BYTES: usize = 20;
const CHECKSUM_BYTES: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Personal,
    Integration,
    /// A Cloud Link client's polling handle while it waits to be paired.
    Pairing,
    /// A paired Cloud Link client's credential.
    Link,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Personal => "itp_",
            TokenKind::Integration => "itk_",
            TokenKind::Pairing => "itd_",
            TokenKind::Link => "itl_",
        }
    }
}

/// A freshly made secret: `secret` is shown once and then forgotten; only
/// `hash` and `display_prefix` are stored.
pub struct IssuedToken {
    pub secret: String,
    pub hash: Vec<u8>,
    pub display_prefix: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("display_prefix", &self.display_prefix)
            .finish_non_exhaustive()
    }
}

pub fn issue(kind: TokenKind) -> IssuedToken {
    let mut payload = [0u8; RANDOM_BYTES + CHECKSUM_BYTES];
    OsRng.fill_bytes(&mut payload[..RANDOM_BYTES]);
    let checksum = crc32fast::hash(&payload[..RANDOM_BYTES]).to_be_bytes();
    payload[RANDOM_BYTES..].copy_from_slice(&checksum);
    let secret = format!("{}{}", kind.prefix(), bs58::encode(payload).into_string());
    IssuedToken {
        hash: hash(&secret),
        display_prefix: secret.chars().take(kind.prefix().len() + 6).collect(),
        secret,
    }
}

/// The stored form of a secret.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The longest and shortest base58 text of the payload: each leading zero
/// byte is one `1`, and 2^192 needs 33 base58 digits.
const ENCODED_CHARS: std::ops::RangeInclusive<usize> = RANDOM_BYTES + CHECKSUM_BYTES..=33;

/// True when `candidate` has the shape of a `kind` token and its checksum
/// holds, so a mistyped token is refused without touching the database.
///
/// The shape (prefix, length, alphabet) is checked before any decoding:
/// base58 decoding costs time quadratic in the length, so an unbounded
/// header must never reach it.
pub fn is_well_formed(kind: TokenKind, candidate: &str) -> bool {
    let Some(body) = candidate.strip_prefix(kind.prefix()) else {
        return false;
    };
    if !has_base58_shape(body) {
        return false;
    }
    let Ok(payload) = bs58::decode(body).into_vec() else {
        return false;
    };
    if payload.len() != RANDOM_BYTES + CHECKSUM_BYTES {
        return false;
    }
    let (random, checksum) = payload.split_at(RANDOM_BYTES);
    crc32fast::hash(random).to_be_bytes() == checksum
}

/// At most 33 characters, all of the base58 alphabet.
fn has_base58_shape(body: &str) -> bool {
    ENCODED_CHARS.contains(&body.len())
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_issued_token_has_the_shape_checked_before_decoding() {
        for _ in 0..2_000 {
            let token = issue(TokenKind::Integration).secret;
            assert!(has_base58_shape(&token[4..]), "{token}");
        }
    }

    #[test]
    fn an_overlong_or_foreign_bearer_value_is_refused_on_its_shape() {
        let huge = format!("itk_{}", "z".repeat(100_000));
        assert!(!has_base58_shape(&huge[4..]));
        assert!(!is_well_formed(TokenKind::Integration, &huge));
        for body in [
            "",
            "short",
            "0OIl0OIl0OIl0OIl0OIl0OIl0OIl0",
            "abc def ghi jkl mno pqr stu vwx",
        ] {
            assert!(!has_base58_shape(body), "{body:?}");
        }
    }

    #[test]
    fn an_issued_token_is_well_formed_and_carries_its_prefix() {
        let token = issue(TokenKind::Personal);
        assert!(token.secret.starts_with("itp_"));
        assert!(is_well_formed(TokenKind::Personal, &token.secret));
        assert!(!is_well_formed(TokenKind::Integration, &token.secret));
        assert!(token.secret.starts_with(&token.display_prefix));
    }

    #[test]
    fn two_tokens_differ() {
        assert_ne!(
            issue(TokenKind::Personal).secret,
            issue(TokenKind::Personal).secret
        );
    }

    #[test]
    fn a_mistyped_token_fails_its_checksum() {
        let token = issue(TokenKind::Integration).secret;
        let last = token.chars().last().expect("non-empty");
        let replacement = if last == 'a' { 'b' } else { 'a' };
        let typo = format!("{}{replacement}", &token[..token.len() - 1]);
        assert!(!is_well_formed(TokenKind::Integration, &typo));
    }

    #[test]
    fn the_stored_hash_is_sha256_of_the_secret() {
        let token = issue(TokenKind::Personal);
        assert_eq!(token.hash, hash(&token.secret));
        assert_eq!(token.hash.len(), 32);
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let token = issue(TokenKind::Personal);
        assert!(!format!("{token:?}").contains(&token.secret));
    }
}

/// The server's source of new secrets, handed to the rules as a port.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsSecrets;

impl domain::secret::SecretIssuer for OsSecrets {
    fn api_key(&self) -> domain::secret::IssuedSecret {
        issue(TokenKind::Integration).into()
    }

    fn personal_token(&self) -> domain::secret::IssuedSecret {
        issue(TokenKind::Personal).into()
    }
}

impl From<IssuedToken> for domain::secret::IssuedSecret {
    fn from(token: IssuedToken) -> Self {
        Self {
            secret: token.secret,
            stored: domain::secret::NewSecret {
                hash: token.hash,
                display_prefix: token.display_prefix,
            },
        }
    }
}
