//! A CSV file read as a table (DESIGN §4): the delimiter, the header (the
//! first line read, or A, B, C … when the schema adds one), and every row
//! with the line it starts on. Quoting follows RFC 4180 (the `csv` crate);
//! rows may be shorter or longer than the header, and the schema's mapping
//! says which cells it needs.

use super::preprocess::{column_letters, Preprocess};

/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 256;
/// The longest cell, in characters.
pub const MAX_CELL_CHARS: usize = 10_000;

/// What separates the cells of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delimiter {
    Comma,
    Semicolon,
    Tab,
    Pipe,
}

impl Delimiter {
    pub const ALL: [Delimiter; 4] = [
        Delimiter::Semicolon,
        Delimiter::Comma,
        Delimiter::Tab,
        Delimiter::Pipe,
    ];

    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
            Delimiter::Pipe => b'|',
        }
    }

    /// The name kept in a schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Delimiter::Comma => "comma",
            Delimiter::Semicolon => "semicolon",
            Delimiter::Tab => "tab",
            Delimiter::Pipe => "pipe",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|delimiter| delimiter.as_str() == name)
    }

    /// A first guess from a sample's lines, for the admin to confirm: the
    /// delimiter that splits the most lines into the same number (above
    /// one) of cells; ties go to the order of [`Delimiter::ALL`].
    pub fn guess<'a>(lines: impl IntoIterator<Item = &'a str> + Clone) -> Option<Self> {
        let mut best: Option<(Delimiter, usize, usize)> = None;
        for delimiter in Self::ALL {
            let counts: Vec<usize> = lines
                .clone()
                .into_iter()
                .filter(|line| !line.trim().is_empty())
                .take(50)
                .map(|line| cells_outside_quotes(line, delimiter.byte() as char))
                .collect();
            let Some(&first) = counts.first() else {
                continue;
            };
            let agreeing = counts.iter().filter(|&&n| n == first).count();
            // Ties go to the earlier delimiter.
            if first > 1 && best.is_none_or(|(_, a, w)| (agreeing, first) > (a, w)) {
                best = Some((delimiter, agreeing, first));
            }
        }
        best.map(|(delimiter, ..)| delimiter)
    }
}

/// How many cells `line` splits into at `delimiter`, ignoring quoted ones.
fn cells_outside_quotes(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    1 + line
        .chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            c == delimiter && !quoted
        })
        .count()
}

/// One row, with the line of the file it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// From 1, in the file as it was uploaded.
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell of column `index`, empty when the row is shorter.
    pub fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

/// A file as its schema reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

/// Why a file does not read as a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("the file has no lines to read")]
    Empty,
    #[error("line {line} has more than {MAX_COLUMNS} columns")]
    TooManyColumns { line: usize },
    #[error("line {line} has a cell longer than {MAX_CELL_CHARS} characters")]
    LongCell { line: usize },
    #[error("line {line} does not read: {problem}")]
    Malformed { line: usize, problem: String },
}

