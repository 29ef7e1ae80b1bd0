//! Server functions for what arrived: queues, a queue's interval
//! statistics, and an integration's import history. Any role may read.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A queue as the pages show it; times as RFC 3339 text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub id: i64,
    pub integration_id: i64,
    pub integration_name: String,
    pub identifier: String,
    pub name: String,
    pub channel: String,
    pub first_data_at: String,
    pub last_data_at: String,
}

/// One interval of a queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalView {
    /// `YYYY-MM-DD HH:MM` in UTC.
    pub start: String,
    pub offered: i64,
    pub handled: i64,
    pub abandoned: i64,
    /// Seconds, when anything was handled.
    pub average_handle_time: Option<f64>,
}

/// A queue's statistics over whole UTC days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueStats {
    pub queue: QueueView,
    pub interval_minutes: u32,
    /// The first day shown, `YYYY-MM-DD`.
    pub from: String,
    pub days: u32,
    /// Every interval of the range, zeros included, in time order.
    pub intervals: Vec<IntervalView>,
}

/// A file a Cloud Link client uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedFileView {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// `received` or `duplicate`.
    pub outcome: String,
    pub received_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedFilePage {
    pub files: Vec<ReceivedFileView>,
    pub page: u32,
    pub pages: u32,
}

/// One row of the import history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub feed: String,
    pub outcome: String,
    pub received_at: String,
    pub items: i64,
    pub new_queues: i64,
    pub error_count: i64,
    pub error_summary: Option<String>,
    /// The CSV file it was read from.
    pub file_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPage {
    pub imports: Vec<ImportView>,
    pub page: u32,
    pub pages: u32,
}

/// One page of the account's queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub queues: Vec<QueueView>,
    pub page: u32,
    pub pages: u32,
    pub total: u64,
}

/// Queues shown per page of the list.
#[cfg(feature = "ssr")]
const QUEUES_PER_PAGE: u32 = 50;

/// Pages needed for `total` items, at least one.
#[cfg(feature = "ssr")]
fn page_count(total: u64, per_page: u32) -> u32 {
    u32::try_from(total.div_ceil(u64::from(per_page.max(1))))
        .unwrap_or(u32::MAX)
        .max(1)
}

/// Day ranges the queue page offers.
pub const DAY_CHOICES: [u32; 4] = [1, 7, 14, 31];

#[cfg(feature = "ssr")]
mod server {
    use chrono::{DateTime, SecondsFormat, Utc};
    use domain::ingest::read::Queue;

    use super::QueueView;

    /// Intervals as the chart and its table show them.
    pub fn interval_views(series: domain::ingest::IntervalSeries) -> Vec<super::IntervalView> {
        series
            .into_iter()
            .map(|(start, totals)| super::IntervalView {
                start: start.format("%Y-%m-%d %H:%M").to_string(),
                offered: totals.offered,
                handled: totals.handled,
                abandoned: totals.abandoned,
                average_handle_time: totals.average_handle_time(),
            })
            .collect()
    }

    pub fn employee_view(employee: domain::workforce::Employee) -> super::EmployeeView {
        super::EmployeeView {
            id: employee.id.0,
            name: employee.name,
            email: employee.email.map(|email| email.as_str().to_owned()),
            personnel_number: employee.personnel_number,
            team: employee.team,
        }
    }

