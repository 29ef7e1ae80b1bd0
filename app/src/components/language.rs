//! The language switcher: a plain form, so it works before (and without)
//! JavaScript; the server remembers the choice per user.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::{
    components::icons::{ChevronDownIcon, GlobeIcon},
    i18n::*,
};

fn language_name(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "English",
        Locale::nl => "Nederlands",
        Locale::fr => "Français",
        Locale::de => "Deutsch",
    }
}

#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let next = move || {
        let path = location.pathname.get();
        let query = location.search.get();
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    };
    let current = move || i18n.get_locale();
    view! {
        <details class="group relative" data-test="language-switcher">
            <summary
                class="flex cursor-pointer list-none items-center gap-1.5 rounded-lg px-2.5 py-1.5 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                aria-label=move || t_string!(i18n, language.choose).to_string()
            >
                <GlobeIcon />
                <span class="uppercase">{move || current().as_str()}</span>
                <ChevronDownIcon />
            </summary>
            <form
                method="post"
                action="/language"
                class="absolute right-0 z-20 mt-2 w-44 rounded-xl border border-slate-200 bg-white p-1 shadow-lg"
            >
                <input type="hidden" name="next" value=next />
                <p class="px-3 pb-1 pt-2 text-xs font-medium uppercase tracking-wide text-slate-400">
                    {t!(i18n, language.label)}
                </p>
                {Locale::get_all()
                    .iter()
                    .copied()
                    .map(|locale| {
                        view! {
                            <button
                                type="submit"
                                name="language"
                                value=locale.as_str()
                                lang=locale.as_str()
                                aria-current=move || (current() == locale).then_some("true")
                                class="flex w-full items-center justify-between rounded-lg px-3 py-2 text-left text-sm text-slate-700 hover:bg-slate-100 aria-[current=true]:font-semibold aria-[current=true]:text-indigo-700"
                            >
                                {language_name(locale)}
                            </button>
                        }
                    })
                    .collect_view()}
            </form>
        </details>
    }
}
