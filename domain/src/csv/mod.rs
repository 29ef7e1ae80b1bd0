//! CSV integrations (DESIGN §4, issue 13): how a file's bytes become the
//! rows its schema reads — the encoding, the pre-processing of its lines,
//! the table (delimiter, header, rows with their lines), and the values of
//! its cells: counts, durations, and dates and times in the schema's
//! formats and time zone; then an interval-based file's rows as queue
//! intervals, every problem listed by line and column.

pub mod encoding;
pub mod format;
pub mod interval;
pub mod intervals;
pub mod preprocess;
pub mod table;
pub mod value;
pub mod zone;