    pub fn time(at: DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    pub fn queue_view(queue: Queue) -> QueueView {
        QueueView {
            id: queue.id.0,
            integration_id: queue.integration.0,
            integration_name: queue.integration_name,
            identifier: queue.identifier,
            name: queue.name,
            channel: queue.channel.as_str().to_owned(),
            first_data_at: time(queue.first_data_at),
            last_data_at: time(queue.last_data_at),
        }
    }
}

#[server(prefix = "/_fn", endpoint = "queues/list")]
pub async fn list_queues(page: u32) -> Result<QueuePage, AppError> {
    use domain::page::PageRequest;
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let page = page.max(1);
    let request = PageRequest::numbered(page, QUEUES_PER_PAGE);
    let (queues, total) = domain::ingest::read::queues(store.as_ref(), &actor, request).await?;
    Ok(QueuePage {
        queues: queues.into_iter().map(server::queue_view).collect(),
        page,
        pages: page_count(total, QUEUES_PER_PAGE),
        total,
    })
}

/// `from` is a day (`YYYY-MM-DD`, UTC); empty means the queue's last day
/// with data.
#[server(prefix = "/_fn", endpoint = "queues/statistics")]
pub async fn queue_statistics(id: i64, from: String, days: u32) -> Result<QueueStats, AppError> {
    use chrono::NaiveDate;
    use domain::ingest::read::{self, QueueId};

    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let first_day = match from.trim() {
        "" => None,
        day => Some(
            NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| AppError::Invalid {
                field: "from".into(),
                code: "date".into(),
            })?,
        ),
    };
    let days = if DAY_CHOICES.contains(&days) { days } else { 1 };
    let found = read::days(store.as_ref(), &actor, QueueId(id), first_day, days).await?;
    Ok(QueueStats {
        queue: server::queue_view(found.queue),
        interval_minutes: found.interval_minutes,
        from: found.first_day.format("%Y-%m-%d").to_string(),
        days: found.days,
        intervals: server::interval_views(found.intervals),
    })
}

/// Imports shown per page of the history.
#[cfg(feature = "ssr")]
const IMPORTS_PER_PAGE: u32 = 20;

#[server(prefix = "/_fn", endpoint = "integrations/imports")]
pub async fn import_history(id: i64, page: u32) -> Result<ImportPage, AppError> {
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let page = page.max(1);
    let (imports, total) = domain::ingest::read::imports(
        store.as_ref(),
        &actor,
        domain::integration::IntegrationId(id),
        domain::page::PageRequest::numbered(page, IMPORTS_PER_PAGE),
    )
    .await?;
    let pages = page_count(total, IMPORTS_PER_PAGE);
    Ok(ImportPage {
        imports: imports
            .into_iter()
            .map(|import| ImportView {
                id: import.id,
                feed: import.feed.as_str().to_owned(),
                outcome: import.outcome.as_str().to_owned(),
                received_at: server::time(import.received_at),
                items: import.items,
                new_queues: import.new_queues,
                error_count: import.error_count,
                error_summary: import.error_summary,
                file_name: import.file_name,
            })
            .collect(),
        page,
        pages,
    })
}

/// The files a CSV integration's client uploaded; `None` for other kinds.
#[server(prefix = "/_fn", endpoint = "integrations/files")]
pub async fn received_files(id: i64, page: u32) -> Result<Option<ReceivedFilePage>, AppError> {
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let integration = domain::integrations::get(
        store.as_ref(),
        &actor,
        domain::integration::IntegrationId(id),
    )
    .await?;
    if integration.kind != domain::integration::IntegrationKind::Csv {
        return Ok(None);
    }
    let page = page.max(1);
    let (files, total) = domain::ingest::read::received_files(
        store.as_ref(),
        &actor,
        domain::integration::IntegrationId(id),
        domain::page::PageRequest::numbered(page, IMPORTS_PER_PAGE),
    )
    .await?;
    Ok(Some(ReceivedFilePage {
        files: files
            .into_iter()
            .map(|file| ReceivedFileView {
                name: file.name,
                size: file.size,
                sha256: file.checksum,
                outcome: file.outcome.as_str().to_owned(),
                received_at: server::time(file.received_at),
            })
            .collect(),
        page,
        pages: page_count(total, IMPORTS_PER_PAGE),
    }))
}