impl Table {
    /// Reads `text` (decoded) after `preprocess`, split at `delimiter`.
    pub fn read(
        text: &str,
        delimiter: Delimiter,
        preprocess: &Preprocess,
    ) -> Result<Self, TableError> {
        let kept: Vec<_> = preprocess.lines(text).collect();
        // The kept lines are read as one text; a record starting on its
        // n-th line started on `kept[n - 1]` of the file.
        let joined = kept
            .iter()
            .map(|line| line.text)
            .collect::<Vec<_>>()
            .join("\n");
        let file_line = |joined_line: u64| {
            usize::try_from(joined_line)
                .ok()
                .and_then(|n| kept.get(n.saturating_sub(1)))
                .map_or(0, |line| line.number)
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.byte())
            .has_headers(false)
            .flexible(true)
            .from_reader(joined.as_bytes());
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let line = file_line(reader.position().line());
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => {
                    let line = error
                        .position()
                        .map_or(line, |position| file_line(position.line()));
                    return Err(TableError::Malformed {
                        line,
                        problem: error.to_string(),
                    });
                }
            }
            let line = record
                .position()
                .map_or(line, |position| file_line(position.line()));
            if record.len() > MAX_COLUMNS {
                return Err(TableError::TooManyColumns { line });
            }
            if record
                .iter()
                .any(|cell| cell.chars().count() > MAX_CELL_CHARS)
            {
                return Err(TableError::LongCell { line });
            }
            rows.push(Row {
                line,
                cells: record.iter().map(str::to_owned).collect(),
            });
        }
        let columns: Vec<String> = if preprocess.add_header() {
            let width = rows.iter().map(|row| row.cells.len()).max().unwrap_or(0);
            (0..width).map(column_letters).collect()
        } else {
            if rows.is_empty() {
                return Err(TableError::Empty);
            }
            rows.remove(0)
                .cells
                .into_iter()
                .map(|name| name.trim().to_owned())
                .collect()
        };
        if columns.is_empty() {
            return Err(TableError::Empty);
        }
        Ok(Self { columns, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain() -> Preprocess {
        Preprocess::default()
    }

    #[test]
    fn the_first_line_read_names_the_columns_and_rows_keep_their_lines() {
        let text = "Export 27.11.2026\nQueue;Offered;Answered\nSales;10;9\n\nSupport;\"4\";3\n";
        let options = Preprocess::new(1, true, vec![], false).expect("fine");
        let table = Table::read(text, Delimiter::Semicolon, &options).expect("a table");
        assert_eq!(table.columns, ["Queue", "Offered", "Answered"]);
        assert_eq!(
            table.rows,
            [
                Row {
                    line: 3,
                    cells: vec!["Sales".into(), "10".into(), "9".into()]
                },
                Row {
                    line: 5,
                    cells: vec!["Support".into(), "4".into(), "3".into()]
                },
            ]
        );
    }

    #[test]
    fn an_added_header_names_columns_by_letter_as_wide_as_the_widest_row() {
        let options = Preprocess::new(0, false, vec![], true).expect("fine");
        let table =
            Table::read("Sales,10\nSupport,4,x\n", Delimiter::Comma, &options).expect("a table");
        assert_eq!(table.columns, ["A", "B", "C"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].cell(2), "", "a short row reads empty cells");
    }

    #[test]
    fn quoted_cells_may_hold_delimiters_quotes_and_line_breaks() {
        let text = "queue\tnote\n\"Sales\tEU\"\t\"said \"\"hi\"\"\nand left\"\nSupport\tnone\n";
        let table = Table::read(text, Delimiter::Tab, &plain()).expect("a table");
        assert_eq!(table.rows[0].cells, ["Sales\tEU", "said \"hi\"\nand left"]);
        assert_eq!(table.rows[1].line, 4, "the row after a two-line cell");
    }

    #[test]
    fn an_empty_file_or_one_too_wide_is_refused_with_its_line() {
        assert_eq!(
            Table::read("", Delimiter::Comma, &plain()),
            Err(TableError::Empty)
        );
        let wide = format!("a\n{}\n", vec!["x"; MAX_COLUMNS + 1].join(","));
        assert_eq!(
            Table::read(&wide, Delimiter::Comma, &plain()),
            Err(TableError::TooManyColumns { line: 2 })
        );
        let long = format!("a\nb\n{}\n", "x".repeat(MAX_CELL_CHARS + 1));
        assert_eq!(
            Table::read(&long, Delimiter::Comma, &plain()),
            Err(TableError::LongCell { line: 3 })
        );
    }

    #[test]
    fn the_delimiter_is_guessed_from_lines_that_agree() {
        let semicolons = ["Queue;Offered;AHT", "Sales;10;1,5", "Support;4;2,25"];
        assert_eq!(Delimiter::guess(semicolons), Some(Delimiter::Semicolon));
        let commas = ["queue,offered", "\"Sales; EU\",10", "Support,4"];
        assert_eq!(Delimiter::guess(commas), Some(Delimiter::Comma));
        let tabs = ["queue\toffered", "Sales\t10"];
        assert_eq!(Delimiter::guess(tabs), Some(Delimiter::Tab));
        assert_eq!(Delimiter::guess(["just one column", "here"]), None);
    }

    #[test]
    fn names_round_trip() {
        for delimiter in Delimiter::ALL {
            assert_eq!(Delimiter::parse(delimiter.as_str()), Some(delimiter));
        }
    }
}
