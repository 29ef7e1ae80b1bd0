//! The page a client sees when sign-in is throttled. The server answers the
//! sign-in POST with it and status 429, so it is rendered on its own rather
//! than through the router.

use leptos::prelude::*;

use crate::i18n::*;

/// A complete HTML document in the given language.
pub fn render(locale: Locale, retry_after_seconds: u64) -> String {
    let title = td_string!(locale, too_many.title).to_string();
    let body = td_string!(locale, too_many.body).to_string();
    let retry = td_string!(locale, too_many.retry, seconds = retry_after_seconds).to_string();
    let back = td_string!(locale, too_many.back).to_string();
    let page = view! {
        <main class="flex min-h-screen items-center justify-center px-6">
            <div class="w-full max-w-md rounded-2xl border border-amber-200 bg-white p-8 text-center shadow-sm">
                <p class="text-sm font-semibold text-amber-600">"429"</p>
                <h1 class="mt-2 text-2xl font-semibold tracking-tight text-slate-900">{title.clone()}</h1>
                <p class="mt-3 text-slate-600">{body}</p>
                <p class="mt-3 font-medium text-slate-900" data-test="retry-after">{retry}</p>
                <a
                    href="/login"
                    class="mt-6 inline-block rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
                >
                    {back}
                </a>
            </div>
        </main>
    };
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Intake</title><link rel=\"stylesheet\" href=\"/pkg/intake.css\"></head>\
         <body class=\"min-h-screen bg-slate-50 text-slate-900 antialiased\">{page}</body></html>",
        lang = locale.as_str(),
        title = html_escape(&title),
        page = page.to_html(),
    )
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
