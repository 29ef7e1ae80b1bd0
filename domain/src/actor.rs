//! Who is acting: a signed-in user or a personal access token's owner.

use crate::{AccountId, EmailAddress, Role, UserId};

/// Every service call names its actor; the services check the role and
/// scope every read and write to the actor's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub account_id: AccountId,
    pub role: Role,
    pub email: EmailAddress,
}
