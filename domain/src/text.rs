//! Text people and systems send: display names typed by people
//! (organisations, integrations, tokens) and the text fields of the APIs.
//!
//! One rule for every text field: no control characters (NUL among them,
//! which PostgreSQL cannot store). Names also refuse the Unicode controls
//! that reorder text (bidi embeddings, overrides and isolates), which can
//! make one name look like another in a list.

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

/// Control characters (Unicode `Cc`: C0, DEL and C1), refused in every
/// text field.
const CONTROLS: [(char, char); 2] = [('\u{0}', '\u{1F}'), ('\u{7F}', '\u{9F}')];
/// Bidi embeddings, overrides and isolates, refused in names as well.
const REORDERING: [(char, char); 2] = [('\u{202A}', '\u{202E}'), ('\u{2066}', '\u{2069}')];

fn within(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// The first character a text field may not hold: a control character
/// (C0, DEL, C1).
pub fn control_character(text: &str) -> Option<char> {
    text.chars().find(|&c| within(&CONTROLS, c))
}

/// The first character a name may not hold: a control character or a
/// bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069).
pub fn forbidden_in_name(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| within(&CONTROLS, c) || within(&REORDERING, c))
}

/// The same rules as a regular expression (ECMA-262, as JSON Schema's
/// `pattern`) for published schemas: text that is not blank and holds
/// none of the refused characters (`name` adds the reordering ones).
pub fn pattern(name: bool) -> String {
    let refused: String = CONTROLS
        .iter()
        .chain(if name { &REORDERING[..] } else { &[] })
        .map(|&(first, last)| format!("\\u{:04X}-\\u{:04X}", u32::from(first), u32::from(last)))
        .collect();
    format!("^[^{refused}]*[^\\s{refused}][^{refused}]*$")
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
    if forbidden_in_name(trimmed).is_some() {
        return Err(NameError::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refused_characters_are_exactly_the_unicode_controls() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(
                within(&CONTROLS, c),
                c.is_control(),
                "U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn the_pattern_names_the_same_ranges() {
        assert_eq!(
            pattern(false),
            r"^[^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u001F\u007F-\u009F]*$"
        );
        assert!(pattern(true).contains(r"\u202A-\u202E\u2066-\u2069"));
    }

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

    #[test]
    fn names_refuse_the_controls_that_reorder_text() {
        for sneaky in [
            "evil\u{202E}gpj.exe",
            "a\u{2066}b",
            "a\u{202A}b",
            "a\u{2069}",
        ] {
            assert_eq!(
                parse_name(sneaky, 40),
                Err(NameError::ControlCharacter),
                "{sneaky:?}"
            );
        }
        // Right-to-left scripts themselves are welcome.
        assert!(parse_name("מוקד שירות", 40).is_ok());
        assert!(parse_name("مركز الاتصال", 40).is_ok());
    }

    #[test]
    fn text_fields_refuse_nul_and_other_controls_but_not_markup() {
        assert_eq!(control_character("a\u{0}b"), Some('\u{0}'));
        assert_eq!(control_character("tab\there"), Some('\t'));
        assert_eq!(control_character("\u{85}"), Some('\u{85}'));
        assert_eq!(control_character("<b>bold</b> & \"quotes\""), None);
        assert_eq!(control_character("bob@mycompany.com "), None);
    }
}
