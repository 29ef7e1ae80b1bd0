//! Employees: the people planners schedule, each with an optional email
//! address (for matching agent ids by email) and personnel number.

use chrono::{DateTime, Utc};

use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    email::{EmailAddress, EmailError},
    page::PageRequest,
    store::{Store, StoreError},
    text::{parse_name, NameError},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmployeeId(pub i64);

/// An employee's name: 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeName(String);

impl EmployeeName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A personnel number as the HR system writes it: 1–50 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonnelNumber(String);

impl PersonnelNumber {
    pub const MAX_CHARS: usize = 50;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The team an employee is in, as planners group people: 1–100
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamName(String);

impl TeamName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An employee as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    pub id: EmployeeId,
    pub name: String,
    pub email: Option<EmailAddress>,
    pub personnel_number: Option<String>,
    pub team: Option<String>,
    pub created_at: DateTime<Utc>,
    pub archived: bool,
}

/// An employee to create, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEmployee {
    pub name: EmployeeName,
    pub email: Option<EmailAddress>,
    pub personnel_number: Option<PersonnelNumber>,
    pub team: Option<TeamName>,
}

/// An employee's fields as a form, a file or a request gives them.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmployeeInput<'a> {
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub personnel_number: Option<&'a str>,
    pub team: Option<&'a str>,
}

/// What is wrong with one field of a new employee.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmployeeField {
    #[error("{0}")]
    Name(NameError),
    #[error("{0}")]
    Email(EmailError),
    #[error("{0}")]
    PersonnelNumber(NameError),
    #[error("{0}")]
    Team(NameError),
}

