//! What planners watch live: each mapped employee's current activity.
//!
//! An agent status without an end is the agent's activity until a newer one
//! starts; one with an end is over at its end. An employee mapped in several
//! integrations is in the activity that started last among them.

use chrono::{DateTime, Utc};

use super::{
    activity::ActivityId,
    employee::{EmployeeId, TeamName},
};
use crate::{
    actor::Actor,
    integration::IntegrationId,
    page::PageRequest,
    store::{Store, StoreError},
    AccountId,
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
    pub team: Option<String>,
    pub current: Option<Current>,
}

/// A mapped employee and their agent ids' latest statuses, as the store
/// finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedEmployee {
    pub employee: EmployeeId,
    pub name: String,
    pub team: Option<String>,
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

/// A page of the account's mapped employees (of `team` only, if given), by
/// name, each with the activity they are in now, and how many there are.
/// Any role may read.
pub async fn board(
    store: &dyn Store,
    actor: &Actor,
    now: DateTime<Utc>,
    team: Option<&TeamName>,
    page: PageRequest,
) -> Result<(Vec<AgentNow>, u64), StoreError> {
    let workforce = store.workforce();
    let default = shown(workforce.default_activity(actor.account_id).await?);
    let (mapped, total) = workforce
        .mapped_employees(actor.account_id, now, team.map(TeamName::as_str), page)
        .await?;
    let agents = mapped
        .into_iter()
        .map(|employee| now_of(employee, &default, now))
        .collect();
    Ok((agents, total))
}

/// The account's teams, by name, as the board's filter offers them. Any
/// role may read.
pub async fn teams(store: &dyn Store, actor: &Actor) -> Result<Vec<String>, StoreError> {
    store.workforce().teams(actor.account_id).await
}

/// What a planner watches: everyone, or those of one team, or in one
/// activity now; the longest in their activity first, then those in
/// none, by name.
pub fn arrange(
    agents: Vec<AgentNow>,
    activity: Option<ActivityId>,
    team: Option<&str>,
) -> Vec<AgentNow> {
    let mut shown: Vec<AgentNow> = agents
        .into_iter()
        .filter(|agent| team.is_none_or(|wanted| agent.team.as_deref() == Some(wanted)))
        .filter(|agent| {
            activity.is_none_or(|wanted| {
                agent
                    .current
                    .as_ref()
                    .is_some_and(|current| current.activity.id == wanted)
            })
        })
        .collect();
    // `sort_by_key` is stable: the store's order by name breaks ties.
    shown.sort_by_key(|agent| {
        agent
            .current
            .as_ref()
            .map_or(DateTime::<Utc>::MAX_UTC, |c| c.since)
    });
    shown
}

