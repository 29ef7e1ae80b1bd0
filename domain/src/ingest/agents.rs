//! `POST /external-systems/agent-statuses`: what each agent did when.

use chrono::{DateTime, Utc};

use super::{
    items, required_text, required_time,
    wire::{Body, Json, Slot, StatusItem},
    At, Limits, Problem, Rejected, TimeWindow,
};
use crate::integration::IntegrationId;

/// One checked agent status. External ids are kept exactly as sent:
/// spelling, case and spaces all matter when they are mapped later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStatus {
    pub agent: String,
    pub activity: String,
    pub start: DateTime<Utc>,
    /// Absent while the activity is still going on.
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStatusBatch {
    pub integration: IntegrationId,
    pub external_system: String,
    /// At most one status per agent and start: a later item in the same
    /// request replaces an earlier one, as a later request would.
    pub statuses: Vec<AgentStatus>,
}

impl AgentStatusBatch {
    /// Whether it tells what agents are doing now: a status without an
    /// end is real-time (RTA) data.
    pub fn is_real_time(&self) -> bool {
        self.statuses.iter().any(|status| status.end.is_none())
    }

    /// The agent ids the batch has statuses of, each once, in order.
    pub fn agents(&self) -> Vec<String> {
        let mut agents: Vec<String> = self.statuses.iter().map(|s| s.agent.clone()).collect();
        agents.sort();
        agents.dedup();
        agents
    }
}

/// The longest identifier or system name we keep.
pub(crate) const MAX_ID_CHARS: usize = 200;

/// An agent-statuses body as read off the wire.
pub type AgentStatusesBody<'a> = Body<'a, StatusItem<'a>>;

/// Checks an agent-statuses body: every item good, or every problem.
pub fn parse_agent_statuses(
    body: &AgentStatusesBody<'_>,
    limits: Limits,
) -> Result<AgentStatusBatch, Rejected> {
    let mut problems = Vec::new();
    let integration = super::target_of(body).map_err(|p| problems.push(p)).ok();
    let external_system = required_text(
        body.meta()
            .map_or(&Json::Absent, |meta| &meta.external_system),
        At::root("meta/externalSystem"),
        "meta.externalSystem",
        MAX_ID_CHARS,
        &mut problems,
    );
    let items = items(&body.data, limits)
        .map_err(|p| problems.push(p))
        .unwrap_or_default();
    let mut statuses: Vec<AgentStatus> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if let Some(status) = status(item, At::item(index), limits.accepted_times, &mut problems) {
            statuses.push(status);
        }
    }
    match (integration, external_system) {
        (Some(integration), Some(external_system)) if problems.is_empty() => Ok(AgentStatusBatch {
            integration,
            external_system: external_system.trim().to_owned(),
            statuses: last_per_agent_and_start(statuses),
        }),
        _ => Err(Rejected {
            items: items.len(),
            ..Rejected::new(problems)
        }),
    }
}

fn last_per_agent_and_start(statuses: Vec<AgentStatus>) -> Vec<AgentStatus> {
    let mut seen = std::collections::HashMap::new();
    let mut kept: Vec<AgentStatus> = Vec::with_capacity(statuses.len());
    for status in statuses {
        match seen.get(&(status.agent.clone(), status.start)) {
            Some(&at) => kept[at] = status,
            None => {
                seen.insert((status.agent.clone(), status.start), kept.len());
                kept.push(status);
            }
        }
    }
    kept
}

