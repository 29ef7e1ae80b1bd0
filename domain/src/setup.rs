//! Creating an account with its first admin: by the first-run page, or by
//! `intake admin create` for provisioning.

use crate::{AccountId, AccountName, EmailAddress, Language, Password};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct UserId(pub i64);

/// What the first-run page and the provisioning command ask for.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub account_name: AccountName,
    pub admin_email: EmailAddress,
    pub admin_password: Password,
    pub language: Language,
}

/// When an account may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// The first-run page: only while no user exists at all.
    FirstRun,
    /// Provisioning by an operator: any time.
    Provisioning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedAccount {
    pub account_id: AccountId,
    pub admin_id: UserId,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    #[error("Intake is already set up; sign in instead")]
    AlreadySetUp,
    #[error("a user with this email address already exists")]
    DuplicateEmail,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}
