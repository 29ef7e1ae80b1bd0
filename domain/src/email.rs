//! Email addresses as users sign in with them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A syntactically plausible email address, trimmed and lower-cased so that
/// `Bob@Example.com` and `bob@example.com` are one sign-in identity.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("enter an email address")]
    Empty,
    #[error("an email address has at most 254 characters")]
    TooLong,
    #[error("an email address looks like name@example.com")]
    Malformed,
}

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > Self::MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.split_once('@').ok_or(EmailError::Malformed)?;
        let well_formed = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !trimmed
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'));
        if !well_formed {
            return Err(EmailError::Malformed);
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_address_is_accepted_and_lower_cased() {
        let email = EmailAddress::parse("  Bob@MyCompany.com ").expect("valid");
        assert_eq!(email.as_str(), "bob@mycompany.com");
    }

    #[test]
    fn an_empty_address_is_rejected() {
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn an_address_without_at_sign_is_rejected() {
        assert_eq!(
            EmailAddress::parse("bob.example.com"),
            Err(EmailError::Malformed)
        );
    }

    #[test]
    fn an_address_without_a_dotted_domain_is_rejected() {
        assert_eq!(
            EmailAddress::parse("bob@localhost"),
            Err(EmailError::Malformed)
        );
        assert_eq!(EmailAddress::parse("bob@.com"), Err(EmailError::Malformed));
        assert_eq!(
            EmailAddress::parse("bob@example..com"),
            Err(EmailError::Malformed)
        );
    }

    #[test]
    fn an_address_with_two_at_signs_or_spaces_is_rejected() {
        assert_eq!(
            EmailAddress::parse("a@b@example.com"),
            Err(EmailError::Malformed)
        );
        assert_eq!(
            EmailAddress::parse("bob smith@example.com"),
            Err(EmailError::Malformed)
        );
    }

    #[test]
    fn markup_is_never_part_of_an_address() {
        assert_eq!(
            EmailAddress::parse("<img src=x>@example.com"),
            Err(EmailError::Malformed)
        );
    }

    #[test]
    fn an_overlong_address_is_rejected() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn international_addresses_are_accepted() {
        assert!(EmailAddress::parse("zoë@exämple.nl").is_ok());
    }
}
