//! `domain::workforce::WorkforceStore` for both engines: employees, the
//! default activity and agent mappings.

use chrono::{DateTime, Utc};
use domain::{
    audit::AuditEntry,
    ingest::read::{Queue, QueueId},
    integration::{IntegrationId, Status},
    page::PageRequest,
    store::{BoxFuture, StoreError, WriteError},
    workforce::{
        activity::{
            Activity, ActivityChanges, ActivityId, Archived, Category, DiscoveredActivity,
            NewActivity,
        },
        employee::{CreateEmployeeError, Employee, EmployeeChanges, EmployeeId, NewEmployee},
        intraday::{Change, LatestStatus, MappedEmployee, ShownActivity},
        mapping::{AgentMapping, DiscoveredAgent, EmployeeMapping, ExternalId, Mapped},
        workload::{Workload, WorkloadId, WorkloadName},
        WorkforceStore,
    },
    AccountId, EmailAddress,
};

use super::{integrations::CorruptRow, on_pool, write_audit, Database};

/// Runs one statement and, if it changed a row, writes `audit` in the same
/// transaction; whether it changed one. The statement is written once and
/// typed for each engine.
macro_rules! change_with_audit {
    ($database:expr, $account:expr, $audit:expr, $statement:expr) => {{
        let now = Utc::now();
        let _turn = $database.write_turn().await;
        on_pool!($database, pool => async {
            let mut tx = pool.begin().await?;
            let changed = $statement.execute(&mut *tx).await?.rows_affected() > 0;
            if changed {
                write_audit!(tx, $account, $audit, now)?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(changed)
        }.await)
        .map_err(StoreError::new)
    }};
}

/// Every account has the default activity *Present* from its creation.
pub(super) const INSERT_DEFAULT_ACTIVITY: &str =
    "INSERT INTO activities (account_id, name, category, colour, is_default, created_at) \
     VALUES ($1, 'Present', 'work', '#16a34a', TRUE, $2)";

type EmployeeRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

const EMPLOYEE_COLUMNS: &str = "id, name, email, personnel_number, team, created_at, archived_at";

fn employee_of(row: EmployeeRow) -> Result<Employee, StoreError> {
    let (id, name, email, personnel_number, team, created_at, archived_at) = row;
    let email = email
        .map(|email| {
            EmailAddress::parse(&email)
                .map_err(|_| StoreError::new(CorruptRow(format!("employee email {email}"))))
        })
        .transpose()?;
    Ok(Employee {
        id: EmployeeId(id),
        name,
        email,
        personnel_number,
        team,
        created_at,
        archived: archived_at.is_some(),
    })
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

fn count(total: i64) -> u64 {
    u64::try_from(total).unwrap_or_default()
}

/// The current employees of an account (`$1`) that have a mapping, of team
/// `$2` if it is not null.
const MAPPED_EMPLOYEES: &str =
    "FROM employees e WHERE e.account_id = $1 AND e.archived_at IS NULL \
     AND (CAST($2 AS TEXT) IS NULL OR e.team = $2) \
     AND EXISTS (SELECT 1 FROM agent_mappings m WHERE m.employee_id = e.id)";

impl WorkforceStore for Database {
    fn create_employee<'a>(
        &'a self,
        account: AccountId,
        new: &'a NewEmployee,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Employee, CreateEmployeeError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            let row: EmployeeRow = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let row = sqlx::query_as(&format!(
                    "INSERT INTO employees (account_id, name, email, personnel_number, team, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING {EMPLOYEE_COLUMNS}"
                ))
                .bind(account.0)
                .bind(new.name.as_str())
                .bind(new.email.as_ref().map(EmailAddress::as_str))
                .bind(new.personnel_number.as_ref().map(|n| n.as_str()))
                .bind(new.team.as_ref().map(|t| t.as_str()))
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                write_audit!(tx, account, audit, now)?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(row)
            }.await)
            .map_err(|error| {
                if is_unique_violation(&error) {
                    CreateEmployeeError::EmailTaken
                } else {
                    CreateEmployeeError::Store(StoreError::new(error))
                }
            })?;
            Ok(employee_of(row)?)
        })
    }

    fn create_employees<'a>(
        &'a self,
        account: AccountId,
        new: &'a [NewEmployee],
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), CreateEmployeeError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                // A few hundred rows a statement keeps each one well within
                // both engines' limits on bound values.
                for chunk in new.chunks(500) {
                    let mut insert = sqlx::QueryBuilder::new(
                        "INSERT INTO employees (account_id, name, email, personnel_number, team, created_at) ",
                    );
                    insert.push_values(chunk, |mut row, employee| {
                        row.push_bind(account.0)
                            .push_bind(employee.name.as_str())
                            .push_bind(employee.email.as_ref().map(EmailAddress::as_str))
                            .push_bind(employee.personnel_number.as_ref().map(|n| n.as_str()))
                            .push_bind(employee.team.as_ref().map(|t| t.as_str()))
                            .push_bind(now);
                    });
                    insert.build().execute(&mut *tx).await?;
                }
                write_audit!(tx, account, audit, now)?;
                tx.commit().await
            }.await)
            .map_err(|error| {
                if is_unique_violation(&error) {
                    CreateEmployeeError::EmailTaken
                } else {
                    CreateEmployeeError::Store(StoreError::new(error))
                }
            })
        })
    }

    fn taken_emails<'a>(
        &'a self,
        account: AccountId,
        emails: &'a [EmailAddress],
    ) -> BoxFuture<'a, Result<Vec<EmailAddress>, StoreError>> {
        Box::pin(async move {
            let mut taken = Vec::new();
            for chunk in emails.chunks(500) {
                let rows: Vec<String> = on_pool!(self, pool => {
                    let mut select = sqlx::QueryBuilder::new(
                        "SELECT email FROM employees WHERE archived_at IS NULL AND account_id = ",
                    );
                    select.push_bind(account.0);
                    select.push(" AND email IN (");
                    let mut list = select.separated(", ");
                    for email in chunk {
                        list.push_bind(email.as_str());
                    }
                    select.push(")");
                    select.build_query_scalar().fetch_all(pool).await
                })
                .map_err(StoreError::new)?;
                taken.extend(
                    rows.iter()
                        .filter_map(|email| EmailAddress::parse(email).ok()),
                );
            }
            Ok(taken)
        })
    }

    fn employees(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Employee>, u64), StoreError>> {
        Box::pin(async move {
            let (rows, total): (Vec<EmployeeRow>, u64) = self
                .current_page("employees", EMPLOYEE_COLUMNS, "name, id", account, page)
                .await?;
            let employees = rows
                .into_iter()
                .map(employee_of)
                .collect::<Result<_, _>>()?;
            Ok((employees, total))
        })
    }

    fn update_employee<'a>(
        &'a self,
        account: AccountId,
        id: EmployeeId,
        changes: &'a EmployeeChanges,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Option<Employee>, CreateEmployeeError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            // A field not given keeps its value: `CASE WHEN $n` says which.
            let row: Option<EmployeeRow> = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let row = sqlx::query_as(&format!(
                    "UPDATE employees SET \
                     name = CASE WHEN $3 THEN $4 ELSE name END, \
                     email = CASE WHEN $5 THEN $6 ELSE email END, \
                     personnel_number = CASE WHEN $7 THEN $8 ELSE personnel_number END, \
                     team = CASE WHEN $9 THEN $10 ELSE team END \
                     WHERE id = $1 AND account_id = $2 AND archived_at IS NULL \
                     RETURNING {EMPLOYEE_COLUMNS}"
                ))
                .bind(id.0)
                .bind(account.0)
                .bind(changes.name.is_some())
                .bind(changes.name.as_ref().map(|n| n.as_str()))
                .bind(changes.email.is_some())
                .bind(changes.email.as_ref().and_then(|e| e.as_ref().map(EmailAddress::as_str)))
                .bind(changes.personnel_number.is_some())
                .bind(changes.personnel_number.as_ref().and_then(|n| n.as_ref().map(|n| n.as_str())))
                .bind(changes.team.is_some())
                .bind(changes.team.as_ref().and_then(|t| t.as_ref().map(|t| t.as_str())))
                .fetch_optional(&mut *tx)
                .await?;
                if row.is_some() {
                    write_audit!(tx, account, audit, now)?;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(row)
            }.await)
            .map_err(|error| {
                if is_unique_violation(&error) {
                    CreateEmployeeError::EmailTaken
                } else {
                    CreateEmployeeError::Store(StoreError::new(error))
                }
            })?;
            Ok(row.map(employee_of).transpose()?)
        })
    }

    fn archive_employee<'a>(
        &'a self,
        account: AccountId,
        id: EmployeeId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let archived = sqlx::query(
                    "UPDATE employees SET archived_at = $3 \
                     WHERE id = $1 AND account_id = $2 AND archived_at IS NULL",
                )
                .bind(id.0)
                .bind(account.0)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if archived {
                    sqlx::query("DELETE FROM agent_mappings WHERE employee_id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await?;
                    write_audit!(tx, account, audit, now)?;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(archived)
            }.await)
            .map_err(StoreError::new)
        })
    }

    fn unmapped_agent_ids<'a>(
        &'a self,
        integration: IntegrationId,
        after: Option<&'a str>,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
        Box::pin(async move {
            on_pool!(self, pool => {
                sqlx::query_scalar(
                    "SELECT d.external_id FROM discovered_ids d \
                     WHERE d.integration_id = $1 AND d.kind = 'agent' \
                     AND ($2 IS NULL OR d.external_id > $2) \
                     AND NOT EXISTS (SELECT 1 FROM agent_mappings m \
                         WHERE m.integration_id = d.integration_id AND m.external_id = d.external_id) \
                     ORDER BY d.external_id LIMIT $3",
                )
                .bind(integration.0)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
            })
            .map_err(StoreError::new)
        })
    }

    fn unmapped_employees_by_email<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        emails: &'a [EmailAddress],
    ) -> BoxFuture<'a, Result<Vec<(EmployeeId, EmailAddress)>, StoreError>> {
        Box::pin(async move {
            let rows: Vec<(i64, String)> = on_pool!(self, pool => {
                let mut select = sqlx::QueryBuilder::new(
                    "SELECT e.id, e.email FROM employees e WHERE e.account_id = ",
                );
                select.push_bind(account.0);
                select.push(
                    " AND e.archived_at IS NULL AND NOT EXISTS (SELECT 1 FROM agent_mappings m \
                     WHERE m.employee_id = e.id AND m.integration_id = ",
                );
                select.push_bind(integration.0);
                select.push(") AND e.email IN (");
                let mut list = select.separated(", ");
                for email in emails {
                    list.push_bind(email.as_str());
                }
                select.push(")");
                select.build_query_as().fetch_all(pool).await
            })
            .map_err(StoreError::new)?;
            rows.into_iter()
                .map(|(id, email)| {
                    EmailAddress::parse(&email)
                        .map(|email| (EmployeeId(id), email))
                        .map_err(|_| StoreError::new(CorruptRow(format!("employee email {email}"))))
                })
                .collect()
        })
    }

    fn employee(
        &self,
        account: AccountId,
        id: EmployeeId,
    ) -> BoxFuture<'_, Result<Option<Employee>, StoreError>> {
        Box::pin(async move {
            let row: Option<EmployeeRow> = on_pool!(self, pool => {
                sqlx::query_as(&format!(
                    "SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE id = $1 AND account_id = $2"
                ))
                .bind(id.0)
                .bind(account.0)
                .fetch_optional(pool)
                .await
            })
            .map_err(StoreError::new)?;
            row.map(employee_of).transpose()
        })
    }

    fn default_activity(&self, account: AccountId) -> BoxFuture<'_, Result<Activity, StoreError>> {
        Box::pin(async move {
            let row: ActivityRow = on_pool!(self, pool => {
                sqlx::query_as(&format!(
                    "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE account_id = $1 AND is_default"
                ))
                .bind(account.0)
                .fetch_one(pool)
                .await
            })
            .map_err(StoreError::new)?;
            activity_of(row)
        })
    }

    fn create_activity<'a>(
        &'a self,
        account: AccountId,
        new: &'a NewActivity,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Activity, StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            let row: ActivityRow = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let row = sqlx::query_as(&format!(
                    "INSERT INTO activities (account_id, name, category, colour, is_default, created_at) \
                     VALUES ($1, $2, $3, $4, FALSE, $5) RETURNING {ACTIVITY_COLUMNS}"
                ))
                .bind(account.0)
                .bind(new.name.as_str())
                .bind(new.category.as_str())
                .bind(new.colour.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                write_audit!(tx, account, audit, now)?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(row)
            }.await)
            .map_err(StoreError::new)?;
            activity_of(row)
        })
    }

    fn update_activity<'a>(
        &'a self,
        account: AccountId,
        id: ActivityId,
        changes: &'a ActivityChanges,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Option<Activity>, StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            // A field not given keeps its value: `CASE WHEN $n` says which.
            let row: Option<ActivityRow> = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let row = sqlx::query_as(&format!(
                    "UPDATE activities SET \
                     name = CASE WHEN $3 THEN $4 ELSE name END, \
                     category = CASE WHEN $5 THEN $6 ELSE category END, \
                     colour = CASE WHEN $7 THEN $8 ELSE colour END \
                     WHERE id = $1 AND account_id = $2 AND archived_at IS NULL \
                     RETURNING {ACTIVITY_COLUMNS}"
                ))
                .bind(id.0)
                .bind(account.0)
                .bind(changes.name.is_some())
                .bind(changes.name.as_ref().map(|n| n.as_str()))
                .bind(changes.category.is_some())
                .bind(changes.category.map(|c| c.as_str()))
                .bind(changes.colour.is_some())
                .bind(changes.colour.as_ref().map(|c| c.as_str()))
                .fetch_optional(&mut *tx)
                .await?;
                if row.is_some() {
                    write_audit!(tx, account, audit, now)?;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(row)
            }.await)
            .map_err(StoreError::new)?;
            row.map(activity_of).transpose()
        })
    }

    fn archive_activity<'a>(
        &'a self,
        account: AccountId,
        id: ActivityId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Archived, StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                // The activity's lock first: a mapping to it (which takes
                // the same lock, see `map_activity`) either committed
                // before, and is seen below, or waits and finds it gone.
                let locked: Option<bool> = sqlx::query_scalar(
                    "UPDATE activities SET archived_at = archived_at \
                     WHERE id = $1 AND account_id = $2 AND archived_at IS NULL RETURNING is_default",
                )
                .bind(id.0)
                .bind(account.0)
                .fetch_optional(&mut *tx)
                .await?;
                let outcome = match locked {
                    None => Archived::Missing,
                    Some(true) => Archived::Default,
                    Some(false) => {
                        let mapped: i64 = sqlx::query_scalar(
                            "SELECT COUNT(*) FROM activity_mappings WHERE activity_id = $1",
                        )
                        .bind(id.0)
                        .fetch_one(&mut *tx)
                        .await?;
                        if mapped > 0 {
                            Archived::InUse
                        } else {
                            sqlx::query("UPDATE activities SET archived_at = $2 WHERE id = $1")
                                .bind(id.0)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                            write_audit!(tx, account, audit, now)?;
                            Archived::Archived
                        }
                    }
                };
                tx.commit().await?;
                Ok::<_, sqlx::Error>(outcome)
            }.await)
            .map_err(StoreError::new)
        })
    }

    fn activities(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Activity>, u64), StoreError>> {
        Box::pin(async move {
            let (rows, total): (Vec<ActivityRow>, u64) = self
                .current_page(
                    "activities",
                    ACTIVITY_COLUMNS,
                    "is_default DESC, name, id",
                    account,
                    page,
                )
                .await?;
            let activities = rows
                .into_iter()
                .map(activity_of)
                .collect::<Result<_, _>>()?;
            Ok((activities, total))
        })
    }

    fn map_activity<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        expected: Status,
        external_id: &'a ExternalId,
        activity: ActivityId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, WriteError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                if !still(&mut tx, integration, expected).await? {
                    return Ok(Err(WriteError::Stale));
                }
                // Under the activity's lock, as an archive takes it.
                let current: Option<i64> = sqlx::query_scalar(
                    "UPDATE activities SET archived_at = archived_at \
                     WHERE id = $1 AND account_id = $2 AND archived_at IS NULL RETURNING id",
                )
                .bind(activity.0)
                .bind(account.0)
                .fetch_optional(&mut *tx)
                .await?;
                if current.is_none() {
                    return Ok(Ok(false));
                }
                sqlx::query(
                    "INSERT INTO activity_mappings (integration_id, external_id, activity_id, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (integration_id, external_id) \
                     DO UPDATE SET activity_id = excluded.activity_id, created_at = excluded.created_at",
                )
                .bind(integration.0)
                .bind(external_id.as_str())
                .bind(activity.0)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                write_audit!(tx, account, audit, now)?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(Ok(true))
            }.await)
            .map_err(|error| WriteError::Store(StoreError::new(error)))?
        })
    }

    fn unmap_activity<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        expected: Status,
        external_id: &'a ExternalId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, WriteError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                if !still(&mut tx, integration, expected).await? {
                    return Ok(Err(WriteError::Stale));
                }
                let removed = sqlx::query(
                    "DELETE FROM activity_mappings WHERE integration_id = $1 AND external_id = $2",
                )
                .bind(integration.0)
                .bind(external_id.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if removed {
                    write_audit!(tx, account, audit, now)?;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(Ok(removed))
            }.await)
            .map_err(|error| WriteError::Store(StoreError::new(error)))?
        })
    }

    fn discovered_activities(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<DiscoveredActivity>, u64), StoreError>> {
        Box::pin(async move {
            let (rows, total) = self
                .discovered(
                    integration,
                    "activity",
                    "activity_mappings",
                    "activity_id",
                    page,
                )
                .await?;
            let activities = rows
                .into_iter()
                .map(
                    |(external_id, first_seen, last_seen, count, activity)| DiscoveredActivity {
                        external_id,
                        first_seen,
                        last_seen,
                        count,
                        activity: activity.map(ActivityId),
                    },
                )
                .collect();
            Ok((activities, total))
        })
    }

    fn map_agent<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        external_id: &'a ExternalId,
        employee: EmployeeId,
        system_employee_id: Option<&'a ExternalId>,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Mapped, StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let system_id = system_employee_id.map(ExternalId::as_str);
            let _turn = self.write_turn().await;
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let current: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM employees WHERE id = $1 AND account_id = $2 AND archived_at IS NULL",
                )
                .bind(employee.0)
                .bind(account.0)
                .fetch_optional(&mut *tx)
                .await?;
                if current.is_none() {
                    return Ok::<_, sqlx::Error>(Mapped::NoSuchEmployee);
                }
                let mapping = |system_employee_id, created_at| AgentMapping {
                    integration,
                    external_id: external_id.as_str().to_owned(),
                    employee,
                    system_employee_id,
                    created_at,
                };
                // Either unique key may be taken: by this very mapping, or
                // by another employee's or another id's.
                let inserted: Option<DateTime<Utc>> = sqlx::query_scalar(
                    "INSERT INTO agent_mappings \
                     (integration_id, external_id, employee_id, system_employee_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING created_at",
                )
                .bind(integration.0)
                .bind(external_id.as_str())
                .bind(employee.0)
                .bind(system_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(created_at) = inserted {
                    write_audit!(tx, account, audit, now)?;
                    tx.commit().await?;
                    return Ok(Mapped::Created(mapping(system_id.map(str::to_owned), created_at)));
                }
                let of_id: Option<(i64, Option<String>, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT employee_id, system_employee_id, created_at FROM agent_mappings \
                     WHERE integration_id = $1 AND external_id = $2",
                )
                .bind(integration.0)
                .bind(external_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                match of_id {
                    Some((owner, noted, created_at)) if owner == employee.0 => {
                        match system_id {
                            Some(new) if noted.as_deref() != Some(new) => {
                                sqlx::query(
                                    "UPDATE agent_mappings SET system_employee_id = $3 \
                                     WHERE integration_id = $1 AND external_id = $2",
                                )
                                .bind(integration.0)
                                .bind(external_id.as_str())
                                .bind(new)
                                .execute(&mut *tx)
                                .await?;
                                write_audit!(tx, account, audit, now)?;
                                tx.commit().await?;
                                Ok(Mapped::Updated(mapping(Some(new.to_owned()), created_at)))
                            }
                            _ => Ok(Mapped::Unchanged(mapping(noted, created_at))),
                        }
                    }
                    Some((owner, _, _)) => Ok(Mapped::AgentTaken(EmployeeId(owner))),
                    None => {
                        let other: Option<String> = sqlx::query_scalar(
                            "SELECT external_id FROM agent_mappings \
                             WHERE integration_id = $1 AND employee_id = $2",
                        )
                        .bind(integration.0)
                        .bind(employee.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                        // Gone meanwhile: the next try will find it free.
                        Ok(Mapped::EmployeeTaken(other.unwrap_or_default()))
                    }
                }
            }.await)
            .map_err(StoreError::new)
        })
    }

    fn employee_mappings(
        &self,
        account: AccountId,
        employee: EmployeeId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<EmployeeMapping>, u64), StoreError>> {
        Box::pin(async move {
            // The account is checked through the integration: an employee
            // id of another account finds nothing.
            const OF_EMPLOYEE: &str =
                "FROM agent_mappings m JOIN integrations i ON i.id = m.integration_id \
                 WHERE m.employee_id = $1 AND i.account_id = $2";
            type Row = (i64, String, Option<String>, DateTime<Utc>, String, String);
            let (rows, total): (Vec<Row>, i64) = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let rows = sqlx::query_as(&format!(
                    "SELECT m.integration_id, m.external_id, m.system_employee_id, m.created_at, \
                     i.name, i.status {OF_EMPLOYEE} ORDER BY i.name, i.id LIMIT $3 OFFSET $4"
                ))
                .bind(employee.0)
                .bind(account.0)
                .bind(i64::from(page.limit))
                .bind(i64::from(page.offset))
                .fetch_all(&mut *tx)
                .await?;
                let total = sqlx::query_scalar(&format!("SELECT COUNT(*) {OF_EMPLOYEE}"))
                    .bind(employee.0)
                    .bind(account.0)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>((rows, total))
            }.await)
            .map_err(StoreError::new)?;
            let entries = rows
                .into_iter()
                .map(
                    |(integration, external_id, system_employee_id, created_at, name, status)| {
                        Ok(EmployeeMapping {
                            mapping: AgentMapping {
                                integration: IntegrationId(integration),
                                external_id,
                                employee,
                                system_employee_id,
                                created_at,
                            },
                            integration_name: name,
                            integration_status: Status::parse(&status).ok_or_else(|| {
                                StoreError::new(CorruptRow(format!("integration status {status}")))
                            })?,
                        })
                    },
                )
                .collect::<Result<_, StoreError>>()?;
            Ok((entries, count(total)))
        })
    }

    fn unmap_agent<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        external_id: &'a ExternalId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            change_with_audit!(
                self,
                account,
                audit,
                sqlx::query(
                    "DELETE FROM agent_mappings WHERE integration_id = $1 AND external_id = $2",
                )
                .bind(integration.0)
                .bind(external_id.as_str())
            )
        })
    }

    fn agent_ids_folding_to<'a>(
        &'a self,
        integration: IntegrationId,
        folded: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, StoreError>> {
        Box::pin(async move {
            // lower() is ASCII on SQLite and Unicode on PostgreSQL: applied
            // to both sides, it finds at least what the domain's ASCII fold
            // matches.
            on_pool!(self, pool => {
                sqlx::query_scalar(
                    "SELECT external_id FROM discovered_ids WHERE integration_id = $1 \
                     AND kind = 'agent' AND lower(trim(external_id)) = lower($2) \
                     UNION SELECT external_id FROM agent_mappings WHERE integration_id = $1 \
                     AND lower(trim(external_id)) = lower($2) LIMIT 50",
                )
                .bind(integration.0)
                .bind(folded)
                .fetch_all(pool)
                .await
            })
            .map_err(StoreError::new)
        })
    }

    fn discovered_agents(
        &self,
        integration: IntegrationId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<DiscoveredAgent>, u64), StoreError>> {
        Box::pin(async move {
            let (rows, total) = self
                .discovered(integration, "agent", "agent_mappings", "employee_id", page)
                .await?;
            let agents = rows
                .into_iter()
                .map(
                    |(external_id, first_seen, last_seen, count, employee)| DiscoveredAgent {
                        external_id,
                        first_seen,
                        last_seen,
                        count,
                        employee: employee.map(EmployeeId),
                    },
                )
                .collect();
            Ok((agents, total))
        })
    }

    fn mapped_employees<'a>(
        &'a self,
        account: AccountId,
        now: DateTime<Utc>,
        team: Option<&'a str>,
        page: PageRequest,
    ) -> BoxFuture<'a, Result<(Vec<MappedEmployee>, u64), StoreError>> {
        Box::pin(async move {
            let page_of =
                format!("SELECT e.id {MAPPED_EMPLOYEES} ORDER BY e.name, e.id LIMIT $3 OFFSET $4");
            let (people, statuses, total): (Vec<PersonRow>, Vec<StatusRow>, i64) =
                on_pool!(self, pool => async {
                    // One snapshot for the page, its statuses and the total.
                    let mut tx = pool.begin().await?;
                    let people = sqlx::query_as(&format!(
                        "SELECT e.id, e.name, e.team {MAPPED_EMPLOYEES} ORDER BY e.name, e.id LIMIT $3 OFFSET $4"
                    ))
                    .bind(account.0)
                    .bind(team)
                    .bind(i64::from(page.limit))
                    .bind(i64::from(page.offset))
                    .fetch_all(&mut *tx)
                    .await?;
                    let statuses = sqlx::query_as(&latest_statuses(&page_of, "$5"))
                    .bind(account.0)
                    .bind(team)
                    .bind(i64::from(page.limit))
                    .bind(i64::from(page.offset))
                    .bind(now)
                    .fetch_all(&mut *tx)
                    .await?;
                    let total = sqlx::query_scalar(&format!("SELECT COUNT(*) {MAPPED_EMPLOYEES}"))
                        .bind(account.0)
                        .bind(team)
                        .fetch_one(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok::<_, sqlx::Error>((people, statuses, total))
                }.await)
                .map_err(StoreError::new)?;
            let mapped = people
                .into_iter()
                .map(|(id, name, team)| MappedEmployee {
                    employee: EmployeeId(id),
                    name,
                    team,
                    latest: statuses
                        .iter()
                        .filter(|(employee, ..)| *employee == id)
                        .map(|row| latest_of(id, row))
                        .collect(),
                })
                .collect();
            Ok((mapped, count(total)))
        })
    }

    fn teams(&self, account: AccountId) -> BoxFuture<'_, Result<Vec<String>, StoreError>> {
        Box::pin(async move {
            on_pool!(self, pool => {
                sqlx::query_scalar(
                    "SELECT DISTINCT team FROM employees \
                     WHERE account_id = $1 AND archived_at IS NULL AND team IS NOT NULL \
                     ORDER BY team LIMIT $2",
                )
                .bind(account.0)
                .bind(i64::from(PageRequest::MAX_LIMIT))
                .fetch_all(pool)
                .await
            })
            .map_err(StoreError::new)
        })
    }

    fn announce(&self, change: Change) -> BoxFuture<'_, ()> {
        Box::pin(self.tell_boards(change))
    }

    fn mapped_employees_of_agents<'a>(
        &'a self,
        account: AccountId,
        integration: IntegrationId,
        agents: &'a [String],
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Vec<MappedEmployee>, StoreError>> {
        Box::pin(async move {
            let mut mapped = Vec::new();
            for chunk in agents.chunks(AGENTS_PER_LOOKUP) {
                let ids = (0..chunk.len())
                    .map(|n| format!("${}", n + 4))
                    .collect::<Vec<_>>()
                    .join(", ");
                let employees = format!(
                    "SELECT e.id FROM employees e JOIN agent_mappings x ON x.employee_id = e.id \
                     WHERE e.account_id = $1 AND e.archived_at IS NULL \
                     AND x.integration_id = $2 AND x.external_id IN ({ids})"
                );
                let people_sql = format!(
                    "SELECT e.id, e.name, e.team FROM employees e WHERE e.id IN ({employees}) ORDER BY e.name, e.id"
                );
                let statuses_sql = latest_statuses(&employees, "$3");
                let (people, statuses): (Vec<PersonRow>, Vec<StatusRow>) =
                    on_pool!(self, pool => async {
                        let mut tx = pool.begin().await?;
                        let mut people = sqlx::query_as(&people_sql)
                            .bind(account.0)
                            .bind(integration.0)
                            .bind(now);
                        let mut statuses = sqlx::query_as(&statuses_sql)
                            .bind(account.0)
                            .bind(integration.0)
                            .bind(now);
                        for agent in chunk {
                            people = people.bind(agent);
                            statuses = statuses.bind(agent);
                        }
                        let people = people.fetch_all(&mut *tx).await?;
                        let statuses = statuses.fetch_all(&mut *tx).await?;
                        tx.commit().await?;
                        Ok::<_, sqlx::Error>((people, statuses))
                    }.await)
                    .map_err(StoreError::new)?;
                mapped.extend(people.into_iter().map(|(id, name, team)| {
                    MappedEmployee {
                        employee: EmployeeId(id),
                        name,
                        team,
                        latest: statuses
                            .iter()
                            .filter(|(employee, ..)| *employee == id)
                            .map(|row| latest_of(id, row))
                            .collect(),
                    }
                }));
            }
            Ok(mapped)
        })
    }

    fn create_workload<'a>(
        &'a self,
        account: AccountId,
        name: &'a WorkloadName,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Workload, StoreError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            let id: i64 = on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let id = sqlx::query_scalar(
                    "INSERT INTO workloads (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
                )
                .bind(account.0)
                .bind(name.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                write_audit!(tx, account, audit, now)?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(id)
            }.await)
            .map_err(StoreError::new)?;
            Ok(Workload {
                id: WorkloadId(id),
                name: name.as_str().to_owned(),
                created_at: now,
                queues: Vec::new(),
            })
        })
    }

    fn workload(
        &self,
        account: AccountId,
        id: WorkloadId,
    ) -> BoxFuture<'_, Result<Option<Workload>, StoreError>> {
        Box::pin(async move {
            let found = self
                .workload_page(
                    account,
                    Some(id),
                    PageRequest {
                        offset: 0,
                        limit: 1,
                    },
                )
                .await?;
            Ok(found.0.into_iter().next())
        })
    }

    fn workloads(
        &self,
        account: AccountId,
        page: PageRequest,
    ) -> BoxFuture<'_, Result<(Vec<Workload>, u64), StoreError>> {
        Box::pin(async move { self.workload_page(account, None, page).await })
    }

    fn rename_workload<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        name: &'a WorkloadName,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Option<Workload>, StoreError>> {
        Box::pin(async move {
            let renamed = change_with_audit!(
                self,
                account,
                audit,
                sqlx::query(
                    "UPDATE workloads SET name = $3 \
                     WHERE id = $1 AND account_id = $2 AND archived_at IS NULL",
                )
                .bind(id.0)
                .bind(account.0)
                .bind(name.as_str())
            )?;
            if renamed {
                self.workload(account, id).await
            } else {
                Ok(None)
            }
        })
    }

    fn archive_workload<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            change_with_audit!(
                self,
                account,
                audit,
                sqlx::query(
                    "UPDATE workloads SET archived_at = $3 \
                     WHERE id = $1 AND account_id = $2 AND archived_at IS NULL",
                )
                .bind(id.0)
                .bind(account.0)
                .bind(Utc::now())
            )
        })
    }

    fn add_workload_queue<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        queue: &'a Queue,
        expected: Status,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), WriteError>> {
        Box::pin(async move {
            let now = Utc::now();
            let _turn = self.write_turn().await;
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                if !still(&mut tx, queue.integration, expected).await? {
                    return Ok(Err(WriteError::Stale));
                }
                let added = sqlx::query(
                    "INSERT INTO workload_queues (workload_id, queue_id) \
                     SELECT w.id, $3 FROM workloads w \
                     WHERE w.id = $1 AND w.account_id = $2 AND w.archived_at IS NULL \
                     ON CONFLICT DO NOTHING",
                )
                .bind(id.0)
                .bind(account.0)
                .bind(queue.id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if added {
                    write_audit!(tx, account, audit, now)?;
                }
                tx.commit().await?;
                Ok::<_, sqlx::Error>(Ok(()))
            }.await)
            .map_err(|error| WriteError::Store(StoreError::new(error)))?
        })
    }

    fn remove_workload_queue<'a>(
        &'a self,
        account: AccountId,
        id: WorkloadId,
        queue: QueueId,
        audit: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            change_with_audit!(
                self,
                account,
                audit,
                sqlx::query(
                    "DELETE FROM workload_queues WHERE queue_id = $2 AND workload_id = \
                     (SELECT id FROM workloads WHERE id = $1 AND account_id = $3)",
                )
                .bind(id.0)
                .bind(queue.0)
                .bind(account.0)
            )
            .map(|_| ())
        })
    }
}

