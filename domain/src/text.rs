//! Display names typed by people: organisations, integrations, tokens.

/// Why a typed name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("enter a name")]
    Empty,
    #[error("a name has at most {0} characters")]
    TooLong(usize),
    #[error("a name cannot contain control characters")]
    ControlCharacter,
}

/// Trims `input` and checks it has 1 to `max_chars` characters of any
/// script and no control characters (markup is just text).
pub fn parse_name(input: &str, max_chars: usize) -> Result<String, NameError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    if trimmed.chars().count() > max_chars {
        return Err(NameError::TooLong(max_chars));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(parse_name("  Sales  ", 10), Ok("Sales".to_owned()));
    }

    #[test]
    fn the_limit_counts_characters_in_any_script() {
        assert!(parse_name(&"日".repeat(10), 10).is_ok());
        assert_eq!(
            parse_name(&"日".repeat(11), 10),
            Err(NameError::TooLong(10))
        );
    }

    #[test]
    fn blank_and_control_characters_are_refused() {
        assert_eq!(parse_name(" \n ", 10), Err(NameError::Empty));
        assert_eq!(parse_name("a\u{0}b", 10), Err(NameError::ControlCharacter));
    }
}
