//! The encodings a CSV file may be in (DESIGN §4): UTF-8 with or without a
//! byte-order mark, ISO-8859-1, ISO-8859-9 and Windows-1252, decoded with
//! `encoding_rs`.
//!
//! ISO-8859-1 and ISO-8859-9 are decoded as browsers decode them (the
//! WHATWG Encoding Standard): as Windows-1252 and Windows-1254, which
//! agree with them on every printable character and give 0x80–0x9F the
//! typographic characters (€, „, “ …) that files labelled Latin-1 really
//! carry, where the strict tables have invisible control codes.

use std::borrow::Cow;

/// A file's encoding, as the schema names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Utf8,
    Iso8859_1,
    Iso8859_9,
    Windows1252,
}

/// Why a file does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line} is not UTF-8 (byte {byte} of the file): choose the file's encoding, such as Windows-1252")]
pub struct DecodeError {
    /// From 1.
    pub line: usize,
    /// From 1.
    pub byte: usize,
}

impl Encoding {
    pub const ALL: [Encoding; 4] = [
        Encoding::Utf8,
        Encoding::Iso8859_1,
        Encoding::Iso8859_9,
        Encoding::Windows1252,
    ];

    /// The name kept in a schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Iso8859_1 => "iso-8859-1",
            Encoding::Iso8859_9 => "iso-8859-9",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|encoding| encoding.as_str().eq_ignore_ascii_case(name.trim()))
    }

    fn table(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Iso8859_1 | Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
            Encoding::Iso8859_9 => encoding_rs::WINDOWS_1254,
        }
    }

    /// The file's text. A UTF-8 byte-order mark is dropped; UTF-8 that is
    /// not valid is an error naming the line, never a silent replacement.
    /// The single-byte encodings decode every byte.
    pub fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
        if self == Encoding::Utf8 {
            let marked = bytes.starts_with(b"\xEF\xBB\xBF");
            let text = if marked { &bytes[3..] } else { bytes };
            return std::str::from_utf8(text)
                .map(Cow::Borrowed)
                .map_err(|error| {
                    let valid = error.valid_up_to();
                    DecodeError {
                        line: text[..valid].iter().filter(|&&b| b == b'\n').count() + 1,
                        byte: valid + if marked { 4 } else { 1 },
                    }
                });
        }
        let (text, _) = self.table().decode_without_bom_handling(bytes);
        Ok(text)
    }

    /// The text of a sample (the start of a file, perhaps cut inside a
    /// character), for guessing only: what does not decode is replaced.
    pub fn decode_lossy(self, bytes: &[u8]) -> Cow<'_, str> {
        let (text, _) = self.table().decode_with_bom_removal(bytes);
        text
    }

    /// A first guess from a sample, for the admin to confirm: UTF-8 when it
    /// has a byte-order mark or reads as UTF-8, else Windows-1252 (the
    /// single-byte encoding most exports use).
    pub fn guess(sample: &[u8]) -> Self {
        if sample.starts_with(b"\xEF\xBB\xBF") || utf8_but_for_a_cut_end(sample) {
            Encoding::Utf8
        } else {
            Encoding::Windows1252
        }
    }
}

/// Whether `sample` is UTF-8, allowing a character cut at its end (a sample
/// is the start of a file).
fn utf8_but_for_a_cut_end(sample: &[u8]) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none() && sample.len() - error.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_a_byte_order_mark_reads_the_same() {
        let text = "queue;offered\nKundenservice Bärbel;10\n";
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(text.as_bytes());
        assert_eq!(Encoding::Utf8.decode(text.as_bytes()).as_deref(), Ok(text));
        assert_eq!(Encoding::Utf8.decode(&marked).as_deref(), Ok(text));
        assert_eq!(Encoding::guess(&marked), Encoding::Utf8);
        assert_eq!(Encoding::guess(text.as_bytes()), Encoding::Utf8);
    }

    #[test]
    fn invalid_utf8_is_an_error_naming_the_line() {
        let bytes = b"queue;offered\nK\xE4se;10\n";
        let error = Encoding::Utf8.decode(bytes).expect_err("refused");
        assert_eq!(error, DecodeError { line: 2, byte: 16 });
        assert!(error.to_string().starts_with("line 2 is not UTF-8"));
        assert_eq!(Encoding::guess(bytes), Encoding::Windows1252);
    }

    #[test]
    fn single_byte_encodings_read_their_letters() {
        assert_eq!(
            Encoding::Iso8859_1.decode(b"K\xE4se \x80").as_deref(),
            Ok("Käse €")
        );
        assert_eq!(
            Encoding::Windows1252.decode(b"\x93Sales\x94").as_deref(),
            Ok("“Sales”")
        );
        // Turkish: ğ ş ı are where Latin-1 has ð þ ý.
        assert_eq!(
            Encoding::Iso8859_9.decode(b"\xF0\xFE\xFD").as_deref(),
            Ok("ğşı")
        );
    }

    #[test]
    fn a_sample_cut_inside_a_character_is_still_utf8() {
        let text = "Bärbel".as_bytes();
        assert_eq!(Encoding::guess(&text[..2]), Encoding::Utf8);
    }

    #[test]
    fn names_round_trip() {
        for encoding in Encoding::ALL {
            assert_eq!(Encoding::parse(encoding.as_str()), Some(encoding));
        }
        assert_eq!(Encoding::parse(" UTF-8 "), Some(Encoding::Utf8));
        assert_eq!(Encoding::parse("utf-16"), None);
    }
}