type ActivityRow = (i64, String, String, String, bool);

const ACTIVITY_COLUMNS: &str = "id, name, category, colour, is_default";

fn activity_of(row: ActivityRow) -> Result<Activity, StoreError> {
    let (id, name, category, colour, is_default) = row;
    let category = Category::parse(&category)
        .map_err(|_| StoreError::new(CorruptRow(format!("activity category {category}"))))?;
    Ok(Activity {
        id: ActivityId(id),
        name,
        category,
        colour,
        is_default,
    })
}

/// Whether the integration is still in the status a change was judged in.
async fn still<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    integration: IntegrationId,
    expected: Status,
) -> Result<bool, sqlx::Error>
where
    DB: sqlx::Database,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
    i64: for<'r> sqlx::Decode<'r, DB>,
    (i64,): for<'r> sqlx::FromRow<'r, <DB as sqlx::Database>::Row>,
{
    // The integration's row is written, so PostgreSQL holds it until the
    // change commits: a resume waits for the remap, or the remap sees it.
    let kept: Option<(i64,)> = sqlx::query_as(
        "UPDATE integrations SET status = status WHERE id = $1 AND status = $2 RETURNING id",
    )
    .bind(integration.0)
    .bind(expected.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(kept.is_some())
}

type DiscoveredRow = (String, DateTime<Utc>, DateTime<Utc>, i64, Option<i64>);

impl Database {
    /// A page of the account's current (not archived) rows of `table`, in
    /// `order`, and how many there are.
    async fn current_page<R>(
        &self,
        table: &str,
        columns: &str,
        order: &str,
        account: AccountId,
        page: PageRequest,
    ) -> Result<(Vec<R>, u64), StoreError>
    where
        R: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let current = format!("FROM {table} WHERE account_id = $1 AND archived_at IS NULL");
        let (rows, total): (Vec<R>, i64) = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query_as(&format!(
                "SELECT {columns} {current} ORDER BY {order} LIMIT $2 OFFSET $3"
            ))
            .bind(account.0)
            .bind(i64::from(page.limit))
            .bind(i64::from(page.offset))
            .fetch_all(&mut *tx)
            .await?;
            let total = sqlx::query_scalar(&format!("SELECT COUNT(*) {current}"))
                .bind(account.0)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>((rows, total))
        }.await)
        .map_err(StoreError::new)?;
        Ok((rows, count(total)))
    }

    /// A page of the ids of `kind` the integration has sent, by id, each
    /// with the id it is mapped to in `mappings.mapped`, and the total.
    async fn discovered(
        &self,
        integration: IntegrationId,
        kind: &'static str,
        mappings: &'static str,
        mapped: &'static str,
        page: PageRequest,
    ) -> Result<(Vec<DiscoveredRow>, u64), StoreError> {
        let (rows, total): (Vec<DiscoveredRow>, i64) = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let rows = sqlx::query_as(&format!(
                "SELECT d.external_id, d.first_seen_at, d.last_seen_at, d.seen_count, m.{mapped} \
                 FROM discovered_ids d LEFT JOIN {mappings} m \
                 ON m.integration_id = d.integration_id AND m.external_id = d.external_id \
                 WHERE d.integration_id = $1 AND d.kind = $2 \
                 ORDER BY d.external_id LIMIT $3 OFFSET $4"
            ))
            .bind(integration.0)
            .bind(kind)
            .bind(i64::from(page.limit))
            .bind(i64::from(page.offset))
            .fetch_all(&mut *tx)
            .await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM discovered_ids WHERE integration_id = $1 AND kind = $2",
            )
            .bind(integration.0)
            .bind(kind)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>((rows, total))
        }.await)
        .map_err(StoreError::new)?;
        Ok((rows, count(total)))
    }
}