impl NewEmployee {
    /// Every problem at once; an empty email, personnel number or team
    /// is none.
    pub fn parse(input: EmployeeInput<'_>) -> Result<Self, Vec<EmployeeField>> {
        fn given(value: Option<&str>) -> Option<&str> {
            value.filter(|v| !v.trim().is_empty())
        }
        let name = EmployeeName::parse(input.name.unwrap_or_default()).map_err(EmployeeField::Name);
        let email = given(input.email)
            .map(EmailAddress::parse)
            .transpose()
            .map_err(EmployeeField::Email);
        let personnel_number = given(input.personnel_number)
            .map(PersonnelNumber::parse)
            .transpose()
            .map_err(EmployeeField::PersonnelNumber);
        let team = given(input.team)
            .map(TeamName::parse)
            .transpose()
            .map_err(EmployeeField::Team);
        match (name, email, personnel_number, team) {
            (Ok(name), Ok(email), Ok(personnel_number), Ok(team)) => Ok(Self {
                name,
                email,
                personnel_number,
                team,
            }),
            (name, email, number, team) => Err([name.err(), email.err(), number.err(), team.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// Changes to an employee: each field given is set; an empty email,
/// personnel number or team removes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmployeeChanges {
    pub name: Option<EmployeeName>,
    pub email: Option<Option<EmailAddress>>,
    pub personnel_number: Option<Option<PersonnelNumber>>,
    pub team: Option<Option<TeamName>>,
}

impl EmployeeChanges {
    /// Every problem at once, as for a new employee.
    pub fn parse(input: EmployeeInput<'_>) -> Result<Self, Vec<EmployeeField>> {
        fn optional<T, E>(
            value: Option<&str>,
            parse: impl Fn(&str) -> Result<T, E>,
        ) -> Result<Option<Option<T>>, E> {
            value
                .map(|v| {
                    if v.trim().is_empty() {
                        Ok(None)
                    } else {
                        parse(v).map(Some)
                    }
                })
                .transpose()
        }
        let name = input
            .name
            .map(EmployeeName::parse)
            .transpose()
            .map_err(EmployeeField::Name);
        let email = optional(input.email, EmailAddress::parse).map_err(EmployeeField::Email);
        let personnel_number = optional(input.personnel_number, PersonnelNumber::parse)
            .map_err(EmployeeField::PersonnelNumber);
        let team = optional(input.team, TeamName::parse).map_err(EmployeeField::Team);
        match (name, email, personnel_number, team) {
            (Ok(name), Ok(email), Ok(personnel_number), Ok(team)) => Ok(Self {
                name,
                email,
                personnel_number,
                team,
            }),
            (name, email, number, team) => Err([name.err(), email.err(), number.err(), team.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EmployeeError {
    #[error("only admins may change employees")]
    Forbidden,
    #[error("there is no such employee")]
    NotFound,
    #[error("another employee already has this email address")]
    EmailTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why the store did not create an employee.
#[derive(Debug, thiserror::Error)]
pub enum CreateEmployeeError {
    #[error("another current employee has this email address")]
    EmailTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    new: &NewEmployee,
) -> Result<Employee, EmployeeError> {
    if !actor.role.may_manage_integrations() {
        return Err(EmployeeError::Forbidden);
    }
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::EmployeeCreated,
        subject: new.name.as_str().to_owned(),
        integration: None,
    };
    store
        .workforce()
        .create_employee(actor.account_id, new, &audit)
        .await
        .map_err(|error| match error {
            CreateEmployeeError::EmailTaken => EmployeeError::EmailTaken,
            CreateEmployeeError::Store(store) => EmployeeError::Store(store),
        })
}

/// A page of the account's current employees, by name, and how many there
/// are. Any role may read.
pub async fn list(
    store: &dyn Store,
    actor: &Actor,
    page: PageRequest,
) -> Result<(Vec<Employee>, u64), StoreError> {
    store.workforce().employees(actor.account_id, page).await
}

pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    id: EmployeeId,
    changes: &EmployeeChanges,
) -> Result<Employee, EmployeeError> {
    if !actor.role.may_manage_integrations() {
        return Err(EmployeeError::Forbidden);
    }
    let current = get(store, actor, id).await?;
    if current.archived {
        return Err(EmployeeError::NotFound);
    }
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::EmployeeUpdated,
        subject: changes
            .name
            .as_ref()
            .map_or(current.name, |name| name.as_str().to_owned()),
        integration: None,
    };
    match store
        .workforce()
        .update_employee(actor.account_id, id, changes, &audit)
        .await
    {
        Ok(Some(updated)) => {
            store
                .workforce()
                .announce(super::mapping::remapped(actor))
                .await;
            Ok(updated)
        }
        Ok(None) => Err(EmployeeError::NotFound),
        Err(CreateEmployeeError::EmailTaken) => Err(EmployeeError::EmailTaken),
        Err(CreateEmployeeError::Store(store)) => Err(EmployeeError::Store(store)),
    }
}

/// Archives an employee: gone from lists and the board, their agent
/// mappings removed (the statuses stay, under their agent ids, to be
/// mapped to someone else).
pub async fn archive(
    store: &dyn Store,
    actor: &Actor,
    id: EmployeeId,
) -> Result<(), EmployeeError> {
    if !actor.role.may_manage_integrations() {
        return Err(EmployeeError::Forbidden);
    }
    let current = get(store, actor, id).await?;
    if current.archived {
        return Err(EmployeeError::NotFound);
    }
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::EmployeeArchived,
        subject: current.name,
        integration: None,
    };
    if store
        .workforce()
        .archive_employee(actor.account_id, id, &audit)
        .await?
    {
        store
            .workforce()
            .announce(super::mapping::remapped(actor))
            .await;
        Ok(())
    } else {
        Err(EmployeeError::NotFound)
    }
}

pub async fn get(
    store: &dyn Store,
    actor: &Actor,
    id: EmployeeId,
) -> Result<Employee, EmployeeError> {
    store
        .workforce()
        .employee(actor.account_id, id)
        .await?
        .ok_or(EmployeeError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(
        name: &'a str,
        email: Option<&'a str>,
        number: Option<&'a str>,
        team: Option<&'a str>,
    ) -> EmployeeInput<'a> {
        EmployeeInput {
            name: Some(name),
            email,
            personnel_number: number,
            team,
        }
    }

    #[test]
    fn an_employee_needs_a_name_and_may_have_an_email_a_number_and_a_team() {
        let bob = NewEmployee::parse(input(
            " Bob Jones ",
            Some("Bob@Example.com"),
            Some(" 0042 "),
            Some(" Team North "),
        ))
        .expect("valid");
        assert_eq!(bob.name.as_str(), "Bob Jones");
        assert_eq!(
            bob.email.map(|e| e.as_str().to_owned()),
            Some("bob@example.com".into())
        );
        assert_eq!(
            bob.personnel_number.map(|n| n.as_str().to_owned()),
            Some("0042".into())
        );
        assert_eq!(
            bob.team.map(|t| t.as_str().to_owned()),
            Some("Team North".into())
        );
        let bare = NewEmployee::parse(input("Ann", Some(" "), None, Some(""))).expect("valid");
        assert_eq!(
            (bare.email, bare.personnel_number, bare.team),
            (None, None, None)
        );
    }

    #[test]
    fn every_problem_is_told_at_once() {
        let long_team = "t".repeat(101);
        let problems = NewEmployee::parse(input(
            " ",
            Some("not-an-address"),
            Some(&"9".repeat(51)),
            Some(&long_team),
        ))
        .expect_err("invalid");
        assert_eq!(
            problems,
            vec![
                EmployeeField::Name(NameError::Empty),
                EmployeeField::Email(EmailError::Malformed),
                EmployeeField::PersonnelNumber(NameError::TooLong(50)),
                EmployeeField::Team(NameError::TooLong(100)),
            ]
        );
    }
}
