//! Which external agent id of an integration is which employee.
//!
//! The id is matched exactly as the vendor sends it: spelling, case and
//! spaces matter. An employee has at most one id per integration, and an id
//! is at most one employee's; changing either means removing the mapping
//! first, so a script cannot move an agent's history to someone else by a
//! typo.

use chrono::{DateTime, Utc};

use super::employee::EmployeeId;
use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    integration::{IntegrationId, Status},
    page::PageRequest,
    store::{Store, StoreError},
    EmailAddress,
};

/// An agent or activity id as an integration sends it, kept exactly: not
/// blank, at most as long as ingestion accepts, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExternalId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalIdError {
    #[error("enter the id as the integration sends it")]
    Blank,
    #[error("an id has at most {0} characters")]
    TooLong(usize),
    #[error("an id cannot contain control characters")]
    ControlCharacter,
}

impl ExternalId {
    pub const MAX_CHARS: usize = crate::ingest::agents::MAX_ID_CHARS;

    pub fn parse(input: &str) -> Result<Self, ExternalIdError> {
        if input.trim().is_empty() {
            Err(ExternalIdError::Blank)
        } else if input.chars().count() > Self::MAX_CHARS {
            Err(ExternalIdError::TooLong(Self::MAX_CHARS))
        } else if crate::text::control_character(input).is_some() {
            Err(ExternalIdError::ControlCharacter)
        } else {
            Ok(Self(input.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a near miss has in common with this id: the id without
    /// surrounding spaces, in ASCII lower case. The store may narrow
    /// candidates by it; [`near_misses`] decides.
    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

fn fold(id: &str) -> String {
    id.trim_matches(' ').to_ascii_lowercase()
}

/// The ids among `seen` that differ from `id` only in ASCII case or
/// surrounding spaces: probably the same agent, spelt as another system (or
/// a typing admin) spells it. Sorted, without `id` itself.
pub fn near_misses(id: &ExternalId, seen: impl IntoIterator<Item = String>) -> Vec<String> {
    let folded = id.folded();
    let mut misses: Vec<String> = seen
        .into_iter()
        .filter(|other| other != id.as_str() && fold(other) == folded)
        .collect();
    misses.sort();
    misses.dedup();
    misses
}

/// A saved mapping: an employee's entry for an external system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentMapping {
    pub integration: IntegrationId,
    /// The id the system sends for the agent.
    pub external_id: String,
    pub employee: EmployeeId,
    /// The employee's own id in that system (a user number, say), when an
    /// admin noted it; kept exactly as typed, for people to look up.
    pub system_employee_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An employee's mapping with the integration it is in, as the employee's
/// page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeMapping {
    pub mapping: AgentMapping,
    pub integration_name: String,
    pub integration_status: Status,
}

/// An entry of an employee's external systems, with the ids that integration
/// has sent that look like the same agent spelt another way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalSystem {
    pub entry: EmployeeMapping,
    pub near_misses: Vec<String>,
}

/// An agent id an integration has sent, with the employee it is mapped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredAgent {
    pub external_id: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub count: i64,
    pub employee: Option<EmployeeId>,
}

/// What the store found when asked to map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// Saved now.
    Created(AgentMapping),
    /// Exactly this mapping was there already.
    Unchanged(AgentMapping),
    /// This mapping was there; the employee's id in the system is new.
    Updated(AgentMapping),
    /// The id is another employee's.
    AgentTaken(EmployeeId),
    /// The employee has another id in this integration.
    EmployeeTaken(String),
    /// The employee is not a current one of the account.
    NoSuchEmployee,
}

#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("only admins may change mappings")]
    Forbidden,
    #[error("there is no such integration")]
    NotFound,
    #[error("there is no such employee")]
    NoSuchEmployee,
    #[error("a deleted integration's mappings cannot change")]
    Deleted,
    #[error(
        "the agent id {external_id:?} is mapped to another employee; remove that mapping first"
    )]
    AgentTaken { external_id: String },
    #[error("the employee is mapped to the agent id {0:?} in this integration; remove that mapping first")]
    EmployeeTaken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A mapping saved, with ids that look like the same agent spelt another way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetMapping {
    pub mapping: AgentMapping,
    pub created: bool,
    pub near_misses: Vec<String>,
}

/// The integration an admin may change mappings of: the account's, not
/// deleted.
async fn mappable(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
) -> Result<(), MappingError> {
    if !actor.role.may_manage_integrations() {
        return Err(MappingError::Forbidden);
    }
    let found = store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(MappingError::NotFound)?;
    if found.status == Status::Deleted {
        return Err(MappingError::Deleted);
    }
    Ok(())
}

