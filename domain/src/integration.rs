//! Integrations: configured data sources, and the rules for changing them.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

use crate::text::{parse_name, NameError};

/// The integration configuration id that API clients send as
/// `meta.integrationConfigurationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IntegrationId(pub i64);

impl fmt::Display for IntegrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An integration's name: trimmed, 1–100 characters of any script.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IntegrationName(String);

impl IntegrationName {
    pub const MAX_CHARS: usize = 100;
    const OLD_SUFFIX: &'static str = "_old";

    pub fn parse(input: &str) -> Result<Self, NameError> {
        parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name the FAQ advises for an integration being replaced:
    /// `<name>_old`, shortened if needed to stay within the limit.
    pub fn with_old_suffix(&self) -> Self {
        let room = Self::MAX_CHARS - Self::OLD_SUFFIX.len();
        let stem: String = self.0.chars().take(room).collect();
        Self(format!("{}{}", stem.trim_end(), Self::OLD_SUFFIX))
    }

    /// Names that planners would mistake for each other: equal once
    /// case is ignored.
    pub fn is_confusable_with(&self, other: &IntegrationName) -> bool {
        self.0.to_lowercase() == other.0.to_lowercase()
    }
}

impl TryFrom<String> for IntegrationName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<IntegrationName> for String {
    fn from(value: IntegrationName) -> Self {
        value.0
    }
}

impl fmt::Display for IntegrationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IntegrationName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IntegrationName({:?})", self.0)
    }
}

/// How data reaches an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationKind {
    /// HTTP push with an API key.
    Api,
    /// CSV files through Cloud Link or uploaded by hand.
    Csv,
    /// An SQL query run by Cloud Link.
    Database,
    /// A vendor system on the customer's premises, through Cloud Link.
    OnPremise,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a kind is one of api, csv, database, on_premise")]
pub struct UnknownKind;

impl IntegrationKind {
    pub const ALL: [IntegrationKind; 4] = [Self::Api, Self::Csv, Self::Database, Self::OnPremise];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Csv => "csv",
            Self::Database => "database",
            Self::OnPremise => "on_premise",
        }
    }

    /// Kinds fed through Cloud Link wait for pairing before they run.
    pub fn needs_cloud_link(self) -> bool {
        !matches!(self, Self::Api)
    }

    /// The status a new integration of this kind starts in.
    pub fn initial_status(self) -> Status {
        if self.needs_cloud_link() {
            Status::AwaitingLink
        } else {
            Status::Active
        }
    }
}

impl FromStr for IntegrationKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or(UnknownKind)
    }
}

/// The length of the intervals history data arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum IntervalLength {
    #[default]
    Fifteen,
    Thirty,
    Sixty,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an interval is 15, 30 or 60 minutes")]
pub struct InvalidInterval;

impl IntervalLength {
    pub const ALL: [IntervalLength; 3] = [Self::Fifteen, Self::Thirty, Self::Sixty];

    pub fn minutes(self) -> u32 {
        match self {
            Self::Fifteen => 15,
            Self::Thirty => 30,
            Self::Sixty => 60,
        }
    }
}

impl TryFrom<u32> for IntervalLength {
    type Error = InvalidInterval;
    fn try_from(minutes: u32) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|length| length.minutes() == minutes)
            .ok_or(InvalidInterval)
    }
}

impl From<IntervalLength> for u32 {
    fn from(value: IntervalLength) -> Self {
        value.minutes()
    }
}

/// What an integration carries: contact data, agent statuses, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DataTypes {
    contacts: bool,
    agent_statuses: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("choose at least one data type: contacts or agent statuses")]
pub struct NoDataType;

impl DataTypes {
    pub fn new(contacts: bool, agent_statuses: bool) -> Result<Self, NoDataType> {
        if contacts || agent_statuses {
            Ok(Self {
                contacts,
                agent_statuses,
            })
        } else {
            Err(NoDataType)
        }
    }

    pub fn contacts(self) -> bool {
        self.contacts
    }

    pub fn agent_statuses(self) -> bool {
        self.agent_statuses
    }

    /// Parses the API's list form, e.g. `["contacts", "agent_statuses"]`.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, DataTypeError> {
        let (mut contacts, mut agent_statuses) = (false, false);
        for name in names {
            match name {
                "contacts" => contacts = true,
                "agent_statuses" => agent_statuses = true,
                other => return Err(DataTypeError::Unknown(other.to_owned())),
            }
        }
        Self::new(contacts, agent_statuses).map_err(|_| DataTypeError::None)
    }

    pub fn names(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.contacts {
            names.push("contacts");
        }
        if self.agent_statuses {
            names.push("agent_statuses");
        }
        names
    }
}

