//! The password policy for new passwords.

use std::fmt;

/// A new password that meets the policy. Its `Debug` never shows the secret.
///
/// The policy follows NIST SP 800-63B: length matters, composition rules do
/// not. Passwords at sign-in are *not* parsed with this type, so tightening
/// the policy never locks anybody out.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password has at least {min} characters", min = Password::MIN_CHARS)]
    TooShort,
    #[error("a password has at most {max} characters", max = Password::MAX_CHARS)]
    TooLong,
    #[error("a password cannot be only spaces")]
    Blank,
}

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        let chars = input.chars().count();
        if input.trim().is_empty() && chars > 0 {
            return Err(PasswordError::Blank);
        }
        if chars < Self::MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > Self::MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_enough_password_is_accepted() {
        assert!(Password::parse("correct horse battery").is_ok());
    }

    #[test]
    fn a_short_password_is_rejected() {
        assert_eq!(Password::parse("short"), Err(PasswordError::TooShort));
        assert_eq!(Password::parse(""), Err(PasswordError::TooShort));
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Ten characters, twenty bytes.
        assert!(Password::parse("éééééééééé").is_ok());
        assert_eq!(Password::parse("ééééé"), Err(PasswordError::TooShort));
    }

    #[test]
    fn an_overlong_password_is_rejected() {
        assert_eq!(
            Password::parse(&"x".repeat(257)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn a_password_of_only_spaces_is_rejected() {
        assert_eq!(Password::parse(&" ".repeat(12)), Err(PasswordError::Blank));
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let password = Password::parse("hunter2hunter2").expect("valid");
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
