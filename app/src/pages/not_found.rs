//! Every unknown path.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::*;

/// Answers the request 404 when rendered on the server (an asynchronous
/// route's status is set before the first byte goes out).
pub fn answer_not_found() {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    answer_not_found();
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, not_found.title).to_string() />
        <main class="flex min-h-screen items-center justify-center px-6">
            <div class="text-center">
                <p class="text-sm font-semibold text-indigo-600">"404"</p>
                <h1 class="mt-2 text-3xl font-semibold tracking-tight">{t!(i18n, not_found.title)}</h1>
                <p class="mt-3 text-slate-600">{t!(i18n, not_found.body)}</p>
                <a
                    href="/account/integrations"
                    class="mt-6 inline-block rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
                >
                    {t!(i18n, not_found.home)}
                </a>
            </div>
        </main>
    }
}