/// The mapped employees behind some agent ids of one integration, each
/// with the activity they are in now: what a board shows again after
/// those agents' statuses changed. Ids nobody is mapped to are left out.
pub async fn agents_now(
    store: &dyn Store,
    account: AccountId,
    integration: IntegrationId,
    agents: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<AgentNow>, StoreError> {
    let workforce = store.workforce();
    let default = shown(workforce.default_activity(account).await?);
    let mapped = workforce
        .mapped_employees_of_agents(account, integration, agents, now)
        .await?;
    Ok(mapped
        .into_iter()
        .map(|employee| now_of(employee, &default, now))
        .collect())
}

fn shown(activity: super::activity::Activity) -> ShownActivity {
    ShownActivity {
        id: activity.id,
        name: activity.name,
        colour: activity.colour,
    }
}

/// One employee on the board: the current status's mapped activity, or
/// the default activity for an external activity nobody mapped.
fn now_of(employee: MappedEmployee, default: &ShownActivity, now: DateTime<Utc>) -> AgentNow {
    AgentNow {
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
        team: employee.team,
    }
}

/// What changed for the boards watching an account. Told by the store
/// after the change is committed, to every server process (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "camelCase")]
pub enum Change {
    /// New statuses of these agent ids of one integration.
    Agents {
        account: AccountId,
        integration: IntegrationId,
        agents: Vec<String>,
    },
    /// Mappings, employees or activities changed, or many statuses at once
    /// (a file, a resume): the account's boards read themselves again.
    Remapped { account: AccountId },
    /// Changes may have been missed (the connection that hears them was
    /// lost): every board reads itself again.
    Resync,
}

impl Change {
    /// The change as messages of at most `max_bytes` of JSON each: a
    /// long list of agents is split, and one agent id too long for a
    /// message of its own makes the account's boards read themselves
    /// again instead.
    pub fn into_messages(self, max_bytes: usize) -> Vec<String> {
        let whole = serde_json::to_string(&self).unwrap_or_default();
        if whole.len() <= max_bytes {
            return vec![whole];
        }
        let Self::Agents {
            account,
            integration,
            agents,
        } = self
        else {
            return vec![whole];
        };
        let empty = serde_json::to_string(&Self::Agents {
            account,
            integration,
            agents: Vec::new(),
        })
        .unwrap_or_default();
        let mut messages = Vec::new();
        let mut part: Vec<String> = Vec::new();
        let mut size = empty.len();
        for agent in agents {
            // Quotes, a comma and escapes: a bound, not an exact size.
            let cost = serde_json::to_string(&agent).map_or(usize::MAX, |s| s.len() + 1);
            if empty.len().saturating_add(cost) > max_bytes {
                return vec![serde_json::to_string(&Self::Remapped { account }).unwrap_or_default()];
            }
            if size + cost > max_bytes {
                messages.push(std::mem::take(&mut part));
                size = empty.len();
            }
            size += cost;
            part.push(agent);
        }
        messages.push(part);
        messages
            .into_iter()
            .map(|agents| {
                serde_json::to_string(&Self::Agents {
                    account,
                    integration,
                    agents,
                })
                .unwrap_or_default()
            })
            .collect()
    }

    /// Merges changes that arrived together: each integration's agents
    /// once, and a board that reads itself again needs no agents.
    pub fn coalesce(changes: impl IntoIterator<Item = Self>) -> Vec<Self> {
        use std::collections::{BTreeMap, BTreeSet};
        let mut agents: BTreeMap<(AccountId, IntegrationId), BTreeSet<String>> = BTreeMap::new();
        let mut remapped = BTreeSet::new();
        for change in changes {
            match change {
                Self::Resync => return vec![Self::Resync],
                Self::Remapped { account } => {
                    remapped.insert(account);
                }
                Self::Agents {
                    account,
                    integration,
                    agents: ids,
                } => agents
                    .entry((account, integration))
                    .or_default()
                    .extend(ids),
            }
        }
        let remapped_accounts: Vec<Self> = remapped
            .iter()
            .map(|&account| Self::Remapped { account })
            .collect();
        agents
            .into_iter()
            .filter(|((account, _), _)| !remapped.contains(account))
            .map(|((account, integration), ids)| Self::Agents {
                account,
                integration,
                agents: ids.into_iter().collect(),
            })
            .chain(remapped_accounts)
            .collect()
    }
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

    fn agents(ids: &[&str]) -> Change {
        Change::Agents {
            account: AccountId(1),
            integration: IntegrationId(2),
            agents: ids.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    #[test]
    fn a_change_too_long_for_one_message_is_split_by_agents() {
        let ids: Vec<String> = (0..400).map(|n| format!("agent-{n:04}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let messages = agents(&refs).into_messages(1_000);
        assert!(messages.len() > 1);
        let mut told = Vec::new();
        for message in &messages {
            assert!(message.len() <= 1_000, "{} bytes", message.len());
            match serde_json::from_str::<Change>(message).expect("a change") {
                Change::Agents { agents, .. } => told.extend(agents),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(told, ids);
        assert_eq!(agents(&["a"]).into_messages(1_000).len(), 1);
    }

    #[test]
    fn an_agent_id_longer_than_a_message_makes_boards_read_again() {
        let long = "x".repeat(2_000);
        assert_eq!(
            agents(&["a", &long]).into_messages(1_000),
            vec![serde_json::to_string(&Change::Remapped {
                account: AccountId(1)
            })
            .expect("JSON")]
        );
    }

    #[test]
    fn changes_that_arrive_together_are_read_once() {
        let other = Change::Agents {
            account: AccountId(3),
            integration: IntegrationId(4),
            agents: vec!["z".to_owned()],
        };
        assert_eq!(
            Change::coalesce([agents(&["b", "a"]), agents(&["a", "c"]), other.clone()]),
            vec![agents(&["a", "b", "c"]), other.clone()]
        );
        assert_eq!(
            Change::coalesce([
                agents(&["a"]),
                Change::Remapped {
                    account: AccountId(1)
                },
                other.clone()
            ]),
            vec![
                other.clone(),
                Change::Remapped {
                    account: AccountId(1)
                }
            ]
        );
        assert_eq!(
            Change::coalesce([other, Change::Resync]),
            vec![Change::Resync]
        );
    }

    fn agent_in(name: &str, activity: i64, since: u32) -> AgentNow {
        AgentNow {
            employee: EmployeeId(i64::from(since)),
            name: name.to_owned(),
            team: (activity == 1).then(|| "North".to_owned()),
            current: Some(Current {
                activity: ShownActivity {
                    id: ActivityId(activity),
                    name: format!("activity {activity}"),
                    colour: "#000000".to_owned(),
                },
                external_activity: String::new(),
                since: at(since),
                integration: IntegrationId(1),
                integration_name: String::new(),
            }),
        }
    }

    #[test]
    fn the_board_shows_the_longest_in_their_activity_first_and_filters_by_activity_and_team() {
        let idle = AgentNow {
            employee: EmployeeId(9),
            name: "Idle".to_owned(),
            team: Some("North".to_owned()),
            current: None,
        };
        let agents = vec![
            idle.clone(),
            agent_in("Late", 1, 11),
            agent_in("Early", 2, 8),
            agent_in("Middle", 1, 9),
        ];
        let names = |shown: Vec<AgentNow>| shown.into_iter().map(|a| a.name).collect::<Vec<_>>();
        assert_eq!(
            names(arrange(agents.clone(), None, None)),
            ["Early", "Middle", "Late", "Idle"]
        );
        assert_eq!(
            names(arrange(agents.clone(), Some(ActivityId(1)), None)),
            ["Middle", "Late"]
        );
        assert_eq!(
            names(arrange(agents.clone(), None, Some("North"))),
            ["Middle", "Late", "Idle"]
        );
        assert!(arrange(agents, Some(ActivityId(2)), Some("North")).is_empty());
    }
}
