//! Agent statuses in a CSV file (DESIGN §4): one row per status — the
//! agent's id, the activity's id, when it started and, unless it is still
//! going on, when it ended. The rows become the same agent statuses the
//! ingestion API receives.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{
    rows::{read_all, CellProblem, Column, RowError, When},
    table::{Row, Table},
    zone::TimeZone,
};
use crate::ingest::AgentStatus;

/// The longest agent or activity id kept, as through the ingestion API.
pub const MAX_ID_CHARS: usize = 200;

/// How an agent-status file's columns are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentMapping {
    pub agent: Column,
    pub activity: Column,
    pub start: When,
    /// Where the end is read from, if the file has it; an empty end means
    /// the activity is still going on.
    pub end: Option<When>,
    pub zone: TimeZone,
}

/// Reads every row as a status; all problems, or all statuses (each with
/// the line it came from).
pub fn read_agent_statuses(
    table: &Table,
    mapping: &AgentMapping,
) -> Result<Vec<(usize, AgentStatus)>, Vec<CellProblem>> {
    let mut previous: HashMap<String, DateTime<Utc>> = HashMap::new();
    read_all(table, |row| {
        Ok((row.line, status(row, mapping, &mut previous)?))
    })
}

fn status(
    row: &Row,
    mapping: &AgentMapping,
    previous: &mut HashMap<String, DateTime<Utc>>,
) -> Result<AgentStatus, RowError> {
    let id = |column: Column, what: &str| -> Result<String, RowError> {
        let text = row.cell(column.0).trim();
        if text.is_empty() {
            return Err((Some(column), format!("the {what} is empty")));
        }
        if text.chars().count() > MAX_ID_CHARS {
            return Err((
                Some(column),
                format!("the {what} is longer than {MAX_ID_CHARS} characters"),
            ));
        }
        Ok(text.to_owned())
    };
    let agent = id(mapping.agent, "agent id")?;
    let activity = id(mapping.activity, "activity id")?;
    let instant =
        |when: &When, previous: Option<DateTime<Utc>>| -> Result<DateTime<Utc>, RowError> {
            let local = when.read(row)?;
            mapping
                .zone
                .instant(local, previous)
                .map_err(|skipped| (None, skipped.to_string()))
        };
    let start = instant(&mapping.start, previous.get(&agent).copied())?;
    let end = match &mapping.end {
        Some(when) if !ends_empty(row, when) => {
            let end = instant(when, Some(start))?;
            if end <= start {
                return Err((
                    end_column(when),
                    "the activity ends before it starts".to_owned(),
                ));
            }
            Some(end)
        }
        _ => None,
    };
    previous.insert(agent.clone(), start);
    Ok(AgentStatus {
        agent,
        activity,
        start,
        end,
    })
}

/// Whether a row's end is left empty (the activity is still going on).
fn ends_empty(row: &Row, when: &When) -> bool {
    match when {
        When::Timestamp { column, .. } => row.cell(column.0).trim().is_empty(),
        When::DateAndTime { date, time, .. } => {
            row.cell(date.0).trim().is_empty() && row.cell(time.0).trim().is_empty()
        }
    }
}

fn end_column(when: &When) -> Option<Column> {
    Some(match when {
        When::Timestamp { column, .. } => *column,
        When::DateAndTime { time, .. } => *time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{
        format::{DateTimeFormat, FormatKind},
        preprocess::Preprocess,
        table::Delimiter,
    };

    fn timestamp(column: usize) -> When {
        When::Timestamp {
            column: Column(column),
            format: DateTimeFormat::parse("YYYY-MM-DD hh:mm:ss", FormatKind::Timestamp)
                .expect("a format"),
        }
    }

    fn read(text: &str) -> Result<Vec<(usize, AgentStatus)>, Vec<CellProblem>> {
        let table =
            Table::read(text, Delimiter::Semicolon, &Preprocess::default()).expect("a table");
        read_agent_statuses(
            &table,
            &AgentMapping {
                agent: Column(0),
                activity: Column(1),
                start: timestamp(2),
                end: Some(timestamp(3)),
                zone: TimeZone::parse("Europe/Amsterdam").expect("a zone"),
            },
        )
    }

    #[test]
    fn statuses_read_in_utc_and_an_empty_end_is_ongoing() {
        let statuses = read(
            "agent;activity;start;end\n\
             a-17;Break;2026-11-27 10:00:00;2026-11-27 10:15:00\n\
             a-17;Calls;2026-11-27 10:15:00;\n",
        )
        .expect("statuses");
        assert_eq!(statuses.len(), 2);
        let (line, first) = &statuses[0];
        assert_eq!(*line, 2);
        assert_eq!(first.agent, "a-17");
        assert_eq!(first.activity, "Break");
        assert_eq!(first.start.to_rfc3339(), "2026-11-27T09:00:00+00:00");
        assert_eq!(
            first.end.map(|end| end.to_rfc3339()).as_deref(),
            Some("2026-11-27T09:15:00+00:00")
        );
        assert_eq!(statuses[1].1.end, None, "still going on");
    }

    #[test]
    fn problems_name_their_line_and_column() {
        let problems = read(
            "agent;activity;start;end\n\
             ;Break;2026-11-27 10:00:00;\n\
             a-1;;2026-11-27 10:00:00;\n\
             a-1;Break;27.11.2026;\n\
             a-1;Break;2026-11-27 10:00:00;2026-11-27 09:00:00\n",
        )
        .expect_err("problems");
        let at: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str(), p.detail.as_str()))
            .collect();
        assert_eq!(at[0], (2, "agent", "the agent id is empty"));
        assert_eq!(at[1], (3, "activity", "the activity id is empty"));
        assert_eq!((at[2].0, at[2].1), (4, "start"));
        assert_eq!(at[3], (5, "end", "the activity ends before it starts"));
    }
}
