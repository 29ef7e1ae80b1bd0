//! Activities on the WFM side (Available, Break, Meeting …) and which
//! external activity id of an integration is which activity.
//!
//! Every account has the default activity *Present*; an external activity
//! nobody mapped is shown as it. Activities are remapped only while the
//! integration is paused (`Status::allows_activity_remapping`).

use crate::{
    actor::Actor,
    audit::{AuditAction, AuditEntry},
    integration::{IntegrationId, Status},
    page::PageRequest,
    store::{Store, StoreError, WriteError},
    text::{parse_name, NameError},
};

use super::mapping::ExternalId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityId(pub i64);

/// An activity's name: 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityName(String);

impl ActivityName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What kind of time an activity is, for planners' reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Work,
    Break,
    Absence,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a category is work, break, absence or other")]
pub struct UnknownCategory;

impl Category {
    pub const ALL: [Category; 4] = [Self::Work, Self::Break, Self::Absence, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Work => "work",
            Self::Break => "break",
            Self::Absence => "absence",
            Self::Other => "other",
        }
    }

    pub fn parse(input: &str) -> Result<Self, UnknownCategory> {
        Self::ALL
            .into_iter()
            .find(|category| category.as_str() == input)
            .ok_or(UnknownCategory)
    }
}

/// A colour as `#rrggbb`, kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colour(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a colour is written #rrggbb, for example #16a34a")]
pub struct InvalidColour;

impl Colour {
    pub fn parse(input: &str) -> Result<Self, InvalidColour> {
        let hex = input.trim().strip_prefix('#').ok_or(InvalidColour)?;
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
        } else {
            Err(InvalidColour)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An activity as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub id: ActivityId,
    pub name: String,
    pub category: Category,
    pub colour: String,
    /// *Present*: where unmapped external activities land.
    pub is_default: bool,
}

/// An activity to create, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    pub name: ActivityName,
    pub category: Category,
    pub colour: Colour,
}

/// Changes to an activity: each field given is set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityChanges {
    pub name: Option<ActivityName>,
    pub category: Option<Category>,
    pub colour: Option<Colour>,
}

/// What is wrong with one field of an activity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityField {
    #[error("{0}")]
    Name(NameError),
    #[error("{0}")]
    Category(UnknownCategory),
    #[error("{0}")]
    Colour(InvalidColour),
}

impl ActivityChanges {
    /// The fields given, each read, or every problem at once.
    pub fn parse(
        name: Option<&str>,
        category: Option<&str>,
        colour: Option<&str>,
    ) -> Result<Self, Vec<ActivityField>> {
        let name = name
            .map(ActivityName::parse)
            .transpose()
            .map_err(ActivityField::Name);
        let category = category
            .map(Category::parse)
            .transpose()
            .map_err(ActivityField::Category);
        let colour = colour
            .map(Colour::parse)
            .transpose()
            .map_err(ActivityField::Colour);
        match (name, category, colour) {
            (Ok(name), Ok(category), Ok(colour)) => Ok(Self {
                name,
                category,
                colour,
            }),
            (name, category, colour) => Err([name.err(), category.err(), colour.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

impl NewActivity {
    /// Every field is needed; every problem at once.
    pub fn parse(name: &str, category: &str, colour: &str) -> Result<Self, Vec<ActivityField>> {
        let fields = ActivityChanges::parse(Some(name), Some(category), Some(colour))?;
        match (fields.name, fields.category, fields.colour) {
            (Some(name), Some(category), Some(colour)) => Ok(Self {
                name,
                category,
                colour,
            }),
            // Each was given, so each was read.
            _ => Err(Vec::new()),
        }
    }
}

/// What became of an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    Archived,
    /// No such current activity in the account.
    Missing,
    /// The default activity stays.
    Default,
    /// External activities are mapped to it.
    InUse,
}

/// An external activity id an integration has sent, with its mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredActivity {
    pub external_id: String,
    pub first_seen: chrono::DateTime<chrono::Utc>,
    pub last_seen: chrono::DateTime<chrono::Utc>,
    pub count: i64,
    pub activity: Option<ActivityId>,
}

#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    #[error("only admins may change activities and their mappings")]
    Forbidden,
    #[error("there is no such integration")]
    NotFound,
    #[error("there is no such activity")]
    NoSuchActivity,
    #[error("there is no such activity")]
    Missing,
    #[error("the default activity stays: external activities nobody mapped land in it")]
    DefaultKept,
    #[error("external activities are mapped to this activity: map them to another one first (while their integration is paused)")]
    InUse,
    #[error("a deleted integration's mappings cannot change")]
    Deleted,
    #[error(
        "activities are remapped while the integration is paused: pause it, remap, then resume it"
    )]
    NotPaused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create(
    store: &dyn Store,
    actor: &Actor,
    new: &NewActivity,
) -> Result<Activity, ActivityError> {
    if !actor.role.may_manage_integrations() {
        return Err(ActivityError::Forbidden);
    }
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::ActivityCreated,
        subject: new.name.as_str().to_owned(),
        integration: None,
    };
    Ok(store
        .workforce()
        .create_activity(actor.account_id, new, &audit)
        .await?)
}

