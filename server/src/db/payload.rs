//! How a received body is kept: zstd-compressed. A 1 000-event request is
//! about 160 kB of JSON whose keys repeat on every item; compressed it is a
//! few kilobytes, so every ingestion writes a tenth of the pages (and of the
//! WAL and checkpoints after it) while the body stays exactly as received
//! (ADR 0005).

/// The stored form of a body, named in `import_bodies.encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Kept as sent (bodies stored before compression).
    Identity,
    Zstd,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Zstd => "zstd",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "identity" => Some(Self::Identity),
            "zstd" => Some(Self::Zstd),
            _ => None,
        }
    }
}

/// zstd's fastest regular level: ~1 GB/s on one core, and JSON this
/// repetitive gains little from slower ones.
const LEVEL: i32 = 1;

/// Compresses a body for keeping.
pub fn encode(body: &str) -> std::io::Result<(Encoding, Vec<u8>)> {
    encode_bytes(body.as_bytes())
}

/// Compresses content of any kind (an uploaded file) for keeping.
pub fn encode_bytes(body: &[u8]) -> std::io::Result<(Encoding, Vec<u8>)> {
    Ok((Encoding::Zstd, zstd::bulk::compress(body, LEVEL)?))
}

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown body encoding {0:?}")]
    UnknownEncoding(String),
    #[error("the kept body cannot be decompressed: {0}")]
    Corrupt(#[from] std::io::Error),
    #[error("the kept body is not UTF-8")]
    NotText(#[from] std::string::FromUtf8Error),
}

/// The body exactly as it was received.
pub fn decode(encoding: &str, stored: Vec<u8>) -> Result<String, DecodeError> {
    Ok(String::from_utf8(decode_bytes(encoding, stored)?)?)
}

/// Content of any kind exactly as it was received.
pub fn decode_bytes(encoding: &str, stored: Vec<u8>) -> Result<Vec<u8>, DecodeError> {
    Ok(match Encoding::parse(encoding) {
        Some(Encoding::Identity) => stored,
        Some(Encoding::Zstd) => zstd::stream::decode_all(stored.as_slice())?,
        None => return Err(DecodeError::UnknownEncoding(encoding.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_comes_back_exactly_as_received() {
        let body =
            r#"{"data":[{"queueName":"Niveau 1 – ondersteuning ✓"}],"meta":{}}  "#.repeat(50);
        let (encoding, stored) = encode(&body).expect("compresses");
        assert!(stored.len() < body.len() / 5, "{} bytes", stored.len());
        assert_eq!(decode(encoding.as_str(), stored).expect("decodes"), body);
    }

    #[test]
    fn an_uncompressed_body_and_an_unknown_encoding() {
        assert_eq!(
            decode("identity", b"{}".to_vec()).expect("kept as is"),
            "{}"
        );
        assert!(matches!(
            decode("brotli", Vec::new()),
            Err(DecodeError::UnknownEncoding(_))
        ));
    }
}