/// One mapped employee on the intraday board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardAgentView {
    pub employee_id: i64,
    pub name: String,
    pub team: Option<String>,
    /// The activity now, with its colour; none when no status is open.
    pub activity: Option<BoardActivityView>,
    pub external_activity: Option<String>,
    /// RFC 3339.
    pub since: Option<String>,
    /// Seconds in the activity when the board was read.
    pub seconds_in_status: Option<i64>,
    pub integration_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardActivityView {
    pub id: i64,
    pub name: String,
    pub colour: String,
}

/// The intraday board as read at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardView {
    /// Longest in their activity first; those in none last.
    pub agents: Vec<BoardAgentView>,
    /// The account's activities, for the filter.
    pub activities: Vec<BoardActivityView>,
    /// The teams of the account's employees, for the filter.
    pub teams: Vec<String>,
    /// All mapped employees.
    pub total: u64,
    /// RFC 3339.
    pub at: String,
}

/// Agents on one board: the most a page of the management API holds.
#[cfg(feature = "ssr")]
const BOARD_AGENTS: u32 = 500;

/// `activity` 0 shows every activity.
#[server(prefix = "/_fn", endpoint = "intraday/board")]
pub async fn intraday_board(activity: i64, team: String) -> Result<BoardView, AppError> {
    use domain::{
        page::PageRequest,
        workforce::{activity as activities, employee::TeamName, intraday},
    };
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let now = chrono::Utc::now();
    // A team that is not a team name (too long, say) has nobody in it.
    let team = Some(team.trim())
        .filter(|team| !team.is_empty())
        .map(|team| TeamName::parse(team).map_err(|_| AppError::NotFound))
        .transpose()?;
    let (agents, total) = intraday::board(
        store.as_ref(),
        &actor,
        now,
        team.as_ref(),
        PageRequest::numbered(1, BOARD_AGENTS),
    )
    .await?;
    let (all, _) = activities::list(
        store.as_ref(),
        &actor,
        PageRequest::numbered(1, PageRequest::MAX_LIMIT),
    )
    .await?;
    let chosen = (activity != 0).then_some(activities::ActivityId(activity));
    let teams = intraday::teams(store.as_ref(), &actor).await?;
    let agents: Vec<BoardAgentView> =
        intraday::arrange(agents, chosen, team.as_ref().map(TeamName::as_str))
            .into_iter()
            .map(|agent| {
                let current = agent.current;
                BoardAgentView {
                    employee_id: agent.employee.0,
                    name: agent.name,
                    team: agent.team,
                    activity: current.as_ref().map(|c| BoardActivityView {
                        id: c.activity.id.0,
                        name: c.activity.name.clone(),
                        colour: c.activity.colour.clone(),
                    }),
                    external_activity: current.as_ref().map(|c| c.external_activity.clone()),
                    since: current.as_ref().map(|c| server::time(c.since)),
                    seconds_in_status: current.as_ref().map(|c| (now - c.since).num_seconds()),
                    integration_name: current.map(|c| c.integration_name),
                }
            })
            .collect();
    Ok(BoardView {
        agents,
        teams,
        activities: all
            .into_iter()
            .map(|a| BoardActivityView {
                id: a.id.0,
                name: a.name,
                colour: a.colour,
            })
            .collect(),
        total,
        at: server::time(now),
    })
}

/// An employee as the employees page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub personnel_number: Option<String>,
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeePage {
    pub employees: Vec<EmployeeView>,
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    /// Whether the reader may add and archive.
    pub may_change: bool,
}

#[cfg(feature = "ssr")]
const EMPLOYEES_PER_PAGE: u32 = 50;

#[server(prefix = "/_fn", endpoint = "employees/list")]
pub async fn list_employees(page: u32) -> Result<EmployeePage, AppError> {
    use domain::{page::PageRequest, workforce::employee};
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let page = page.max(1);
    let (employees, total) = employee::list(
        store.as_ref(),
        &actor,
        PageRequest::numbered(page, EMPLOYEES_PER_PAGE),
    )
    .await?;
    Ok(EmployeePage {
        employees: employees.into_iter().map(server::employee_view).collect(),
        page,
        pages: page_count(total, EMPLOYEES_PER_PAGE),
        total,
        may_change: actor.role.may_manage_integrations(),
    })
}

