//! Accounts: one customer organisation each.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountId(pub i64);

/// An organisation's display name: trimmed, 1–100 characters, any script,
/// no control characters.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

pub use crate::text::NameError as AccountNameError;

impl AccountName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, AccountNameError> {
        crate::text::parse_name(input, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AccountName {
    type Error = AccountNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AccountName> for String {
    fn from(value: AccountName) -> Self {
        value.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountName({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        let name = AccountName::parse("  Acme Support  ").expect("valid");
        assert_eq!(name.as_str(), "Acme Support");
    }

    #[test]
    fn an_empty_or_blank_name_is_rejected() {
        assert_eq!(AccountName::parse(""), Err(AccountNameError::Empty));
        assert_eq!(AccountName::parse(" \t "), Err(AccountNameError::Empty));
    }

    #[test]
    fn a_hundred_characters_in_any_script_are_accepted() {
        assert!(AccountName::parse(&"ü".repeat(100)).is_ok());
        assert!(AccountName::parse("Служба поддержки").is_ok());
        assert!(AccountName::parse("客户服务中心").is_ok());
    }

    #[test]
    fn a_hundred_and_one_characters_are_rejected() {
        assert_eq!(
            AccountName::parse(&"a".repeat(101)),
            Err(AccountNameError::TooLong(100))
        );
    }

    #[test]
    fn control_characters_are_rejected() {
        assert_eq!(
            AccountName::parse("Acme\u{7}Support"),
            Err(AccountNameError::ControlCharacter)
        );
    }

    #[test]
    fn markup_is_kept_as_text() {
        let name = AccountName::parse("<b>Acme</b>").expect("valid");
        assert_eq!(name.as_str(), "<b>Acme</b>");
    }
}
