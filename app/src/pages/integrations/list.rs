//! `/account/integrations`: the account's integrations.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{components::icons::PlugIcon, i18n::*};

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, integrations.title).to_string() />
        <nav aria-label=move || t_string!(i18n, nav.breadcrumb).to_string() class="text-sm text-slate-500">
            <ol class="flex items-center gap-2">
                <li>{t!(i18n, nav.account)}</li>
                <li aria-hidden="true">"›"</li>
                <li aria-current="page" class="font-medium text-slate-700">
                    {t!(i18n, nav.integrations)}
                </li>
            </ol>
        </nav>
        <div class="mt-3">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900">
                {t!(i18n, integrations.title)}
            </h1>
            <p class="mt-1 max-w-2xl text-sm text-slate-600">{t!(i18n, integrations.intro)}</p>
        </div>
        <section
            data-test="integrations-empty"
            class="mt-8 rounded-2xl border-2 border-dashed border-slate-200 bg-white px-6 py-16 text-center"
        >
            <div class="mx-auto flex h-16 w-16 items-center justify-center rounded-full bg-indigo-50">
                <PlugIcon />
            </div>
            <h2 class="mt-4 text-lg font-semibold text-slate-900">{t!(i18n, integrations.empty_title)}</h2>
            <p class="mx-auto mt-2 max-w-md text-sm text-slate-600">{t!(i18n, integrations.empty_body)}</p>
            <p class="mx-auto mt-2 max-w-md text-sm text-slate-500">{t!(i18n, integrations.empty_how)}</p>
        </section>
    }
}
