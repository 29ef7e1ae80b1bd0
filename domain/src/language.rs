//! The languages the console speaks.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// A language of the console. Dutch and French are first-class: the product's
/// help pages were written in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Nl,
    Fr,
    De,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the console speaks en, nl, fr and de")]
pub struct UnknownLanguage;

impl Language {
    pub const ALL: [Language; 4] = [Language::En, Language::Nl, Language::Fr, Language::De];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Nl => "nl",
            Language::Fr => "fr",
            Language::De => "de",
        }
    }

    /// The language's own name for itself, as a switcher shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Nl => "Nederlands",
            Language::Fr => "Français",
            Language::De => "Deutsch",
        }
    }
}

impl FromStr for Language {
    type Err = UnknownLanguage;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|language| language.code().eq_ignore_ascii_case(s.trim()))
            .ok_or(UnknownLanguage)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_round_trips_through_its_code() {
        for language in Language::ALL {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
        }
    }

    #[test]
    fn codes_are_case_insensitive() {
        assert_eq!("NL".parse::<Language>(), Ok(Language::Nl));
    }

    #[test]
    fn an_unsupported_language_is_rejected() {
        assert_eq!("es".parse::<Language>(), Err(UnknownLanguage));
    }
}
