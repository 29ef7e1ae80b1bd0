//! CSV integrations (DESIGN §4, issue 13): how a file's bytes become the
//! rows its schema reads — the encoding, the pre-processing of its lines,
//! the table (delimiter, header, rows with their lines), and the values of
//! its cells: counts, durations, and dates and times in the schema's
//! formats and time zone; then a file's rows as queue intervals
//! (interval-based), contacts (contact-based, counted into 15-minute
//! intervals like the ingestion API's) or agent statuses, every problem
//! listed by line and column.

pub mod agents;
pub mod contacts;
pub mod designer;
pub mod document;
pub mod encoding;
pub mod format;
pub mod import;
pub mod interval;
pub mod intervals;
pub mod preprocess;
pub mod proposal;
pub mod query;
pub mod rows;
pub mod schema;
pub mod service;
pub mod table;
pub mod value;
pub mod zone;