/// Maps `external_id` of `integration` to `employee`, noting the
/// employee's own id in that system when given (the same rules as an agent
/// id). Sending the same mapping again changes nothing but a newly given
/// system id; leaving the system id out keeps the one noted.
pub async fn set(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    external_id: &ExternalId,
    employee: EmployeeId,
    system_employee_id: Option<&ExternalId>,
) -> Result<SetMapping, MappingError> {
    mappable(store, actor, integration).await?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::AgentMapped,
        subject: external_id.as_str().to_owned(),
        integration: Some(integration),
    };
    let workforce = store.workforce();
    let (mapping, created) = match workforce
        .map_agent(
            actor.account_id,
            integration,
            external_id,
            employee,
            system_employee_id,
            &audit,
        )
        .await?
    {
        Mapped::Created(mapping) => (mapping, true),
        Mapped::Unchanged(mapping) | Mapped::Updated(mapping) => (mapping, false),
        Mapped::AgentTaken(_) => {
            return Err(MappingError::AgentTaken {
                external_id: external_id.as_str().to_owned(),
            })
        }
        Mapped::EmployeeTaken(other) => return Err(MappingError::EmployeeTaken(other)),
        Mapped::NoSuchEmployee => return Err(MappingError::NoSuchEmployee),
    };
    if created {
        workforce.announce(remapped(actor)).await;
    }
    let seen = workforce
        .agent_ids_folding_to(integration, &external_id.folded())
        .await?;
    Ok(SetMapping {
        mapping,
        created,
        near_misses: near_misses(external_id, seen),
    })
}

/// Removes the mapping of `external_id`; its statuses are kept and hidden.
/// Removing one that is not there changes nothing (`false`).
pub async fn remove(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    external_id: &ExternalId,
) -> Result<bool, MappingError> {
    mappable(store, actor, integration).await?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::AgentUnmapped,
        subject: external_id.as_str().to_owned(),
        integration: Some(integration),
    };
    let removed = store
        .workforce()
        .unmap_agent(actor.account_id, integration, external_id, &audit)
        .await?;
    if removed {
        store.workforce().announce(remapped(actor)).await;
    }
    Ok(removed)
}

/// What a board hears when who is who changed in the actor's account.
pub(super) fn remapped(actor: &Actor) -> super::intraday::Change {
    super::intraday::Change::Remapped {
        account: actor.account_id,
    }
}

/// Which unmapped agent ids are which employee by email address: an id
/// that reads as an email address (letter case aside, as addresses are) is
/// the employee with that address. An employee two ids would match is
/// matched to neither: which spelling the vendor uses is for a person to
/// say.
pub fn match_by_email(
    unmapped: &[String],
    employees: &[(EmployeeId, EmailAddress)],
) -> EmailMatches {
    let mut matched: Vec<(String, EmployeeId)> = Vec::new();
    let mut ambiguous: Vec<String> = Vec::new();
    for (employee, email) in employees {
        let ids: Vec<&String> = unmapped
            .iter()
            .filter(|id| EmailAddress::parse(id).is_ok_and(|address| &address == email))
            .collect();
        match ids.as_slice() {
            [only] => matched.push(((*only).clone(), *employee)),
            [] => {}
            several => ambiguous.extend(several.iter().map(|id| (*id).clone())),
        }
    }
    matched.sort();
    ambiguous.sort();
    EmailMatches { matched, ambiguous }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmailMatches {
    pub matched: Vec<(String, EmployeeId)>,
    /// Ids left unmapped because another id matches the same employee.
    pub ambiguous: Vec<String>,
}

/// How many mappings one auto-match saves at most, and how many agent ids
/// it looks at: what a request may cost is bounded, and the answer says
/// when to ask again.
pub const AUTO_MATCH_MAPPINGS: usize = 500;
pub const AUTO_MATCH_SCAN: u32 = 10_000;
const SCAN_PAGE: u32 = 500;

/// What an auto-match did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutoMatched {
    pub mapped: Vec<(String, EmployeeId)>,
    pub ambiguous: Vec<String>,
    /// Stopped at a bound: asking again may map more.
    pub more: bool,
}

/// Maps every unmapped agent id of the integration that is a current
/// employee's email address (see [`match_by_email`]), within the bounds.
pub async fn auto_match(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
) -> Result<AutoMatched, MappingError> {
    mappable(store, actor, integration).await?;
    let matched = match_within_bounds(store, actor, integration).await?;
    if !matched.mapped.is_empty() {
        store.workforce().announce(remapped(actor)).await;
    }
    Ok(matched)
}

