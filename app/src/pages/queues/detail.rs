//! `/account/queues/{id}`: a queue's interval statistics over a chosen
//! range of UTC days, as a chart with the figures in a table behind it.
//! The range form is a plain GET form, so it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use super::list::channel_text;
use crate::{
    components::{
        chart::{IntervalChart, IntervalTable},
        forms::ErrorAlert,
    },
    data::{queue_statistics, QueueStats, DAY_CHOICES},
    format::short_time,
    i18n::*,
    pages::integrations::{form::app_error_text, list::Breadcrumb},
};

#[component]
pub fn QueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let request = move || {
        let id = params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<i64>().ok())
            .unwrap_or(-1);
        let query = query.read();
        let from = query.get("from").unwrap_or_default();
        let days = query
            .get("days")
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(1);
        (id, from, days)
    };
    let stats = Resource::new(request, |(id, from, days)| queue_statistics(id, from, days));
    view! {
        <Title text=move || t_string!(i18n, queues.title).to_string() />
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(stats) => view! { <Statistics stats /> }.into_any(),
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Statistics(stats: QueueStats) -> impl IntoView {
    let i18n = use_i18n();
    let QueueStats {
        queue,
        interval_minutes,
        from,
        days,
        intervals,
    } = stats;
    let offered: i64 = intervals.iter().map(|i| i.offered).sum();
    let handled: i64 = intervals.iter().map(|i| i.handled).sum();
    let abandoned: i64 = intervals.iter().map(|i| i.abandoned).sum();
    let chart_title = t_string!(i18n, queues.chart_title, name = queue.name.clone()).to_string();
    let chart_description = t_string!(
        i18n,
        queues.chart_description,
        offered = offered,
        handled = handled,
        minutes = interval_minutes
    )
    .to_string();
    let table_intervals = intervals.clone();
    let crumb = queue.name.clone();
    view! {
        <Breadcrumb>
            <li><A href="/account/queues" attr:class="hover:text-slate-700">{t!(i18n, queues.title)}</A></li>
            <li aria-hidden="true">"›"</li>
            <li aria-current="page" class="font-medium text-slate-700">{crumb}</li>
        </Breadcrumb>
        <div class="mt-3 flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900" data-test="queue-name">{queue.name.clone()}</h1>
                <p class="mt-1 text-sm text-slate-600">
                    <span class="font-mono">{queue.identifier.clone()}</span>
                    " · " {channel_text(i18n, &queue.channel)} " · "
                    <A href=format!("/account/integrations/{}", queue.integration_id) attr:class="hover:underline">{queue.integration_name.clone()}</A>
                    " · " {t_string!(i18n, queues.data_between, first = short_time(&queue.first_data_at), last = short_time(&queue.last_data_at)).to_string()}
                </p>
            </div>
            <form method="get" class="flex flex-wrap items-end gap-3 text-sm" data-test="range-form">
                <label class="flex flex-col gap-1">
                    <span class="font-medium text-slate-700">{t!(i18n, queues.from_day)}</span>
                    <input type="date" name="from" value=from.clone() required class="rounded-lg border border-slate-300 px-3 py-2" />
                </label>
                <label class="flex flex-col gap-1">
                    <span class="font-medium text-slate-700">{t!(i18n, queues.days)}</span>
                    <select name="days" class="rounded-lg border border-slate-300 px-3 py-2">
                        {DAY_CHOICES.into_iter().map(|choice| view! {
                            <option value=choice.to_string() selected=choice == days>{choice}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white shadow-sm hover:bg-indigo-500">{t!(i18n, queues.show)}</button>
            </form>
        </div>
        <dl class="mt-6 grid grid-cols-2 gap-4 sm:grid-cols-4">
            <Figure label=t_string!(i18n, queues.col_offered).to_string() value=offered.to_string() />
            <Figure label=t_string!(i18n, queues.col_handled).to_string() value=handled.to_string() />
            <Figure label=t_string!(i18n, queues.col_abandoned).to_string() value=abandoned.to_string() />
            <Figure label=t_string!(i18n, queues.interval_length).to_string() value=format!("{interval_minutes} min") />
        </dl>
        <section class="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <div class="mb-3 flex items-center gap-4 text-xs text-slate-600" aria-hidden="true">
                <span class="flex items-center gap-1"><span class="inline-block h-3 w-3 rounded-sm bg-indigo-200"></span>{t!(i18n, queues.col_offered)}</span>
                <span class="flex items-center gap-1"><span class="inline-block h-3 w-3 rounded-sm bg-indigo-600"></span>{t!(i18n, queues.col_handled)}</span>
                <span class="ml-auto">{format!("{from} · UTC")}</span>
            </div>
            <IntervalChart intervals=intervals.clone() title=chart_title description=chart_description />
            <IntervalTable intervals=table_intervals />
        </section>
    }
}

#[component]
fn Figure(label: String, value: String) -> impl IntoView {
    view! {
        <div class="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm">
            <dt class="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</dt>
            <dd class="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</dd>
        </div>
    }
}
