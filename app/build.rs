//! Generates the `i18n` module from `locales/*.json` at compile time, so a
//! missing or misspelt translation key is a build error, not a blank label.

use std::{error::Error, path::PathBuf};

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let config = Config::new("en")?
        .add_locale("nl")?
        .add_locale("fr")?
        .add_locale("de")?
        // Lets `t_string!` interpolate, for attributes and server-rendered text.
        .parse_options(ParseOptions::default().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out_dir.join("i18n"))?;
    Ok(())
}
