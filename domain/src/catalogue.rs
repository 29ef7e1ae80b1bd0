//! What can be connected, as data: the tiles of *Add integration* and the
//! models under each. A vendor connector is added here, once it works,
//! without touching the pages.

use serde::{Deserialize, Serialize};

use crate::integration::IntegrationKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tile {
    /// Vendors' cloud APIs, connected directly.
    Cloud,
    /// Vendor systems on the customer's premises, through Cloud Link.
    OnPremise,
    /// Database, CSV and API: any system can feed these.
    Universal,
}

impl Tile {
    pub const ALL: [Tile; 3] = [Tile::Cloud, Tile::OnPremise, Tile::Universal];

    pub fn as_str(self) -> &'static str {
        match self {
            Tile::Cloud => "cloud",
            Tile::OnPremise => "on_premise",
            Tile::Universal => "universal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tile| tile.as_str() == s)
    }
}

/// One choice under a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Model {
    /// Stable id, used in URLs and translation keys.
    pub id: &'static str,
    pub tile: Tile,
    pub kind: IntegrationKind,
    /// A vendor's product name (never translated); `None` for the
    /// generic models, whose names the pages translate.
    pub vendor_name: Option<&'static str>,
}

/// Only connectors that really work are listed. No cloud vendor has one
/// yet, so the Cloud tile is empty and says so.
pub const MODELS: &[Model] = &[
    Model {
        id: "cloud_link",
        tile: Tile::OnPremise,
        kind: IntegrationKind::OnPremise,
        vendor_name: None,
    },
    Model {
        id: "database",
        tile: Tile::Universal,
        kind: IntegrationKind::Database,
        vendor_name: None,
    },
    Model {
        id: "csv",
        tile: Tile::Universal,
        kind: IntegrationKind::Csv,
        vendor_name: None,
    },
    Model {
        id: "api",
        tile: Tile::Universal,
        kind: IntegrationKind::Api,
        vendor_name: None,
    },
];

pub fn models(tile: Tile) -> impl Iterator<Item = &'static Model> {
    MODELS.iter().filter(move |model| model.tile == tile)
}

pub fn model(id: &str) -> Option<&'static Model> {
    MODELS.iter().find(|model| model.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn universal_interfaces_offer_database_csv_and_api() {
        let ids: Vec<_> = models(Tile::Universal).map(|m| m.id).collect();
        assert_eq!(ids, ["database", "csv", "api"]);
    }

    #[test]
    fn the_cloud_tile_offers_nothing_until_a_connector_works() {
        assert_eq!(models(Tile::Cloud).count(), 0);
    }

    #[test]
    fn model_ids_are_unique_and_found() {
        for m in MODELS {
            assert_eq!(model(m.id), Some(m));
        }
        assert_eq!(model("five9"), None);
    }
}