/// An employee's entry for an external system: the agent id an integration
/// sends for them and their own id there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalSystemView {
    pub integration_id: i64,
    pub integration_name: String,
    /// A deleted integration's entry stays, but cannot change.
    pub deleted: bool,
    pub external_id: String,
    pub system_employee_id: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Ids the integration sent that differ only in case or spaces.
    pub near_misses: Vec<String>,
}

/// An integration the employee page offers for a new entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationChoiceView {
    pub id: i64,
    pub name: String,
}

/// What an employee's page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeDetail {
    pub employee: EmployeeView,
    pub archived: bool,
    pub systems: Vec<ExternalSystemView>,
    pub page: u32,
    pub pages: u32,
    pub systems_total: u64,
    /// Current integrations that carry agent statuses and have no entry
    /// for the employee yet.
    pub integrations: Vec<IntegrationChoiceView>,
    pub may_change: bool,
}

#[cfg(feature = "ssr")]
const SYSTEMS_PER_PAGE: u32 = 50;

#[server(prefix = "/_fn", endpoint = "employees/one")]
pub async fn read_employee(id: i64, page: u32) -> Result<EmployeeDetail, AppError> {
    use domain::{
        page::PageRequest,
        workforce::{
            employee::{self, EmployeeId},
            mapping,
        },
    };
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let page = page.max(1);
    let found = employee::get(store.as_ref(), &actor, EmployeeId(id)).await?;
    let archived = found.archived;
    let (systems, systems_total) = mapping::external_systems(
        store.as_ref(),
        &actor,
        found.id,
        PageRequest::numbered(page, SYSTEMS_PER_PAGE),
    )
    .await?;
    let taken: std::collections::HashSet<i64> = systems
        .iter()
        .map(|system| system.entry.mapping.integration.0)
        .collect();
    let integrations = domain::integrations::list(store.as_ref(), &actor, false)
        .await?
        .into_iter()
        .filter(|i| i.data_types.agent_statuses() && !taken.contains(&i.id.0))
        .map(|i| IntegrationChoiceView {
            id: i.id.0,
            name: i.name.to_string(),
        })
        .collect();
    Ok(EmployeeDetail {
        employee: server::employee_view(found),
        archived,
        systems: systems
            .into_iter()
            .map(|system| {
                let entry = system.entry;
                ExternalSystemView {
                    integration_id: entry.mapping.integration.0,
                    integration_name: entry.integration_name,
                    deleted: entry.integration_status == domain::integration::Status::Deleted,
                    external_id: entry.mapping.external_id,
                    system_employee_id: entry.mapping.system_employee_id,
                    created_at: server::time(entry.mapping.created_at),
                    near_misses: system.near_misses,
                }
            })
            .collect(),
        page,
        pages: page_count(systems_total, SYSTEMS_PER_PAGE),
        systems_total,
        integrations,
        may_change: actor.role.may_manage_integrations() && !archived,
    })
}

/// An agent id an integration sent, and whom it is mapped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredAgentView {
    pub external_id: String,
    pub first_seen: String,
    pub last_seen: String,
    pub count: i64,
    pub employee_id: Option<i64>,
}

/// An activity id an integration sent, and what it is mapped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredActivityView {
    pub external_id: String,
    pub count: i64,
    pub activity_id: Option<i64>,
}