fn status(
    item: &Slot<'_, StatusItem<'_>>,
    at: At<'_>,
    window: TimeWindow,
    problems: &mut Vec<Problem>,
) -> Option<AgentStatus> {
    let fields = super::object(item, at, problems)?;
    let agent = required_text(
        &fields.agent_identifier,
        at.field("agentIdentifier"),
        "agentIdentifier",
        MAX_ID_CHARS,
        problems,
    );
    let activity = required_text(
        &fields.activity_identifier,
        at.field("activityIdentifier"),
        "activityIdentifier",
        MAX_ID_CHARS,
        problems,
    );
    let start = required_time(
        &fields.start_time,
        at.field("startTime"),
        "startTime",
        window,
        problems,
    );
    let end_at = at.field("endTime");
    let end = match &fields.end_time {
        Json::Text(text) if text.is_empty() => Some(None),
        missing if missing.is_missing() => Some(None),
        value => required_time(value, end_at, "endTime", window, problems).map(Some),
    };
    if let (Some(start), Some(Some(end))) = (start, end) {
        if end <= start {
            problems.push(Problem::new(
                "end_before_start",
                end_at.pointer(),
                "endTime must be after startTime; leave it out while the activity is ongoing",
            ));
            return None;
        }
    }
    Some(AgentStatus {
        agent: agent?.to_owned(),
        activity: activity?.to_owned(),
        start: start?,
        end: end?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn parse_agent_statuses(body: &Value, limits: Limits) -> Result<AgentStatusBatch, Rejected> {
        let text = body.to_string();
        super::parse_agent_statuses(
            &AgentStatusesBody::read(&text, usize::MAX).expect("JSON"),
            limits,
        )
    }

    #[test]
    fn the_documented_example_parses() {
        let batch = parse_agent_statuses(
            &json!({"data":[{"agentIdentifier":"bob@mycompany.com","activityIdentifier":"Test",
                "startTime":"2021-12-06T10:00:00Z","endTime":"2021-12-06T15:00:00Z"}],
                "meta":{"integrationConfigurationId":8431,"externalSystem":"My ACD"}}),
            Limits::default(),
        )
        .expect("valid");
        assert_eq!(batch.integration, IntegrationId(8431));
        assert_eq!(batch.external_system, "My ACD");
        assert_eq!(batch.statuses[0].agent, "bob@mycompany.com");
        assert!(batch.statuses[0].end.is_some());
    }

    #[test]
    fn an_ongoing_status_has_no_end_and_ids_keep_their_spaces_and_case() {
        let batch = parse_agent_statuses(
            &json!({"data":[{"agentIdentifier":" Bob ","activityIdentifier":"After Call",
                "startTime":"2021-12-06T10:00:00Z"}],
                "meta":{"integrationConfigurationId":1,"externalSystem":"ACD"}}),
            Limits::default(),
        )
        .expect("valid");
        assert_eq!(batch.statuses[0].agent, " Bob ");
        assert_eq!(batch.statuses[0].end, None);
    }

    #[test]
    fn an_end_before_the_start_and_a_missing_system_are_refused() {
        let rejected = parse_agent_statuses(
            &json!({"data":[{"agentIdentifier":"bob","activityIdentifier":"x",
                "startTime":"2021-12-06T10:00:00Z","endTime":"2021-12-06T10:00:00Z"}, {}],
                "meta":{"integrationConfigurationId":1}}),
            Limits::default(),
        )
        .expect_err("invalid");
        let codes: Vec<_> = rejected
            .problems
            .iter()
            .map(|p| (p.code, p.pointer.as_str()))
            .collect();
        assert_eq!(
            codes,
            vec![
                ("missing_field", "/meta/externalSystem"),
                ("end_before_start", "/data/0/endTime"),
                ("missing_field", "/data/1/agentIdentifier"),
                ("missing_field", "/data/1/activityIdentifier"),
                ("missing_field", "/data/1/startTime"),
            ]
        );
    }

    #[test]
    fn a_later_item_for_the_same_agent_and_start_replaces_the_earlier() {
        let batch = parse_agent_statuses(
            &json!({"data":[
                {"agentIdentifier":"bob","activityIdentifier":"Break","startTime":"2021-12-06T10:00:00Z"},
                {"agentIdentifier":"bob","activityIdentifier":"Lunch","startTime":"2021-12-06T10:00:00Z"}],
                "meta":{"integrationConfigurationId":1,"externalSystem":"ACD"}}),
            Limits::default(),
        )
        .expect("valid");
        assert_eq!(batch.statuses.len(), 1);
        assert_eq!(batch.statuses[0].activity, "Lunch");
    }
}
