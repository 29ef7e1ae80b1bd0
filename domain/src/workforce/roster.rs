//! Employees imported from a CSV file: a header row naming `name` and, if
//! wanted, `email`, `personnel_number` and `team`, then one employee a line. The
//! file is applied whole or not at all, and every problem is told with its
//! line, so a person can fix the file in one go.

use std::collections::HashMap;

use super::employee::{EmployeeField, EmployeeInput, NewEmployee};
use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    store::{Store, StoreError},
    EmailAddress,
};

/// The most employees one file may add, and its largest size.
pub const MAX_ROWS: usize = 5_000;
pub const MAX_BYTES: usize = 1024 * 1024;

/// One problem of a file, on a line (1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: u64,
    pub detail: String,
}

impl LineProblem {
    fn new(line: u64, detail: impl Into<String>) -> Self {
        Self {
            line,
            detail: detail.into(),
        }
    }
}

/// Which column holds what, from the header row.
struct Columns {
    name: usize,
    email: Option<usize>,
    number: Option<usize>,
    team: Option<usize>,
}

fn columns(header: &csv::StringRecord) -> Result<Columns, LineProblem> {
    let find = |names: &[&str]| {
        header.iter().position(|cell| {
            let cell = cell.trim().to_ascii_lowercase().replace([' ', '-'], "_");
            names.contains(&cell.as_str())
        })
    };
    Ok(Columns {
        name: find(&["name"]).ok_or_else(|| {
            LineProblem::new(1, "the header row names no column `name` (and may name `email`, `personnel_number` and `team`)")
        })?,
        email: find(&["email", "email_address"]),
        number: find(&["personnel_number", "personnelnumber", "number"]),
        team: find(&["team"]),
    })
}

/// Reads a file of employees: UTF-8 (a byte order mark is dropped), comma
/// or semicolon separated, whichever the header row uses. Every problem at
/// once, by line, or the employees to add.
pub fn read(bytes: &[u8]) -> Result<Vec<(u64, NewEmployee)>, Vec<LineProblem>> {
    if bytes.len() > MAX_BYTES {
        return Err(vec![LineProblem::new(
            0,
            format!("a file of employees has at most {} KiB", MAX_BYTES / 1024),
        )]);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![LineProblem::new(0, "save the file as UTF-8")]);
    };
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|error| vec![LineProblem::new(1, error.to_string())])?
        .clone();
    let columns = columns(&header).map_err(|problem| vec![problem])?;
    let mut employees = Vec::new();
    let mut problems = Vec::new();
    let mut first_line_of: HashMap<EmailAddress, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(LineProblem::new(line, error.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if employees.len() + problems.len() >= MAX_ROWS {
            problems.push(LineProblem::new(
                line,
                format!("a file adds at most {MAX_ROWS} employees"),
            ));
            break;
        }
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i));
        match NewEmployee::parse(EmployeeInput {
            name: cell(Some(columns.name)),
            email: cell(columns.email),
            personnel_number: cell(columns.number),
            team: cell(columns.team),
        }) {
            Ok(employee) => {
                if let Some(email) = &employee.email {
                    if let Some(first) = first_line_of.insert(email.clone(), line) {
                        problems.push(LineProblem::new(
                            line,
                            format!("{} is on line {first} already", email.as_str()),
                        ));
                        continue;
                    }
                }
                employees.push((line, employee));
            }
            Err(fields) => problems.extend(fields.iter().map(|field| {
                let column = match field {
                    EmployeeField::Name(_) => "name",
                    EmployeeField::Email(_) => "email",
                    EmployeeField::PersonnelNumber(_) => "personnel_number",
                    EmployeeField::Team(_) => "team",
                };
                LineProblem::new(line, format!("{column}: {field}"))
            })),
        }
    }
    if employees.is_empty() && problems.is_empty() {
        problems.push(LineProblem::new(
            2,
            "the file lists no employees below its header row",
        ));
    }
    if problems.is_empty() {
        Ok(employees)
    } else {
        Err(problems)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("only admins may import employees")]
    Forbidden,
    #[error("the file has {} problem(s)", .0.len())]
    Problems(Vec<LineProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds every employee of a file, or none: a problem on any line, or an
/// email address a current employee already has, refuses the whole file.
/// How many were added.
pub async fn import(store: &dyn Store, actor: &Actor, bytes: &[u8]) -> Result<usize, RosterError> {
    if !actor.role.may_manage_integrations() {
        return Err(RosterError::Forbidden);
    }
    let lines = read(bytes).map_err(RosterError::Problems)?;
    let emails: Vec<EmailAddress> = lines
        .iter()
        .filter_map(|(_, employee)| employee.email.clone())
        .collect();
    let workforce = store.workforce();
    let taken = workforce.taken_emails(actor.account_id, &emails).await?;
    if !taken.is_empty() {
        return Err(RosterError::Problems(
            lines
                .iter()
                .filter(|(_, e)| e.email.as_ref().is_some_and(|email| taken.contains(email)))
                .map(|(line, e)| {
                    let email = e
                        .email
                        .as_ref()
                        .map(EmailAddress::as_str)
                        .unwrap_or_default();
                    LineProblem::new(*line, format!("another employee already has {email}"))
                })
                .collect(),
        ));
    }
    let employees: Vec<NewEmployee> = lines.into_iter().map(|(_, employee)| employee).collect();
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::EmployeesImported,
        subject: format!("{} employees", employees.len()),
        integration: None,
    };
    match workforce
        .create_employees(actor.account_id, &employees, &audit)
        .await
    {
        Ok(()) => Ok(employees.len()),
        // Taken meanwhile by another request: nothing was added.
        Err(super::employee::CreateEmployeeError::EmailTaken) => {
            Err(RosterError::Problems(vec![LineProblem::new(
                0,
                "an email address of the file was taken meanwhile; nothing was added, try again",
            )]))
        }
        Err(super::employee::CreateEmployeeError::Store(error)) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_by_its_header_with_either_delimiter() {
        let comma = read(b"\xEF\xBB\xBFName,Email,Personnel number\nBob Jones,Bob@Example.com,0042\nAnn Lee,,\n\n")
            .expect("valid");
        assert_eq!(comma.len(), 2);
        assert_eq!(comma[0].0, 2);
        assert_eq!(comma[0].1.name.as_str(), "Bob Jones");
        assert_eq!(
            comma[0].1.email.as_ref().map(EmailAddress::as_str),
            Some("bob@example.com")
        );
        assert_eq!(comma[1].1.email, None);
        let semicolon = read("personnel_number;name\n7;Zoë Müller\n".as_bytes()).expect("valid");
        assert_eq!(semicolon[0].1.name.as_str(), "Zoë Müller");
        assert_eq!(
            semicolon[0].1.personnel_number.as_ref().map(|n| n.as_str()),
            Some("7")
        );
    }

    #[test]
    fn every_problem_is_told_by_line() {
        let problems = read(b"name,email\nBob,bob@example.com\n ,nope\nRobert,BOB@example.com\n")
            .expect_err("invalid");
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 3, 4]);
        assert!(problems[2].detail.contains("line 2"), "{problems:?}");
        assert_eq!(
            read(b"email\nx@example.com\n").expect_err("no name column")[0].line,
            1
        );
        assert_eq!(read(b"name\n").expect_err("empty")[0].line, 2);
        assert_eq!(read(b"name\n\xFF\n").expect_err("not UTF-8")[0].line, 0);
    }
}
