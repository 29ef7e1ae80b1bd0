//! The import history on an integration's page: every request with its
//! time, counts, outcome and error summary, newest first, paginated with a
//! plain link (`?imports=N`), so it works without JavaScript.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::forms::ErrorAlert,
    data::{import_history, received_files, ImportView, ReceivedFilePage, ReceivedFileView},
    format::{file_size, short_time},
    i18n::*,
    pages::integrations::form::app_error_text,
};

fn outcome_badge(i18n: leptos_i18n::I18nContext<Locale>, outcome: &str) -> impl IntoView {
    let (text, class) = match outcome {
        "applied" => (
            t_string!(i18n, imports.applied),
            "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
        ),
        "held" => (
            t_string!(i18n, imports.held),
            "bg-amber-50 text-amber-800 ring-amber-600/20",
        ),
        _ => (
            t_string!(i18n, imports.rejected),
            "bg-red-50 text-red-700 ring-red-600/20",
        ),
    };
    view! {
        <span class=format!("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {class}")>{text.to_string()}</span>
    }
}

fn feed_text(i18n: leptos_i18n::I18nContext<Locale>, feed: &str) -> String {
    if feed == "agent_statuses" {
        t_string!(i18n, imports.feed_agent_statuses).to_string()
    } else {
        t_string!(i18n, imports.feed_contact_events).to_string()
    }
}

/// The page `?{param}=N` asks for; the first when none or a bad one.
fn page_number(query: &leptos_router::params::ParamsMap, param: &str) -> u32 {
    query
        .get(param)
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(1)
}

/// Newer / older links between the pages of a list on the integration's
/// page (`?{param}=N#{param}`): plain links, so they work without
/// JavaScript.
#[component]
fn Pager(
    integration: i64,
    param: &'static str,
    current: u32,
    pages: u32,
    label: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let href =
        move |page: u32| format!("/account/integrations/{integration}?{param}={page}#{param}");
    view! {
        <nav class="mt-4 flex items-center justify-between text-sm" aria-label=label>
            <span class="text-slate-500">{t_string!(i18n, audit.page_of, page = current, pages = pages).to_string()}</span>
            <div class="flex gap-3">
                {(current > 1).then(|| view! { <A href=href(current - 1) attr:class="font-medium text-indigo-700">{t!(i18n, audit.newer)}</A> })}
                {(current < pages).then(|| view! { <A href=href(current + 1) attr:class="font-medium text-indigo-700">{t!(i18n, audit.older)}</A> })}
            </div>
        </nav>
    }
}