impl Default for DataTypes {
    fn default() -> Self {
        Self {
            contacts: true,
            agent_statuses: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataTypeError {
    #[error("{0:?} is not a data type; use contacts or agent_statuses")]
    Unknown(String),
    #[error("choose at least one data type: contacts or agent_statuses")]
    None,
}

/// Where an integration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    AwaitingLink,
    Active,
    Paused,
    /// Resumed, and applying what was held while paused, in arrival
    /// order; what arrives meanwhile queues behind it. Becomes `Active`
    /// once nothing is held any more.
    Resuming,
    Failing,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the integration is already paused")]
    AlreadyPaused,
    #[error("only a paused integration can be resumed")]
    NotPaused,
    #[error("an integration waiting for Cloud Link cannot be paused yet")]
    NotRunning,
    #[error("the integration has been deleted")]
    Deleted,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Self::AwaitingLink,
        Self::Active,
        Self::Paused,
        Self::Resuming,
        Self::Failing,
        Self::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingLink => "awaiting_link",
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Resuming => "resuming",
            Self::Failing => "failing",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    pub fn pause(self) -> Result<Self, TransitionError> {
        match self {
            Self::Active | Self::Failing | Self::Resuming => Ok(Self::Paused),
            Self::Paused => Err(TransitionError::AlreadyPaused),
            Self::AwaitingLink => Err(TransitionError::NotRunning),
            Self::Deleted => Err(TransitionError::Deleted),
        }
    }

    /// A resume first applies what was held: `Resuming` until that is
    /// done (see `ingest::replay`).
    pub fn resume(self) -> Result<Self, TransitionError> {
        match self {
            Self::Paused => Ok(Self::Resuming),
            Self::Deleted => Err(TransitionError::Deleted),
            _ => Err(TransitionError::NotPaused),
        }
    }

    /// A Cloud Link was paired: an integration waiting for one runs; any
    /// other keeps its status (a paused one stays paused).
    pub fn linked(self) -> Self {
        match self {
            Self::AwaitingLink => Self::Active,
            other => other,
        }
    }

    pub fn delete(self) -> Result<Self, TransitionError> {
        match self {
            Self::Deleted => Err(TransitionError::Deleted),
            _ => Ok(Self::Deleted),
        }
    }

    /// Whether its external activities may be mapped anew now: only while
    /// nothing flows in (paused, or not linked yet), so no status arrives
    /// half under the old mapping and half under the new (DESIGN §2).
    pub fn allows_activity_remapping(self) -> bool {
        matches!(self, Self::Paused | Self::AwaitingLink)
    }

    pub fn can_pause(self) -> bool {
        self.pause().is_ok()
    }

    pub fn can_resume(self) -> bool {
        self.resume().is_ok()
    }

    /// What a resuming integration becomes once nothing is held.
    pub fn caught_up(self) -> Self {
        match self {
            Self::Resuming => Self::Active,
            other => other,
        }
    }

    /// Whether pushed data is held rather than applied: while paused, and
    /// while held data is still being applied, so arrival order is kept.
    pub fn holds_pushed_data(self) -> bool {
        matches!(self, Self::Paused | Self::Resuming)
    }

    /// Whether files (CSV, uploaded or through Cloud Link) are imported
    /// now: not while paused — they wait, as a paused query waits — nor
    /// once deleted. An integration waiting for Cloud Link takes files
    /// uploaded by hand.
    pub fn imports_files(self) -> bool {
        !self.holds_pushed_data() && self != Self::Deleted
    }
}

/// One integration as every reader sees it. Times are RFC 3339 UTC text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    pub id: IntegrationId,
    pub name: IntegrationName,
    pub kind: IntegrationKind,
    pub status: Status,
    pub failing_reason: Option<String>,
    pub interval: IntervalLength,
    pub data_types: DataTypes,
    pub created_at: String,
    pub last_import_at: Option<String>,
    /// Since when it is paused (RFC 3339), while it is.
    pub paused_at: Option<String>,
    /// When it last sent an agent status without an end through the
    /// ingestion API or the continuous feed: it sends real-time statuses
    /// (RTA).
    pub real_time_at: Option<String>,
}

/// The duplicate-name policy: a name confusable with an existing
/// integration's (deleted ones included, their queues live on) needs an
/// explicit confirmation.
pub fn check_name_is_free(
    existing: &[(IntegrationId, IntegrationName)],
    name: &IntegrationName,
    except: Option<IntegrationId>,
    allow_duplicate: bool,
) -> Result<(), IntegrationId> {
    if allow_duplicate {
        return Ok(());
    }
    match existing
        .iter()
        .find(|(id, other)| Some(*id) != except && other.is_confusable_with(name))
    {
        Some((id, _)) => Err(*id),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> IntegrationName {
        IntegrationName::parse(s).expect("valid")
    }

    #[test]
    fn names_are_trimmed_and_limited_to_a_hundred_characters() {
        assert_eq!(name("  Genesys  ").as_str(), "Genesys");
        assert!(IntegrationName::parse(&"ß".repeat(100)).is_ok());
        assert_eq!(
            IntegrationName::parse(&"ß".repeat(101)),
            Err(NameError::TooLong(100))
        );
        assert_eq!(IntegrationName::parse("   "), Err(NameError::Empty));
    }

    #[test]
    fn markup_in_a_name_is_kept_as_text() {
        assert_eq!(
            name("<img src=x onerror=alert(1)>").as_str(),
            "<img src=x onerror=alert(1)>"
        );
    }

    #[test]
    fn the_old_suffix_is_appended_within_the_limit() {
        assert_eq!(name("Sales").with_old_suffix().as_str(), "Sales_old");
        let long = name(&"a".repeat(100)).with_old_suffix();
        assert_eq!(long.as_str().chars().count(), 100);
        assert!(long.as_str().ends_with("_old"));
    }

    #[test]
    fn a_confusable_name_needs_confirmation() {
        let existing = vec![
            (IntegrationId(1), name("Sales")),
            (IntegrationId(2), name("Support")),
        ];
        assert_eq!(
            check_name_is_free(&existing, &name("sales"), None, false),
            Err(IntegrationId(1))
        );
        assert_eq!(
            check_name_is_free(&existing, &name("sales"), None, true),
            Ok(())
        );
        assert_eq!(
            check_name_is_free(&existing, &name("Billing"), None, false),
            Ok(())
        );
    }

    #[test]
    fn keeping_ones_own_name_is_not_a_duplicate() {
        let existing = vec![(IntegrationId(1), name("Sales"))];
        assert_eq!(
            check_name_is_free(&existing, &name("SALES"), Some(IntegrationId(1)), false),
            Ok(())
        );
    }

    #[test]
    fn kinds_round_trip_and_only_api_runs_without_cloud_link() {
        for kind in IntegrationKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
        assert_eq!(IntegrationKind::Api.initial_status(), Status::Active);
        assert_eq!(IntegrationKind::Csv.initial_status(), Status::AwaitingLink);
        assert_eq!("ftp".parse::<IntegrationKind>(), Err(UnknownKind));
    }

    #[test]
    fn intervals_are_fifteen_thirty_or_sixty_minutes() {
        assert_eq!(IntervalLength::try_from(30), Ok(IntervalLength::Thirty));
        assert_eq!(IntervalLength::try_from(20), Err(InvalidInterval));
    }

    #[test]
    fn at_least_one_data_type_is_needed() {
        assert!(DataTypes::new(true, false).is_ok());
        assert_eq!(DataTypes::new(false, false), Err(NoDataType));
        assert_eq!(
            DataTypes::from_names(["calls"]),
            Err(DataTypeError::Unknown("calls".into()))
        );
        assert_eq!(DataTypes::from_names([]), Err(DataTypeError::None));
        let both = DataTypes::from_names(["contacts", "agent_statuses"]).expect("valid");
        assert_eq!(both.names(), vec!["contacts", "agent_statuses"]);
    }

    #[test]
    fn an_active_integration_pauses_and_resumes() {
        assert_eq!(Status::Active.pause(), Ok(Status::Paused));
        assert_eq!(Status::Failing.pause(), Ok(Status::Paused));
        assert_eq!(Status::Paused.resume(), Ok(Status::Resuming));
    }

    #[test]
    fn a_resuming_integration_holds_data_and_may_be_paused_again() {
        assert!(Status::Paused.holds_pushed_data());
        assert!(Status::Resuming.holds_pushed_data());
        assert!(!Status::Active.holds_pushed_data());
        assert_eq!(Status::Resuming.pause(), Ok(Status::Paused));
        assert_eq!(Status::Resuming.resume(), Err(TransitionError::NotPaused));
        assert_eq!(Status::Resuming.delete(), Ok(Status::Deleted));
    }

    #[test]
    fn transitions_that_make_no_sense_are_refused() {
        assert_eq!(Status::Paused.pause(), Err(TransitionError::AlreadyPaused));
        assert_eq!(Status::Active.resume(), Err(TransitionError::NotPaused));
        assert_eq!(
            Status::AwaitingLink.pause(),
            Err(TransitionError::NotRunning)
        );
        assert_eq!(Status::Deleted.pause(), Err(TransitionError::Deleted));
        assert_eq!(Status::Deleted.resume(), Err(TransitionError::Deleted));
        assert_eq!(Status::Deleted.delete(), Err(TransitionError::Deleted));
    }

    #[test]
    fn anything_not_yet_deleted_can_be_deleted() {
        for status in [
            Status::AwaitingLink,
            Status::Active,
            Status::Paused,
            Status::Resuming,
            Status::Failing,
        ] {
            assert_eq!(status.delete(), Ok(Status::Deleted));
        }
    }
}