/// Renames, recategorises or recolours an activity (the default too).
pub async fn update(
    store: &dyn Store,
    actor: &Actor,
    id: ActivityId,
    changes: &ActivityChanges,
) -> Result<Activity, ActivityError> {
    if !actor.role.may_manage_integrations() {
        return Err(ActivityError::Forbidden);
    }
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::ActivityUpdated,
        subject: changes
            .name
            .as_ref()
            .map_or_else(|| format!("activity {}", id.0), |n| n.as_str().to_owned()),
        integration: None,
    };
    let updated = store
        .workforce()
        .update_activity(actor.account_id, id, changes, &audit)
        .await?
        .ok_or(ActivityError::Missing)?;
    store
        .workforce()
        .announce(super::mapping::remapped(actor))
        .await;
    Ok(updated)
}

/// Archives an activity nothing is mapped to. The default activity stays,
/// as unmapped external activities land in it; an activity with mappings
/// stays until they are moved, as moving them is a remapping (paused
/// integrations only).
pub async fn archive(
    store: &dyn Store,
    actor: &Actor,
    id: ActivityId,
) -> Result<(), ActivityError> {
    if !actor.role.may_manage_integrations() {
        return Err(ActivityError::Forbidden);
    }
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::ActivityArchived,
        subject: format!("activity {}", id.0),
        integration: None,
    };
    match store
        .workforce()
        .archive_activity(actor.account_id, id, &audit)
        .await?
    {
        Archived::Archived => Ok(()),
        Archived::Missing => Err(ActivityError::Missing),
        Archived::Default => Err(ActivityError::DefaultKept),
        Archived::InUse => Err(ActivityError::InUse),
    }
}

/// A page of the account's activities, the default first, then by name.
pub async fn list(
    store: &dyn Store,
    actor: &Actor,
    page: PageRequest,
) -> Result<(Vec<Activity>, u64), StoreError> {
    store.workforce().activities(actor.account_id, page).await
}

/// The integration's status, if the actor may remap its activities now.
async fn remappable(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
) -> Result<Status, ActivityError> {
    if !actor.role.may_manage_integrations() {
        return Err(ActivityError::Forbidden);
    }
    let found = store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(ActivityError::NotFound)?;
    match found.status {
        Status::Deleted => Err(ActivityError::Deleted),
        status if status.allows_activity_remapping() => Ok(status),
        _ => Err(ActivityError::NotPaused),
    }
}

/// Maps an external activity id of a paused integration to an activity of
/// the account (mapping it again to another activity replaces the first).
/// Refused when the integration was resumed meanwhile.
pub async fn map(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    external_id: &ExternalId,
    activity: ActivityId,
) -> Result<(), ActivityError> {
    let status = remappable(store, actor, integration).await?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::ActivityMapped,
        subject: external_id.as_str().to_owned(),
        integration: Some(integration),
    };
    match store
        .workforce()
        .map_activity(
            actor.account_id,
            integration,
            status,
            external_id,
            activity,
            &audit,
        )
        .await
    {
        Ok(true) => {
            store
                .workforce()
                .announce(super::mapping::remapped(actor))
                .await;
            Ok(())
        }
        Ok(false) => Err(ActivityError::NoSuchActivity),
        Err(WriteError::Stale) => Err(ActivityError::NotPaused),
        Err(WriteError::Store(error)) => Err(error.into()),
    }
}

/// Removes an external activity's mapping: it is *Present* again. Removing
/// one that is not there changes nothing (`false`).
pub async fn unmap(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    external_id: &ExternalId,
) -> Result<bool, ActivityError> {
    let status = remappable(store, actor, integration).await?;
    let audit = AuditEntry {
        actor: actor.user_id,
        action: AuditAction::ActivityUnmapped,
        subject: external_id.as_str().to_owned(),
        integration: Some(integration),
    };
    match store
        .workforce()
        .unmap_activity(actor.account_id, integration, status, external_id, &audit)
        .await
    {
        Ok(removed) => {
            if removed {
                store
                    .workforce()
                    .announce(super::mapping::remapped(actor))
                    .await;
            }
            Ok(removed)
        }
        Err(WriteError::Stale) => Err(ActivityError::NotPaused),
        Err(WriteError::Store(error)) => Err(error.into()),
    }
}

/// A page of the activity ids an integration has sent, by id, with their
/// mappings, and how many there are. Any role may read.
pub async fn discovered(
    store: &dyn Store,
    actor: &Actor,
    integration: IntegrationId,
    page: PageRequest,
) -> Result<(Vec<DiscoveredActivity>, u64), ActivityError> {
    store
        .integration(actor.account_id, integration)
        .await?
        .ok_or(ActivityError::NotFound)?;
    Ok(store
        .workforce()
        .discovered_activities(integration, page)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_is_six_hex_digits() {
        assert_eq!(
            Colour::parse(" #16A34A ").map(|c| c.as_str().to_owned()),
            Ok("#16a34a".into())
        );
        assert_eq!(Colour::parse("16a34a"), Err(InvalidColour));
        assert_eq!(Colour::parse("#16a34"), Err(InvalidColour));
        assert_eq!(Colour::parse("#16a34g"), Err(InvalidColour));
    }

    #[test]
    fn categories_round_trip() {
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()), Ok(category));
        }
        assert_eq!(Category::parse("lunch"), Err(UnknownCategory));
    }

    #[test]
    fn activities_are_remapped_only_while_nothing_flows_in() {
        let allowed: Vec<Status> = Status::ALL
            .into_iter()
            .filter(|status| status.allows_activity_remapping())
            .collect();
        assert_eq!(allowed, [Status::AwaitingLink, Status::Paused]);
    }
}