#[component]
pub fn ImportHistory(#[prop(into)] integration: Signal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = move || page_number(&query.read(), "imports");
    let history = Resource::new(
        move || (integration.get(), page()),
        |(id, page)| import_history(id, page),
    );
    view! {
        <section class="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm" data-test="import-history" id="imports">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, imports.title)}</h2>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, imports.intro)}</p>
            <Suspense fallback=move || view! { <p class="mt-4 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(history) if history.imports.is_empty() => view! {
                            <p class="mt-4 text-sm text-slate-600" data-test="no-imports">{t!(i18n, imports.none)}</p>
                        }.into_any(),
                        Ok(history) => {
                            let (current, pages) = (history.page, history.pages);
                            let id = integration.get_untracked();
                            view! {
                                <div class="mt-4 overflow-x-auto">
                                    <table class="min-w-full divide-y divide-slate-200 text-sm">
                                        <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                            <tr>
                                                <th scope="col" class="px-3 py-2">{t!(i18n, imports.received)}</th>
                                                <th scope="col" class="px-3 py-2">{t!(i18n, imports.data)}</th>
                                                <th scope="col" class="px-3 py-2">{t!(i18n, imports.outcome)}</th>
                                                <th scope="col" class="px-3 py-2 text-right">{t!(i18n, imports.items)}</th>
                                                <th scope="col" class="px-3 py-2">{t!(i18n, imports.details)}</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {history.imports.into_iter().map(|import| view! { <ImportRow import /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pager integration=id param="imports" current pages label=t_string!(i18n, imports.pages).to_string() />
                            }.into_any()
                        }
                        Err(error) => view! { <div class="mt-4"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ImportRow(import: ImportView) -> impl IntoView {
    let i18n = use_i18n();
    let details = match (&import.error_summary, import.new_queues) {
        (Some(summary), _) => t_string!(
            i18n,
            imports.problems,
            count = import.error_count,
            summary = summary.clone()
        )
        .to_string(),
        (None, 0) => String::new(),
        (None, queues) => t_string!(i18n, imports.new_queues, count = queues).to_string(),
    };
    view! {
        <tr data-test="import-row" data-outcome=import.outcome.clone()>
            <td class="whitespace-nowrap px-3 py-2 text-slate-600">{short_time(&import.received_at)}</td>
            <td class="px-3 py-2 text-slate-700">{feed_text(i18n, &import.feed)}</td>
            <td class="px-3 py-2">{outcome_badge(i18n, &import.outcome)}</td>
            <td class="px-3 py-2 text-right tabular-nums">{import.items}</td>
            <td class="px-3 py-2 text-slate-600">
                {import.file_name.map(|name| view! { <span class="block font-medium text-slate-700" data-test="import-file">{name}</span> })}
                {details}
            </td>
        </tr>
    }
}

/// The files the integration's Cloud Link client uploaded from its import
/// folder, newest first, paginated with a plain link (`?files=N`); shown
/// for CSV integrations only. It sits outside the detail's `Suspense`, as
/// the import history does, so its resource loads with the page's context.
#[component]
pub fn ReceivedFiles(#[prop(into)] integration: Signal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = move || page_number(&query.read(), "files");
    let files = Resource::new(
        move || (integration.get(), page()),
        |(id, page)| received_files(id, page),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match files.await {
                    Ok(None) => ().into_any(),
                    Ok(Some(files)) => view! { <FileSection files integration=integration.get_untracked() /> }.into_any(),
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn FileSection(files: ReceivedFilePage, integration: i64) -> impl IntoView {
    let i18n = use_i18n();
    let (current, pages) = (files.page, files.pages);
    let id = integration;
    view! {
        <section class="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm" data-test="received-files" id="files">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, files.title)}</h2>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, files.intro)}</p>
            {if files.files.is_empty() {
                view! { <p class="mt-4 text-sm text-slate-600" data-test="no-files">{t!(i18n, files.none)}</p> }.into_any()
            } else {
                view! {
                    <div class="mt-4 overflow-x-auto">
                        <table class="min-w-full divide-y divide-slate-200 text-sm">
                            <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                <tr>
                                    <th scope="col" class="px-3 py-2">{t!(i18n, imports.received)}</th>
                                    <th scope="col" class="px-3 py-2">{t!(i18n, files.name)}</th>
                                    <th scope="col" class="px-3 py-2 text-right">{t!(i18n, files.size)}</th>
                                    <th scope="col" class="px-3 py-2">"SHA-256"</th>
                                    <th scope="col" class="px-3 py-2">{t!(i18n, imports.outcome)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {files.files.into_iter().map(|file| view! { <FileRow file /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <Pager integration=id param="files" current pages label=t_string!(i18n, files.pages).to_string() />
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn FileRow(file: ReceivedFileView) -> impl IntoView {
    let i18n = use_i18n();
    let (text, class) = if file.outcome == "received" {
        (
            t_string!(i18n, files.received).to_string(),
            "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
        )
    } else {
        (
            t_string!(i18n, files.duplicate).to_string(),
            "bg-slate-100 text-slate-700 ring-slate-500/20",
        )
    };
    let short = file.sha256.get(..12).unwrap_or(&file.sha256).to_owned();
    view! {
        <tr data-test="file-row" data-outcome=file.outcome.clone()>
            <td class="whitespace-nowrap px-3 py-2 text-slate-600">{short_time(&file.received_at)}</td>
            <td class="px-3 py-2 font-medium text-slate-900" data-test="file-name">{file.name}</td>
            <td class="whitespace-nowrap px-3 py-2 text-right tabular-nums text-slate-700">{file_size(file.size)}</td>
            <td class="px-3 py-2"><code class="font-mono text-xs text-slate-600" title=file.sha256>{short}"…"</code></td>
            <td class="px-3 py-2">
                <span class=format!("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {class}")>{text}</span>
            </td>
        </tr>
    }
}
