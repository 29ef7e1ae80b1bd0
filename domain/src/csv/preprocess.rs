//! A CSV schema's pre-processing (DESIGN §4), applied to a file's lines
//! before they are read as rows: skip the first N lines, skip empty lines,
//! skip lines containing any of several strings (case-sensitive), and —
//! for files without one — add a header row naming the columns A, B, C ….
//! Every line keeps its number in the file, so problems name the line the
//! admin sees in an editor.

/// The most lines that may be skipped at the top.
pub const MAX_SKIP_FIRST: usize = 10_000;
/// The most strings that skip a line, and their longest.
pub const MAX_SKIP_STRINGS: usize = 20;
pub const MAX_SKIP_STRING_CHARS: usize = 200;

/// Checked pre-processing options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preprocess {
    skip_first: usize,
    skip_empty: bool,
    skip_containing: Vec<String>,
    add_header: bool,
}

/// Why options cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreprocessError {
    #[error("at most {MAX_SKIP_FIRST} lines can be skipped at the top")]
    TooManySkipped,
    #[error("at most {MAX_SKIP_STRINGS} strings can skip lines")]
    TooManyStrings,
    #[error("a string that skips lines cannot be empty")]
    EmptyString,
    #[error("a string that skips lines has at most {MAX_SKIP_STRING_CHARS} characters")]
    LongString,
    #[error("a string that skips lines cannot hold line breaks or control characters")]
    ControlCharacter,
}

/// One line of the file that is read, with its number in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// From 1.
    pub number: usize,
    /// Without its line break.
    pub text: &'a str,
}

impl Preprocess {
    pub fn new(
        skip_first: usize,
        skip_empty: bool,
        skip_containing: Vec<String>,
        add_header: bool,
    ) -> Result<Self, PreprocessError> {
        if skip_first > MAX_SKIP_FIRST {
            return Err(PreprocessError::TooManySkipped);
        }
        if skip_containing.len() > MAX_SKIP_STRINGS {
            return Err(PreprocessError::TooManyStrings);
        }
        for text in &skip_containing {
            if text.is_empty() {
                return Err(PreprocessError::EmptyString);
            }
            if text.chars().count() > MAX_SKIP_STRING_CHARS {
                return Err(PreprocessError::LongString);
            }
            if text.chars().any(char::is_control) {
                return Err(PreprocessError::ControlCharacter);
            }
        }
        Ok(Self {
            skip_first,
            skip_empty,
            skip_containing,
            add_header,
        })
    }

    pub fn skip_first(&self) -> usize {
        self.skip_first
    }

    pub fn skip_empty(&self) -> bool {
        self.skip_empty
    }

    pub fn skip_containing(&self) -> &[String] {
        &self.skip_containing
    }

    /// Whether the columns are named A, B, C … rather than by the first
    /// line read.
    pub fn add_header(&self) -> bool {
        self.add_header
    }

    /// The lines that are read, in order (`\n` or `\r\n` ends a line; the
    /// break after the last line does not start another).
    pub fn lines<'a>(&'a self, text: &'a str) -> impl Iterator<Item = Line<'a>> + 'a {
        let text = text.strip_suffix('\n').unwrap_or(text);
        // An empty file has no lines, not one empty line.
        let lines = (!text.is_empty()).then(|| text.split('\n'));
        lines
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(index, line)| Line {
                number: index + 1,
                text: line.strip_suffix('\r').unwrap_or(line),
            })
            .filter(move |line| line.number > self.skip_first)
            .filter(move |line| !(self.skip_empty && line.text.trim().is_empty()))
            .filter(move |line| {
                !self
                    .skip_containing
                    .iter()
                    .any(|skip| line.text.contains(skip.as_str()))
            })
    }
}

/// The name of column `index` (from 0) when a header row is added: A … Z,
/// AA … AZ, BA …, as in a spreadsheet.
pub fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.push(char::from(b'A' + rest as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "Report of 27.11.2026\r\nexported by ACD\r\n\r\nSales;10\r\nTOTAL;10\r\n  \r\nSupport;4\r\n";

    fn read<'a>(options: &'a Preprocess, text: &'a str) -> Vec<(usize, &'a str)> {
        options
            .lines(text)
            .map(|line| (line.number, line.text))
            .collect()
    }

    #[test]
    fn lines_keep_their_numbers_in_the_file_whatever_is_skipped() {
        let options = Preprocess::new(2, true, vec!["TOTAL".into()], true).expect("fine options");
        assert_eq!(read(&options, FILE), [(4, "Sales;10"), (7, "Support;4")]);
        assert!(options.add_header());
    }

    #[test]
    fn without_options_every_line_is_read() {
        let options = Preprocess::default();
        assert_eq!(read(&options, FILE).len(), 7);
        assert_eq!(read(&options, "a\nb"), [(1, "a"), (2, "b")]);
        assert_eq!(read(&options, ""), []);
    }

    #[test]
    fn skipping_strings_is_case_sensitive() {
        let options = Preprocess::new(0, false, vec!["total".into()], false).expect("fine");
        assert!(read(&options, FILE)
            .iter()
            .any(|(_, text)| *text == "TOTAL;10"));
    }

    #[test]
    fn options_out_of_bounds_are_refused() {
        assert_eq!(
            Preprocess::new(MAX_SKIP_FIRST + 1, false, vec![], false),
            Err(PreprocessError::TooManySkipped)
        );
        assert_eq!(
            Preprocess::new(0, false, vec![String::new()], false),
            Err(PreprocessError::EmptyString)
        );
        assert_eq!(
            Preprocess::new(0, false, vec!["a\nb".into()], false),
            Err(PreprocessError::ControlCharacter)
        );
        assert_eq!(
            Preprocess::new(0, false, vec!["x".into(); MAX_SKIP_STRINGS + 1], false),
            Err(PreprocessError::TooManyStrings)
        );
        assert_eq!(
            Preprocess::new(0, false, vec!["x".repeat(MAX_SKIP_STRING_CHARS + 1)], false),
            Err(PreprocessError::LongString)
        );
    }

    #[test]
    fn added_headers_are_spreadsheet_letters() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(names, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }
}
