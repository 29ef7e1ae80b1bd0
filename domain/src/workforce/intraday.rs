//! What planners watch live: each mapped employee's current activity.
//!
//! An agent status without an end is the agent's activity until a newer one
//! starts; one with an end is over at its end. An employee mapped in several
//! integrations is in the activity that started last among them.

use chrono::{DateTime, Utc};

use super::{activity::ActivityId, employee::EmployeeId};
use crate::{
    actor::Actor,
    integration::IntegrationId,
    page::PageRequest,
    store::{Store, StoreError},
};

/// An activity as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownActivity {
    pub id: ActivityId,
    pub name: String,
    pub colour: String,
}

/// The newest status that started by now of one mapped agent id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestStatus {
    pub employee: EmployeeId,
    pub integration: IntegrationId,
    pub integration_name: String,
    pub external_activity: String,
    /// The activity its external activity is mapped to, if it is.
    pub mapped_activity: Option<ShownActivity>,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// The activity an employee is in now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// The activity on the WFM side: the mapped one, or the account's
    /// default activity for an external activity nobody mapped.
    pub activity: ShownActivity,
    pub external_activity: String,
    pub since: DateTime<Utc>,
    pub integration: IntegrationId,
    pub integration_name: String,
}

/// One mapped employee on the board: in an activity, or in none now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentNow {
    pub employee: EmployeeId,
    pub name: String,
    pub current: Option<Current>,
}

/// A mapped employee and their agent ids' latest statuses, as the store
/// finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedEmployee {
    pub employee: EmployeeId,
    pub name: String,
    pub latest: Vec<LatestStatus>,
}

/// Which of an employee's latest statuses is current at `now`.
pub fn current_of(latest: &[LatestStatus], now: DateTime<Utc>) -> Option<&LatestStatus> {
    latest
        .iter()
        .filter(|status| status.start <= now)
        .max_by_key(|status| (status.start, status.integration))
        .filter(|status| status.end.is_none_or(|end| end > now))
}

/// A page of the account's mapped employees, by name, each with the
/// activity they are in now, and how many there are. Any role may read.
pub async fn board(
    store: &dyn Store,
    actor: &Actor,
    now: DateTime<Utc>,
    page: PageRequest,
) -> Result<(Vec<AgentNow>, u64), StoreError> {
    let workforce = store.workforce();
    let default = workforce.default_activity(actor.account_id).await?;
    let default = ShownActivity {
        id: default.id,
        name: default.name,
        colour: default.colour,
    };
    let (mapped, total) = workforce
        .mapped_employees(actor.account_id, now, page)
        .await?;
    let agents = mapped
        .into_iter()
        .map(|employee| AgentNow {
            current: current_of(&employee.latest, now).map(|status| Current {
                activity: status
                    .mapped_activity
                    .clone()
                    .unwrap_or_else(|| default.clone()),
                external_activity: status.external_activity.clone(),
                since: status.start,
                integration: status.integration,
                integration_name: status.integration_name.clone(),
            }),
            employee: employee.employee,
            name: employee.name,
        })
        .collect();
    Ok((agents, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 11, 27, hour, 0, 0).unwrap()
    }

    fn status(integration: i64, start: u32, end: Option<u32>) -> LatestStatus {
        LatestStatus {
            employee: EmployeeId(1),
            integration: IntegrationId(integration),
            integration_name: format!("integration {integration}"),
            external_activity: format!("from {integration} at {start}"),
            mapped_activity: None,
            start: at(start),
            end: end.map(at),
        }
    }

    #[test]
    fn an_open_status_is_current_until_a_newer_one_starts() {
        let open = status(1, 9, None);
        assert_eq!(current_of(std::slice::from_ref(&open), at(17)), Some(&open));
        let newer = status(2, 10, None);
        assert_eq!(
            current_of(&[open.clone(), newer.clone()], at(11)),
            Some(&newer)
        );
        assert_eq!(current_of(&[open.clone(), newer], at(9)), Some(&open));
    }

    #[test]
    fn an_ended_status_is_over_at_its_end() {
        let ended = status(1, 9, Some(10));
        assert_eq!(
            current_of(std::slice::from_ref(&ended), at(9)),
            Some(&ended)
        );
        assert_eq!(current_of(&[ended], at(10)), None);
        assert_eq!(current_of(&[], at(10)), None);
    }

    #[test]
    fn a_status_that_has_not_started_is_not_current() {
        assert_eq!(current_of(&[status(1, 12, None)], at(11)), None);
    }
}