impl Database {
    /// A page of the account's current workloads (only `only`, if given),
    /// by name, with their queues, and the total.
    async fn workload_page(
        &self,
        account: AccountId,
        only: Option<WorkloadId>,
        page: PageRequest,
    ) -> Result<(Vec<Workload>, u64), StoreError> {
        const CURRENT: &str = "FROM workloads w WHERE w.account_id = $1 AND w.archived_at IS NULL \
             AND (CAST($2 AS BIGINT) IS NULL OR w.id = $2)";
        let only = only.map(|id| id.0);
        type WorkloadRow = (i64, String, DateTime<Utc>);
        let (rows, queues, total): (Vec<WorkloadRow>, Vec<(i64, i64)>, i64) =
            on_pool!(self, pool => async {
                let mut tx = pool.begin().await?;
                let page_of = format!("{CURRENT} ORDER BY w.name, w.id LIMIT $3 OFFSET $4");
                let rows = sqlx::query_as(&format!("SELECT w.id, w.name, w.created_at {page_of}"))
                    .bind(account.0)
                    .bind(only)
                    .bind(i64::from(page.limit))
                    .bind(i64::from(page.offset))
                    .fetch_all(&mut *tx)
                    .await?;
                let queues = sqlx::query_as(&format!(
                    "SELECT wq.workload_id, wq.queue_id FROM workload_queues wq \
                     WHERE wq.workload_id IN (SELECT w.id {page_of}) ORDER BY wq.queue_id"
                ))
                .bind(account.0)
                .bind(only)
                .bind(i64::from(page.limit))
                .bind(i64::from(page.offset))
                .fetch_all(&mut *tx)
                .await?;
                let total = sqlx::query_scalar(&format!("SELECT COUNT(*) {CURRENT}"))
                    .bind(account.0)
                    .bind(only)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>((rows, queues, total))
            }.await)
            .map_err(StoreError::new)?;
        let workloads = rows
            .into_iter()
            .map(|(id, name, created_at)| Workload {
                id: WorkloadId(id),
                name,
                created_at,
                queues: queues
                    .iter()
                    .filter(|(workload, _)| *workload == id)
                    .map(|(_, queue)| QueueId(*queue))
                    .collect(),
            })
            .collect();
        Ok((workloads, count(total)))
    }
}

