//! The workforce part of the persistence port, reached with
//! [`Store::workforce`](crate::store::Store::workforce) so the main trait
//! stays small.

use chrono::{DateTime, Utc};

use super::{
    activity::{Activity, ActivityId, DiscoveredActivity, NewActivity},
    employee::{CreateEmployeeError, Employee, EmployeeChanges, EmployeeId, NewEmployee},
    intraday::MappedEmployee,
    mapping::{DiscoveredAgent, EmployeeMapping, ExternalId, Mapped},
    workload::{Workload, WorkloadId, WorkloadName},
};
use crate::{
    audit::AuditEntry,
    ingest::read::{Queue, QueueId},
    integration::{IntegrationId, Status},
    page::PageRequest,
    store::{BoxFuture, StoreError, WriteError},
    AccountId, EmailAddress,
};

pub trait WorkforceStore: Send + Sync {
    /// Creates an employee, unless a current one of the account has the
    /// same email address (also when two requests race).
    fn create_employee<'a>(
        &'a self,
        account: AccountId,
        new: &'a NewEmployee,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Employee, CreateEmployeeError>>;

    /// Creates all the employees, in one transaction with one audit entry,
    /// or none (`EmailTaken` if a current employee has one of their
    /// addresses).
    fn create_employees<'a>(
        &'a self,
        account: AccountId,
        new: &'a [NewEmployee],
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), CreateEmployeeError>>;

    /// Which of `emails` a current employee of the account has.
    fn taken_emails<'a>(
        &'a self,
        account: AccountId,
        emails: &'a [EmailAddress],
    ) -> BoxFuture<'a, Result<Vec<EmailAddress>, StoreError>>;

    /// A page of the account's current employees, by name, and the total.
    fn employees(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Employee>, u64), StoreError>>;

    /// Applies the changes to a current employee; `None` if there is none.
    fn update_employee<'a>(
        &'a self,
        account: AccountId,
        id: EmployeeId,
        changes: &'a EmployeeChanges,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Option<Employee>, CreateEmployeeError>>;

    /// Archives a current employee and removes their agent mappings, in
    /// one transaction; false if there is no such current employee.
    fn archive_employee<'a>(
        &'a self,
        account: AccountId,
        id: EmployeeId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Up to `limit` agent ids of the integration without a mapping, by id,
    /// after `after`.
    fn unmapped_agent_ids<'a>(
        &'a self,
        integration: IntegrationId,
        after: Option<&'a str>,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<String>, StoreError>>;

    /// The account's current employees with one of `emails` and no agent
    /// mapping in the integration.
    fn unmapped_employees_by_email<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        emails: &'a [EmailAddress],
    ) -> BoxFuture<'a, Result<Vec<(EmployeeId, EmailAddress)>, StoreError>>;

    fn employee(
        &self,
        account: AccountId,
        id: EmployeeId,
    ) -> BoxFuture<'_, Result<Option<Employee>, StoreError>>;

    /// The account's default activity (*Present*).
    fn default_activity(&self, account: AccountId) -> BoxFuture<'_, Result<Activity, StoreError>>;

    fn create_activity<'a>(
        &'a self,
        account: AccountId,
        new: &'a NewActivity,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Activity, StoreError>>;

    /// A page of the account's current activities, the default first,
    /// then by name, and the total.
    fn activities(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Activity>, u64), StoreError>>;

    /// Maps (or maps anew) an external activity id of the integration to an
    /// activity of the account, if the integration is still `expected`;
    /// `Stale` if not, false if there is no such current activity.
    /// Sets the fields given; `None` when there is no such current
    /// activity in the account.
    fn update_activity<'a>(
        &'a self,
        account: AccountId,
        id: ActivityId,
        changes: &'a super::activity::ActivityChanges,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Option<Activity>, StoreError>>;

    /// Archives a current activity of the account unless it is the
    /// default or external activities are mapped to it, judged under the
    /// activity's lock so a concurrent mapping to it cannot slip in.
    fn archive_activity<'a>(
        &'a self,
        account: AccountId,
        id: ActivityId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<super::activity::Archived, StoreError>>;

    fn map_activity<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        expected: Status,
        external_id: &'a ExternalId,
        activity: ActivityId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, WriteError>>;

    /// Removes an external activity's mapping if the integration is still
    /// `expected`; false if there was none.
    fn unmap_activity<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        expected: Status,
        external_id: &'a ExternalId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, WriteError>>;

    /// A page of the activity ids the integration has sent, by id, with
    /// their mappings, and the total.
    fn discovered_activities(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<DiscoveredActivity>, u64), StoreError>>;

    /// Maps an agent id of an integration of the account to a current
    /// employee of the account, in one transaction with its audit entry;
    /// the unique constraints decide a race. A given system employee id is
    /// saved with it, or on the mapping that is there (`Updated`).
    fn map_agent<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        external_id: &'a ExternalId,
        employee: EmployeeId,
        system_employee_id: Option<&'a ExternalId>,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Mapped, StoreError>>;

    /// A page of the employee's mappings in the account's integrations, by
    /// integration name, and the total.
    fn employee_mappings(
        &self,
        account: AccountId,
        employee: EmployeeId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<EmployeeMapping>, u64), StoreError>>;

    /// Removes a mapping; false if there was none.
    fn unmap_agent<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        external_id: &'a ExternalId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// The agent ids the integration sent or has mapped whose folded form
    /// ([`ExternalId::folded`]) may be `folded`: a superset that
    /// `mapping::near_misses` narrows.
    fn agent_ids_folding_to<'a>(
        &'a self,
        integration: IntegrationId,
        folded: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, StoreError>>;

    /// A page of the agent ids the integration has sent, by id, with their
    /// mappings, and the total.
    fn discovered_agents(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<DiscoveredAgent>, u64), StoreError>>;

    /// A page of the account's current employees that are mapped (of
    /// `team` only, if given), by name, each with the newest status that
    /// started by `now` of each of their agent ids; and how many such
    /// employees there are.
    fn mapped_employees<'a>(
        &'a self,
        account: AccountId,
        now: DateTime<Utc>,
        team: Option<&'a str>,
        page: PageRequest,
    ) -> BoxFuture<'a, Result<(Vec<MappedEmployee>, u64), StoreError>>;

    /// The teams of the account's current employees, by name (at most
    /// `PageRequest::MAX_LIMIT`).
    fn teams(&self, account: AccountId) -> BoxFuture<'_, Result<Vec<String>, StoreError>>;

    /// The account's current employees mapped to any of `agents` in
    /// `integration`, each with the newest status that started by `now`
    /// of each of their agent ids (in every integration).
    fn mapped_employees_of_agents<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        agents: &'a [String],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Vec<MappedEmployee>, StoreError>>;

    /// Tells the boards of every server process about a committed change
    /// (`intraday::Change`). Best effort: boards catch up at their next
    /// reading.
    fn announce(&self, change: super::intraday::Change) -> BoxFuture<'_, ()>;

    fn create_workload<'a>(
        &'a self,
        account: AccountId,
        name: &'a WorkloadName,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Workload, StoreError>>;

    /// A current workload of the account, with its queues.
    fn workload(
        &self,
        account: AccountId,
        id: WorkloadId,
    ) -> BoxFuture<'_, Result<Option<Workload>, StoreError>>;

    /// A page of the account's current workloads, by name, with their
    /// queues, and the total.
    fn workloads(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Workload>, u64), StoreError>>;

    fn rename_workload<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        name: &'a WorkloadName,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Option<Workload>, StoreError>>;

    /// False if there is no such current workload.
    fn archive_workload<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Adds the queue if its integration is still `expected` (`Stale` if
    /// not); nothing if it is there already.
    fn add_workload_queue<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        queue: &'a Queue,
        expected: Status,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), WriteError>>;

    fn remove_workload_queue<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        queue: QueueId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}
