//! `/account/queues`: every queue the account's integrations have sent
//! data for. Queues are created by the data and cannot be deleted.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::forms::ErrorAlert,
    data::list_queues,
    format::short_time,
    i18n::*,
    pages::integrations::{form::app_error_text, list::Breadcrumb},
};

pub fn channel_text(i18n: leptos_i18n::I18nContext<Locale>, channel: &str) -> String {
    match channel {
        "calls" => t_string!(i18n, queues.channel_calls),
        "chats" => t_string!(i18n, queues.channel_chats),
        "emails" => t_string!(i18n, queues.channel_emails),
        "social_media" => t_string!(i18n, queues.channel_social_media),
        "documents" => t_string!(i18n, queues.channel_documents),
        _ => t_string!(i18n, queues.channel_cases),
    }
    .to_string()
}

#[component]
pub fn QueuesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    // A memo, so the list is fetched again only when the page number
    // itself changes, not whenever the query string is touched.
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|page| page.parse::<u32>().ok())
            .unwrap_or(1)
    });
    let queues = Resource::new(move || page.get(), list_queues);
    view! {
        <Title text=move || t_string!(i18n, queues.title).to_string() />
        <Breadcrumb>
            <li aria-current="page" class="font-medium text-slate-700">{t!(i18n, queues.title)}</li>
        </Breadcrumb>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, queues.title)}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, queues.intro)}</p>
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match queues.await {
                    Ok(found) if found.total == 0 => view! {
                        <div class="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center" data-test="queues-empty">
                            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, queues.empty_title)}</h2>
                            <p class="mx-auto mt-2 max-w-xl text-sm text-slate-600">{t!(i18n, queues.empty_body)}</p>
                            <a href="/api/docs" class="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline">{t!(i18n, queues.api_reference)}</a>
                        </div>
                    }.into_any(),
                    Ok(found) => {
                        let (current, pages) = (found.page, found.pages);
                        view! {
                        <div class="mt-6 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                            <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="queues-table">
                                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                    <tr>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, queues.col_name)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, queues.col_identifier)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, queues.col_channel)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, queues.col_integration)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, queues.col_first)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, queues.col_last)}</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {found.queues.into_iter().map(|queue| view! {
                                        <tr data-test="queue-row">
                                            <td class="px-4 py-3 font-medium">
                                                <A href=format!("/account/queues/{}", queue.id) attr:class="text-indigo-700 hover:underline">{queue.name}</A>
                                            </td>
                                            <td class="px-4 py-3 font-mono text-xs text-slate-600">{queue.identifier}</td>
                                            <td class="px-4 py-3 text-slate-700">{channel_text(i18n, &queue.channel)}</td>
                                            <td class="px-4 py-3">
                                                <A href=format!("/account/integrations/{}", queue.integration_id) attr:class="text-slate-700 hover:underline">{queue.integration_name}</A>
                                            </td>
                                            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{short_time(&queue.first_data_at)}</td>
                                            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{short_time(&queue.last_data_at)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {(pages > 1).then(|| view! {
                            <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, queues.pages).to_string()>
                                <span class="text-slate-500">{t_string!(i18n, audit.page_of, page = current, pages = pages).to_string()}</span>
                                <span class="flex gap-4">
                                    {(current > 1).then(|| view! { <A href=format!("/account/queues?page={}", current - 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.previous)}</A> })}
                                    {(current < pages).then(|| view! { <A href=format!("/account/queues?page={}", current + 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.next)}</A> })}
                                </span>
                            </nav>
                        })}
                    }.into_any()
                    }
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}
