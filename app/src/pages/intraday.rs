//! `/intraday`: every mapped employee with the activity they are in now,
//! longest in their activity first. With JavaScript the board reads itself
//! again every two seconds and says when it last did; without, *Refresh*
//! reloads it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::forms::ErrorAlert,
    data::{intraday_board, BoardAgentView},
    format::{in_status, short_time},
    i18n::*,
    pages::integrations::form::app_error_text,
};

/// How often the hydrated board reads itself again.
#[cfg(feature = "hydrate")]
const REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

#[component]
pub fn IntradayPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let activity = Memo::new(move |_| {
        query
            .read()
            .get("activity")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let board = Resource::new(move || activity.get(), intraday_board);
    let live = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        live.set(true);
        if board.get().is_some() {
            if let Ok(handle) = set_timeout_with_handle(move || board.refetch(), REFRESH) {
                on_cleanup(move || handle.clear());
            }
        }
    });
    view! {
        <Title text=move || t_string!(i18n, intraday.title).to_string() />
        <div class="flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, intraday.title)}</h1>
                <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, intraday.intro)}</p>
            </div>
            <form method="get" action="/intraday" class="flex items-end gap-2" data-test="intraday-filter">
                <label class="text-sm font-medium text-slate-700">
                    {t!(i18n, intraday.filter)}
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let activities = board.await.map(|b| b.activities).unwrap_or_default();
                            let chosen = activity.get_untracked();
                            view! {
                                <select name="activity" class="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm">
                                    <option value="0" selected=chosen == 0>{t!(i18n, intraday.all)}</option>
                                    {activities.into_iter().map(|a| view! {
                                        <option value=a.id.to_string() selected=chosen == a.id>{a.name}</option>
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                </label>
                <button type="submit" class="rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
                    {t!(i18n, intraday.show)}
                </button>
            </form>
        </div>
        <Transition fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(found) if found.total == 0 => view! {
                        <div class="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center" data-test="intraday-empty">
                            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, intraday.empty_title)}</h2>
                            <p class="mx-auto mt-2 max-w-xl text-sm text-slate-600">{t!(i18n, intraday.empty_body)}</p>
                            <a href="/api/docs" class="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline">{t!(i18n, intraday.api_reference)}</a>
                        </div>
                    }.into_any(),
                    Ok(found) => {
                        let shown = found.agents.len();
                        let total = found.total;
                        let at = short_time(&found.at);
                        view! {
                            <div class="mt-6 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
                                <span>{t_string!(i18n, intraday.count, shown = shown, total = total).to_string()}</span>
                                <span class="flex items-center gap-3" data-test="intraday-updated">
                                    <span class="inline-flex items-center gap-1.5">
                                        <span class=move || if live.get() { "h-2 w-2 rounded-full bg-emerald-500" } else { "h-2 w-2 rounded-full bg-slate-400" } aria-hidden="true"></span>
                                        {t_string!(i18n, intraday.last_update, time = at.clone()).to_string()}
                                    </span>
                                    {move || if live.get() {
                                        view! { <span class="text-slate-500">{t!(i18n, intraday.live)}</span> }.into_any()
                                    } else {
                                        view! { <a href="" class="font-medium text-indigo-700 hover:underline">{t!(i18n, intraday.refresh)}</a> }.into_any()
                                    }}
                                </span>
                            </div>
                            <div class="mt-3 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                                <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="intraday-table">
                                    <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_employee)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_activity)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_in_status)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_since)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_integration)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {found.agents.into_iter().map(|agent| view! { <AgentRow agent /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AgentRow(agent: BoardAgentView) -> impl IntoView {
    let i18n = use_i18n();
    let activity = match (agent.activity, agent.external_activity) {
        (Some(activity), external) => view! {
            <span class="inline-flex items-center gap-2">
                <span class="h-3 w-3 shrink-0 rounded-full" style=format!("background-color: {}", activity.colour) aria-hidden="true"></span>
                <span class="font-medium text-slate-900" data-test="agent-activity">{activity.name}</span>
                {external.map(|id| view! {
                    <span class="text-xs text-slate-500">{t_string!(i18n, intraday.external, id = id).to_string()}</span>
                })}
            </span>
        }.into_any(),
        (None, _) => view! { <span class="text-slate-500" data-test="agent-activity">{t!(i18n, intraday.none)}</span> }.into_any(),
    };
    view! {
        <tr data-test="agent-row">
            <td class="px-4 py-3 font-medium text-slate-900">{agent.name}</td>
            <td class="px-4 py-3">{activity}</td>
            <td class="whitespace-nowrap px-4 py-3 tabular-nums text-slate-700">{agent.seconds_in_status.map(in_status)}</td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{agent.since.as_deref().map(short_time)}</td>
            <td class="px-4 py-3 text-slate-600">{agent.integration_name}</td>
        </tr>
    }
}