/// What the mapping page of an integration shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingView {
    pub integration_name: String,
    pub may_change: bool,
    /// Activities may be remapped now (the integration is paused).
    pub may_remap_activities: bool,
    pub deleted: bool,
    pub agents: Vec<DiscoveredAgentView>,
    pub page: u32,
    pub pages: u32,
    pub agents_total: u64,
    /// The employees to choose from (the first 500 by name).
    pub employees: Vec<EmployeeView>,
    pub discovered_activities: Vec<DiscoveredActivityView>,
    pub activities_total: u64,
    /// The account's activities, the default first.
    pub activities: Vec<BoardActivityView>,
}

#[cfg(feature = "ssr")]
const AGENTS_PER_PAGE: u32 = 50;

#[server(prefix = "/_fn", endpoint = "integrations/mapping")]
pub async fn integration_mapping(id: i64, page: u32) -> Result<MappingView, AppError> {
    use domain::{
        integration::{IntegrationId, Status},
        page::PageRequest,
        workforce::{activity, employee, mapping},
    };
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let page = page.max(1);
    let integration = store
        .integration(actor.account_id, IntegrationId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let all = PageRequest::numbered(1, PageRequest::MAX_LIMIT);
    let (agents, agents_total) = mapping::discovered_agents(
        store.as_ref(),
        &actor,
        integration.id,
        PageRequest::numbered(page, AGENTS_PER_PAGE),
    )
    .await?;
    let (employees, _) = employee::list(store.as_ref(), &actor, all).await?;
    let (found, activities_total) =
        activity::discovered(store.as_ref(), &actor, integration.id, all).await?;
    let (activities, _) = activity::list(store.as_ref(), &actor, all).await?;
    Ok(MappingView {
        integration_name: integration.name.to_string(),
        may_change: actor.role.may_manage_integrations(),
        may_remap_activities: integration.status.allows_activity_remapping(),
        deleted: integration.status == Status::Deleted,
        agents: agents
            .into_iter()
            .map(|agent| DiscoveredAgentView {
                external_id: agent.external_id,
                first_seen: server::time(agent.first_seen),
                last_seen: server::time(agent.last_seen),
                count: agent.count,
                employee_id: agent.employee.map(|e| e.0),
            })
            .collect(),
        page,
        pages: page_count(agents_total, AGENTS_PER_PAGE),
        agents_total,
        employees: employees.into_iter().map(server::employee_view).collect(),
        discovered_activities: found
            .into_iter()
            .map(|d| DiscoveredActivityView {
                external_id: d.external_id,
                count: d.count,
                activity_id: d.activity.map(|a| a.0),
            })
            .collect(),
        activities_total,
        activities: activities
            .into_iter()
            .map(|a| BoardActivityView {
                id: a.id.0,
                name: a.name,
                colour: a.colour,
            })
            .collect(),
    })
}

/// A workload in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadRowView {
    pub id: i64,
    pub name: String,
    pub queues: usize,
    /// RFC 3339.
    pub created_at: String,
}

/// The account's workloads, by name, and whether the reader may change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadList {
    pub workloads: Vec<WorkloadRowView>,
    pub can_manage: bool,
}

#[server(prefix = "/_fn", endpoint = "workloads/list")]
pub async fn list_workloads() -> Result<WorkloadList, AppError> {
    use domain::{page::PageRequest, workforce::workload};
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let (found, _) = workload::list(
        store.as_ref(),
        &actor,
        PageRequest::numbered(1, PageRequest::MAX_LIMIT),
    )
    .await?;
    Ok(WorkloadList {
        workloads: found
            .into_iter()
            .map(|w| WorkloadRowView {
                id: w.id.0,
                name: w.name,
                queues: w.queues.len(),
                created_at: server::time(w.created_at),
            })
            .collect(),
        can_manage: actor.role.may_manage_integrations(),
    })
}

/// A queue on a workload's page: on it, or one that could be added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueChoiceView {
    pub id: i64,
    pub name: String,
    pub integration_name: String,
    pub on_workload: bool,
    /// False for a queue of a deleted integration.
    pub may_join: bool,
}

