//! CSV integrations (DESIGN §4, issue 13): how a file's bytes become the
//! rows its schema reads — the encoding, the pre-processing of its lines,
//! and the date, time and timestamp formats of its columns.

pub mod encoding;
pub mod format;
pub mod preprocess;