async fn match_within_bounds(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
) -> Result<AutoMatched, MappingError> {
    let workforce = store.workforce();
    let mut result = AutoMatched::default();
    let mut after: Option<String> = None;
    let mut scanned = 0;
    loop {
        let ids = workforce
            .unmapped_agent_ids(integration, after.as_deref(), SCAN_PAGE)
            .await?;
        scanned += ids.len() as u32;
        let Some(last) = ids.last().cloned() else {
            break;
        };
        let mut emails: Vec<EmailAddress> = ids
            .iter()
            .filter_map(|id| EmailAddress::parse(id).ok())
            .collect();
        emails.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        emails.dedup();
        if !emails.is_empty() {
            let employees = workforce
                .unmapped_employees_by_email(actor.account_id, integration, &emails)
                .await?;
            let found = match_by_email(&ids, &employees);
            result.ambiguous.extend(found.ambiguous);
            for (id, employee) in found.matched {
                if result.mapped.len() == AUTO_MATCH_MAPPINGS {
                    result.more = true;
                    return Ok(result);
                }
                // Every stored id was held to these rules when it arrived.
                let Ok(external_id) = ExternalId::parse(&id) else {
                    continue;
                };
                let audit = AuditEntry {
                    actor: actor.user_id,
                    action: AuditAction::AgentMapped,
                    subject: id.clone(),
                    integration: Some(integration),
                };
                // Mapped by someone else meanwhile: theirs stands.
                if let Mapped::Created(_) = workforce
                    .map_agent(
                        actor.account_id,
                        integration,
                        &external_id,
                        employee,
                        None,
                        &audit,
                    )
                    .await?
                {
                    result.mapped.push((id, employee));
                }
            }
        }
        if ids.len() < SCAN_PAGE as usize {
            break;
        }
        if scanned >= AUTO_MATCH_SCAN {
            result.more = true;
            break;
        }
        after = Some(last);
    }
    Ok(result)
}

/// A page of an employee's entries for external systems (their mappings),
/// by integration name, each with its near misses, and the total. Any role
/// may read; an archived employee has none.
pub async fn external_systems(
    store: &dyn Store,
    actor: &Actor,
    employee: EmployeeId,
    page: PageRequest,
) -> Result<(Vec<ExternalSystem>, u64), MappingError> {
    let workforce = store.workforce();
    workforce
        .employee(actor.account_id, employee)
        .await?
        .ok_or(MappingError::NoSuchEmployee)?;
    let (entries, total) = workforce
        .employee_mappings(actor.account_id, employee, page)
        .await?;
    let mut systems = Vec::with_capacity(entries.len());
    for entry in entries {
        let near = match ExternalId::parse(&entry.mapping.external_id) {
            Ok(id) => near_misses(
                &id,
                workforce
                    .agent_ids_folding_to(entry.mapping.integration, &id.folded())
                    .await?,
            ),
            Err(_) => Vec::new(),
        };
        systems.push(ExternalSystem {
            entry,
            near_misses: near,
        });
    }
    Ok((systems, total))
}

/// A page of the agent ids an integration has sent, by id, with their
/// mappings, and how many there are. Any role may read.
pub async fn discovered_agents(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    page: PageRequest,
) -> Result<(Vec<DiscoveredAgent>, u64), MappingError> {
    store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(MappingError::NotFound)?;
    Ok(store
        .workforce()
        .discovered_agents(integration, page)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_id_is_kept_exactly_as_sent() {
        let id = ExternalId::parse(" Bob@Example.com").expect("valid");
        assert_eq!(id.as_str(), " Bob@Example.com");
        assert_eq!(ExternalId::parse("  "), Err(ExternalIdError::Blank));
        assert_eq!(
            ExternalId::parse("a\tb"),
            Err(ExternalIdError::ControlCharacter)
        );
        assert_eq!(
            ExternalId::parse(&"x".repeat(201)),
            Err(ExternalIdError::TooLong(200))
        );
        assert!(ExternalId::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn an_agent_id_that_is_an_employees_address_matches_once() {
        let email = |s: &str| EmailAddress::parse(s).expect("valid");
        let employees = [
            (EmployeeId(1), email("bob@example.com")),
            (EmployeeId(2), email("ann@example.com")),
            (EmployeeId(3), email("carl@example.com")),
        ];
        let unmapped = [
            "Bob@Example.com",
            "ann@example.com",
            "Ann@example.com",
            "carl",
            "dora@example.com",
        ]
        .map(String::from);
        assert_eq!(
            match_by_email(&unmapped, &employees),
            EmailMatches {
                matched: vec![("Bob@Example.com".into(), EmployeeId(1))],
                ambiguous: vec!["Ann@example.com".into(), "ann@example.com".into()],
            }
        );
    }

    #[test]
    fn a_near_miss_differs_only_in_case_or_surrounding_spaces() {
        let id = ExternalId::parse("bob@example.com").expect("valid");
        let seen = [
            "bob@example.com",
            "Bob@Example.com",
            " bob@example.com ",
            "bob@example.co",
            "bob@example .com",
            "Bob@Example.com",
        ]
        .map(String::from);
        assert_eq!(
            near_misses(&id, seen),
            vec![" bob@example.com ".to_owned(), "Bob@Example.com".to_owned()]
        );
    }
}
