//! The audit log: who did what, when.

use serde::{Deserialize, Serialize};

use crate::{integration::IntegrationId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    IntegrationCreated,
    IntegrationRenamed,
    IntegrationUpdated,
    IntegrationPaused,
    IntegrationResumed,
    IntegrationDeleted,
    ApiKeyGenerated,
    ApiKeyRevoked,
    TokenCreated,
    TokenRevoked,
    CloudLinkPaired,
    CloudLinkDisconnected,
    CsvSchemaSaved,
    DatabaseSettingsSaved,
    EmployeeCreated,
    AgentMapped,
    AgentUnmapped,
    ActivityCreated,
    ActivityUpdated,
    ActivityArchived,
    ActivityMapped,
    ActivityUnmapped,
    EmployeeUpdated,
    EmployeeArchived,
    WorkloadCreated,
    WorkloadRenamed,
    WorkloadArchived,
    WorkloadQueueAdded,
    WorkloadQueueRemoved,
    EmployeesImported,
}

impl AuditAction {
    pub const ALL: [AuditAction; 30] = [
        Self::IntegrationCreated,
        Self::IntegrationRenamed,
        Self::IntegrationUpdated,
        Self::IntegrationPaused,
        Self::IntegrationResumed,
        Self::IntegrationDeleted,
        Self::ApiKeyGenerated,
        Self::ApiKeyRevoked,
        Self::TokenCreated,
        Self::TokenRevoked,
        Self::CloudLinkPaired,
        Self::CloudLinkDisconnected,
        Self::CsvSchemaSaved,
        Self::DatabaseSettingsSaved,
        Self::EmployeeCreated,
        Self::AgentMapped,
        Self::AgentUnmapped,
        Self::ActivityCreated,
        Self::ActivityUpdated,
        Self::ActivityArchived,
        Self::ActivityMapped,
        Self::ActivityUnmapped,
        Self::EmployeeUpdated,
        Self::EmployeeArchived,
        Self::WorkloadCreated,
        Self::WorkloadRenamed,
        Self::WorkloadArchived,
        Self::WorkloadQueueAdded,
        Self::WorkloadQueueRemoved,
        Self::EmployeesImported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IntegrationCreated => "integration_created",
            Self::IntegrationRenamed => "integration_renamed",
            Self::IntegrationUpdated => "integration_updated",
            Self::IntegrationPaused => "integration_paused",
            Self::IntegrationResumed => "integration_resumed",
            Self::IntegrationDeleted => "integration_deleted",
            Self::ApiKeyGenerated => "api_key_generated",
            Self::ApiKeyRevoked => "api_key_revoked",
            Self::TokenCreated => "token_created",
            Self::TokenRevoked => "token_revoked",
            Self::CloudLinkPaired => "cloud_link_paired",
            Self::CloudLinkDisconnected => "cloud_link_disconnected",
            Self::CsvSchemaSaved => "csv_schema_saved",
            Self::DatabaseSettingsSaved => "database_settings_saved",
            Self::EmployeeCreated => "employee_created",
            Self::AgentMapped => "agent_mapped",
            Self::AgentUnmapped => "agent_unmapped",
            Self::ActivityCreated => "activity_created",
            Self::ActivityUpdated => "activity_updated",
            Self::ActivityArchived => "activity_archived",
            Self::ActivityMapped => "activity_mapped",
            Self::ActivityUnmapped => "activity_unmapped",
            Self::EmployeeUpdated => "employee_updated",
            Self::EmployeeArchived => "employee_archived",
            Self::WorkloadCreated => "workload_created",
            Self::WorkloadRenamed => "workload_renamed",
            Self::WorkloadArchived => "workload_archived",
            Self::WorkloadQueueAdded => "workload_queue_added",
            Self::WorkloadQueueRemoved => "workload_queue_removed",
            Self::EmployeesImported => "employees_imported",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == s)
    }
}

/// What a change writes to the log, in the same transaction as the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: UserId,
    pub action: AuditAction,
    /// What the action was about, as people read it (an integration's name).
    pub subject: String,
    pub integration: Option<IntegrationId>,
}

/// One line of the log as the audit page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub at: String,
    pub actor_email: String,
    pub action: AuditAction,
    pub subject: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_through_their_names() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("nothing"), None);
    }
}

/// One page of the log, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// 1-based.
    pub page: u32,
    pub pages: u32,
}

pub const PAGE_SIZE: u32 = 25;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("only admins may read the audit log")]
    Forbidden,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Page `page` (1-based; out-of-range pages are empty) of the actor's
/// account's log. Admins only.
pub async fn page(
    store: &dyn crate::store::Store,
    actor: &crate::actor::Actor,
    page: u32,
) -> Result<AuditPage, AuditError> {
    if !actor.role.may_manage_integrations() {
        return Err(AuditError::Forbidden);
    }
    let page = page.max(1);
    let (events, total) = store
        .audit_events(
            actor.account_id,
            (page - 1).saturating_mul(PAGE_SIZE),
            PAGE_SIZE,
        )
        .await?;
    let pages = u32::try_from(total.div_ceil(u64::from(PAGE_SIZE)))
        .unwrap_or(u32::MAX)
        .max(1);
    Ok(AuditPage {
        events,
        page,
        pages,
    })
}
