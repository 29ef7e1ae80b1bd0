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

/// A saved mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentMapping {
    pub integration: IntegrationId,
    pub external_id: String,
    pub employee: EmployeeId,
    pub created_at: DateTime<Utc>,
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
    #[error("the agent id {0:?} is not mapped")]
    NotMapped(String),
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

/// Maps `external_id` of `integration` to `employee`. Sending the same
/// mapping again changes nothing.
pub async fn set(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    external_id: &ExternalId,
    employee: EmployeeId,
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
        .map_agent(actor.account_id, integration, external_id, employee, &audit)
        .await?
    {
        Mapped::Created(mapping) => (mapping, true),
        Mapped::Unchanged(mapping) => (mapping, false),
        Mapped::AgentTaken(_) => {
            return Err(MappingError::AgentTaken {
                external_id: external_id.as_str().to_owned(),
            })
        }
        Mapped::EmployeeTaken(other) => return Err(MappingError::EmployeeTaken(other)),
        Mapped::NoSuchEmployee => return Err(MappingError::NoSuchEmployee),
    };
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
pub async fn remove(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    external_id: &ExternalId,
) -> Result<(), MappingError> {
    mappable(store, actor, integration).await?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::AgentUnmapped,
        subject: external_id.as_str().to_owned(),
        integration: Some(integration),
    };
    if store
        .workforce()
        .unmap_agent(actor.account_id, integration, external_id, &audit)
        .await?
    {
        Ok(())
    } else {
        Err(MappingError::NotMapped(external_id.as_str().to_owned()))
    }
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
