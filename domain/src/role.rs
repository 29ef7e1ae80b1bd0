//! What a user may do.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May manage integrations.
    Admin,
    /// Reads integrations; plans with the data.
    Planner,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a role is admin or planner")]
pub struct UnknownRole;

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
        }
    }

    pub fn may_manage_integrations(self) -> bool {
        self == Role::Admin
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "planner" => Ok(Role::Planner),
            _ => Err(UnknownRole),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::Admin, Role::Planner] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn an_unknown_role_is_rejected() {
        assert_eq!("owner".parse::<Role>(), Err(UnknownRole));
        assert_eq!("Admin".parse::<Role>(), Err(UnknownRole));
    }

    #[test]
    fn only_admins_manage_integrations() {
        assert!(Role::Admin.may_manage_integrations());
        assert!(!Role::Planner.may_manage_integrations());
    }
}