/// A workload with its queues and their combined intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadView {
    pub id: i64,
    pub name: String,
    pub queues: Vec<QueueChoiceView>,
    /// The account's queues to pick from (the first page of them).
    pub choices: Vec<QueueChoiceView>,
    /// More queues than the picker lists.
    pub more_choices: bool,
    pub interval_minutes: u32,
    /// `YYYY-MM-DD`, UTC.
    pub from: String,
    pub days: u32,
    pub intervals: Vec<IntervalView>,
    pub can_manage: bool,
}

/// Queues the workload page's picker lists.
#[cfg(feature = "ssr")]
const QUEUE_CHOICES: u32 = 500;

/// `from` is a day (`YYYY-MM-DD`, UTC), empty for today; one day is shown
/// in 15-minute intervals, more in hours.
#[server(prefix = "/_fn", endpoint = "workloads/one")]
pub async fn read_workload(id: i64, from: String, days: u32) -> Result<WorkloadView, AppError> {
    use chrono::{NaiveDate, Utc};
    use domain::{
        ingest::read::Range,
        integration::IntervalLength,
        page::PageRequest,
        workforce::workload::{self, QueueChoice, WorkloadId},
    };
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let first_day = match from.trim() {
        "" => Utc::now().date_naive(),
        day => NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| AppError::Invalid {
            field: "from".into(),
            code: "date".into(),
        })?,
    };
    let days = if DAY_CHOICES.contains(&days) { days } else { 1 };
    let start = first_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let range =
        Range::new(start, start + chrono::Duration::days(i64::from(days))).map_err(|_| {
            AppError::Invalid {
                field: "days".into(),
                code: "range".into(),
            }
        })?;
    let length = if days == 1 {
        IntervalLength::Fifteen
    } else {
        IntervalLength::Sixty
    };
    let (found, series) =
        workload::statistics(store.as_ref(), &actor, WorkloadId(id), range, length).await?;
    let (on, all, total) = workload::choices(
        store.as_ref(),
        &actor,
        &found,
        PageRequest::numbered(1, QUEUE_CHOICES),
    )
    .await?;
    let view = |choice: QueueChoice| QueueChoiceView {
        id: choice.queue.id.0,
        name: choice.queue.name,
        integration_name: choice.queue.integration_name,
        on_workload: choice.on_workload,
        may_join: choice.may_join,
    };
    Ok(WorkloadView {
        id: found.id.0,
        name: found.name,
        queues: on.into_iter().map(view).collect(),
        choices: all.into_iter().map(view).collect(),
        more_choices: total > u64::from(QUEUE_CHOICES),
        interval_minutes: length.minutes(),
        from: first_day.format("%Y-%m-%d").to_string(),
        days,
        intervals: server::interval_views(series),
        can_manage: actor.role.may_manage_integrations(),
    })
}

/// An activity on the activities page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: i64,
    pub name: String,
    /// work, break, absence or other.
    pub category: String,
    /// `#rrggbb`.
    pub colour: String,
    pub is_default: bool,
}

/// The account's activities, the default first, and whether the reader
/// may change them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityList {
    pub activities: Vec<ActivityView>,
    pub can_manage: bool,
}

#[server(prefix = "/_fn", endpoint = "activities/list")]
pub async fn list_activities() -> Result<ActivityList, AppError> {
    use domain::{page::PageRequest, workforce::activity};
    let actor = crate::session::actor().await?;
    let store = crate::api::store();
    let (found, _) = activity::list(
        store.as_ref(),
        &actor,
        PageRequest::numbered(1, PageRequest::MAX_LIMIT),
    )
    .await?;
    Ok(ActivityList {
        activities: found
            .into_iter()
            .map(|a| ActivityView {
                id: a.id.0,
                name: a.name,
                category: a.category.as_str().to_owned(),
                colour: a.colour,
                is_default: a.is_default,
            })
            .collect(),
        can_manage: actor.role.may_manage_integrations(),
    })
}