/// An agent id's newest status with its integration and mapped activity.
/// The newest status that started by the parameter `now` of every agent
/// id mapped to the employees the query `employees` selects.
fn latest_statuses(employees: &str, now: &str) -> String {
    format!(
        "SELECT m.employee_id, m.integration_id, i.name, s.activity_identifier, s.start_time, \
         s.end_time, a.id, a.name, a.colour \
         FROM agent_mappings m JOIN integrations i ON i.id = m.integration_id \
         JOIN agent_statuses s \
         ON s.integration_id = m.integration_id AND s.agent_identifier = m.external_id \
         LEFT JOIN activity_mappings am \
         ON am.integration_id = s.integration_id AND am.external_id = s.activity_identifier \
         LEFT JOIN activities a ON a.id = am.activity_id \
         WHERE m.employee_id IN ({employees}) AND s.start_time = (\
             SELECT MAX(l.start_time) FROM agent_statuses l \
             WHERE l.integration_id = m.integration_id \
             AND l.agent_identifier = m.external_id AND l.start_time <= {now})"
    )
}

/// Agent ids looked up in one statement.
const AGENTS_PER_LOOKUP: usize = 500;

/// A mapped employee: id, name and team.
type PersonRow = (i64, String, Option<String>);

type StatusRow = (
    i64,
    i64,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn latest_of(employee: i64, row: &StatusRow) -> LatestStatus {
    let (_, integration, integration_name, activity, start, end, mapped, name, colour) = row;
    LatestStatus {
        employee: EmployeeId(employee),
        integration: IntegrationId(*integration),
        integration_name: integration_name.clone(),
        external_activity: activity.clone(),
        mapped_activity: match (mapped, name, colour) {
            (Some(id), Some(name), Some(colour)) => Some(ShownActivity {
                id: ActivityId(*id),
                name: name.clone(),
                colour: colour.clone(),
            }),
            _ => None,
        },
        start: *start,
        end: *end,
    }
}
