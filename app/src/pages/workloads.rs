//! `/account/workloads`: the queues planners forecast together. Admins
//! create, rename and archive workloads and add and remove their queues
//! (plain form posts, the same with and without JavaScript); everyone
//! reads the combined intervals as a chart with its table.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    components::{
        chart::{IntervalChart, IntervalTable},
        forms::{ErrorAlert, NoticeAlert},
    },
    data::{list_workloads, read_workload, QueueChoiceView, WorkloadView, DAY_CHOICES},
    format::short_time,
    i18n::*,
    pages::integrations::{
        csv::{PRIMARY, SECONDARY},
        form::app_error_text,
        list::Breadcrumb,
    },
};

const INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

/// The message for a code the workload forms carry back.
fn workload_message(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "created" => t_string!(i18n, workloads.created),
        "renamed" => t_string!(i18n, workloads.renamed),
        "archived" => t_string!(i18n, workloads.archived),
        "queue_added" => t_string!(i18n, workloads.queue_added),
        "queue_removed" => t_string!(i18n, workloads.queue_removed),
        "invalid_name" => t_string!(i18n, workloads.error_name),
        "queue_of_deleted_integration" => t_string!(i18n, workloads.error_deleted),
        "too_many_queues" => t_string!(i18n, workloads.error_too_many),
        "choose_queue" => t_string!(i18n, workloads.error_choose),
        "forbidden" => t_string!(i18n, employees.error_forbidden),
        "not_found" => t_string!(i18n, workloads.error_not_found),
        _ => t_string!(i18n, errors.internal),
    }
    .to_string()
}

/// What the forms carried back: a notice, or an error.
#[component]
fn Outcome() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let notice = move || {
        query
            .read()
            .get("notice")
            .map(|code| workload_message(i18n, &code))
    };
    let error = move || {
        query
            .read()
            .get("error")
            .map(|code| workload_message(i18n, &code))
    };
    view! {
        <div class="mt-4 space-y-2">
            {move || notice().map(|message| view! { <NoticeAlert message /> })}
            {move || error().map(|message| view! { <ErrorAlert message /> })}
        </div>
    }
}

#[component]
pub fn WorkloadsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let workloads = Resource::new(|| (), |()| list_workloads());
    let draft = move || query.read().get("name").unwrap_or_default();
    view! {
        <Title text=move || t_string!(i18n, workloads.title).to_string() />
        <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, workloads.title)}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, workloads.intro)}</p>
        <Outcome />
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match workloads.await {
                    Ok(found) => view! {
                        {found.can_manage.then(|| view! {
                            <form method="post" action="/account/workloads" class="mt-6 flex flex-wrap items-end gap-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm" data-test="create-workload">
                                <label class="min-w-64 flex-1 text-sm font-medium text-slate-700">
                                    {t!(i18n, workloads.name)}
                                    <input name="name" required maxlength="100" value=draft() class=INPUT placeholder=move || t_string!(i18n, workloads.name_placeholder).to_string() />
                                </label>
                                <button type="submit" class=PRIMARY>{t!(i18n, workloads.create)}</button>
                            </form>
                        })}
                        {if found.workloads.is_empty() {
                            view! {
                                <div class="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center" data-test="workloads-empty">
                                    <h2 class="text-base font-semibold text-slate-900">{t!(i18n, workloads.empty_title)}</h2>
                                    <p class="mx-auto mt-2 max-w-xl text-sm text-slate-600">{t!(i18n, workloads.empty_body)}</p>
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                <div class="mt-6 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                                    <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="workloads-table">
                                        <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                            <tr>
                                                <th scope="col" class="px-4 py-3">{t!(i18n, workloads.name)}</th>
                                                <th scope="col" class="px-4 py-3">{t!(i18n, workloads.col_queues)}</th>
                                                <th scope="col" class="px-4 py-3">{t!(i18n, workloads.col_created)}</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {found.workloads.into_iter().map(|w| view! {
                                                <tr data-test="workload-row">
                                                    <td class="px-4 py-3"><A href=format!("/account/workloads/{}", w.id) attr:class="font-medium text-slate-900 hover:text-indigo-700">{w.name}</A></td>
                                                    <td class="px-4 py-3 tabular-nums text-slate-700">{w.queues}</td>
                                                    <td class="px-4 py-3 text-slate-600">{short_time(&w.created_at)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn WorkloadPage() -> impl IntoView {
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
        let days = query
            .get("days")
            .and_then(|d| d.parse::<u32>().ok())
            .unwrap_or(1);
        (id, query.get("from").unwrap_or_default(), days)
    };
    let workload = Resource::new(request, |(id, from, days)| read_workload(id, from, days));
    view! {
        <Title text=move || t_string!(i18n, workloads.title).to_string() />
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match workload.await {
                    Ok(found) => view! { <Workload found /> }.into_any(),
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Workload(found: WorkloadView) -> impl IntoView {
    let i18n = use_i18n();
    let WorkloadView {
        id,
        name,
        queues,
        choices,
        more_choices,
        interval_minutes,
        from,
        days,
        intervals,
        can_manage,
    } = found;
    let offered: i64 = intervals.iter().map(|i| i.offered).sum();
    let handled: i64 = intervals.iter().map(|i| i.handled).sum();
    let chart_title = t_string!(i18n, queues.chart_title, name = name.clone()).to_string();
    let chart_description = t_string!(
        i18n,
        queues.chart_description,
        offered = offered,
        handled = handled,
        minutes = interval_minutes
    )
    .to_string();
    let table_intervals = intervals.clone();
    let base = format!("/account/workloads/{id}");
    let rename_action = format!("{base}/rename");
    let archive_action = format!("{base}/archive");
    let current_name = name.clone();
    let crumb = name.clone();
    view! {
        <Breadcrumb>
            <li><A href="/account/workloads" attr:class="hover:text-slate-700">{t!(i18n, workloads.title)}</A></li>
            <li aria-hidden="true">"›"</li>
            <li aria-current="page" class="font-medium text-slate-700">{crumb}</li>
        </Breadcrumb>
        <div class="mt-3 flex flex-wrap items-end justify-between gap-4">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900" data-test="workload-name">{name}</h1>
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
                <button type="submit" class=PRIMARY>{t!(i18n, queues.show)}</button>
            </form>
        </div>
        <Outcome />
        <section class="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <div class="mb-3 flex items-center gap-4 text-xs text-slate-600" aria-hidden="true">
                <span class="flex items-center gap-1"><span class="inline-block h-3 w-3 rounded-sm bg-indigo-200"></span>{t!(i18n, queues.col_offered)}</span>
                <span class="flex items-center gap-1"><span class="inline-block h-3 w-3 rounded-sm bg-indigo-600"></span>{t!(i18n, queues.col_handled)}</span>
                <span class="ml-auto">{format!("{from} · {days} × 24 h · {interval_minutes} min · UTC")}</span>
            </div>
            <IntervalChart intervals=intervals.clone() title=chart_title description=chart_description />
            <IntervalTable intervals=table_intervals />
        </section>
        <section class="mt-6 rounded-2xl border border-slate-200 bg-white p-6 shadow-sm" data-test="workload-queues">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, workloads.queues_title)}</h2>
            {if queues.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t!(i18n, workloads.no_queues)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-3 divide-y divide-slate-100">
                        {queues.into_iter().map(|queue| view! { <QueueOnWorkload queue base=base.clone() can_manage /> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can_manage.then(|| view! { <QueuePicker choices base=base.clone() more=more_choices /> })}
        </section>
        {can_manage.then(move || view! {
            <section class="mt-6 grid gap-4 sm:grid-cols-2">
                <form method="post" action=rename_action class="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm" data-test="rename-workload">
                    <label class="text-sm font-medium text-slate-700">
                        {t!(i18n, workloads.rename)}
                        <input name="name" required maxlength="100" value=current_name class=INPUT />
                    </label>
                    <button type="submit" class=format!("mt-3 {SECONDARY}")>{t!(i18n, workloads.rename_submit)}</button>
                </form>
                <form method="post" action=archive_action class="rounded-2xl border border-red-100 bg-white p-4 shadow-sm" data-test="archive-workload">
                    <p class="text-sm text-slate-600">{t!(i18n, workloads.archive_hint)}</p>
                    <button type="submit" class="mt-3 rounded-lg border border-red-200 bg-white px-4 py-2 text-sm font-semibold text-red-700 hover:bg-red-50">{t!(i18n, workloads.archive)}</button>
                </form>
            </section>
        })}
    }
}

#[component]
fn QueueOnWorkload(queue: QueueChoiceView, base: String, can_manage: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-2 text-sm" data-test="workload-queue">
            <span>
                <A href=format!("/account/queues/{}", queue.id) attr:class="font-medium text-slate-900 hover:text-indigo-700">{queue.name}</A>
                <span class="text-slate-500">" · " {queue.integration_name}</span>
                {(!queue.may_join).then(|| view! {
                    <span class="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{t!(i18n, workloads.integration_deleted)}</span>
                })}
            </span>
            {can_manage.then(|| view! {
                <form method="post" action=format!("{base}/queues/{}/remove", queue.id)>
                    <button type="submit" class="text-sm font-medium text-red-700 hover:underline">{t!(i18n, workloads.remove_queue)}</button>
                </form>
            })}
        </li>
    }
}

/// Every queue of the account: those already on the workload and those
/// of a deleted integration are listed but cannot be chosen, and say why.
#[component]
fn QueuePicker(choices: Vec<QueueChoiceView>, base: String, more: bool) -> impl IntoView {
    let i18n = use_i18n();
    let reason_deleted = t_string!(i18n, workloads.integration_deleted).to_string();
    let reason_on = t_string!(i18n, workloads.already_on).to_string();
    view! {
        <form method="post" action=format!("{base}/queues") class="mt-4 flex flex-wrap items-end gap-3" data-test="add-queue">
            <label class="min-w-64 flex-1 text-sm font-medium text-slate-700">
                {t!(i18n, workloads.add_queue)}
                <select name="queue_id" required class=INPUT>
                    <option value="">{t!(i18n, workloads.choose_queue)}</option>
                    {choices.into_iter().map(|choice| {
                        let reason = if choice.on_workload {
                            Some(reason_on.clone())
                        } else if !choice.may_join {
                            Some(reason_deleted.clone())
                        } else {
                            None
                        };
                        let label = match &reason {
                            Some(reason) => format!("{} · {} ({reason})", choice.name, choice.integration_name),
                            None => format!("{} · {}", choice.name, choice.integration_name),
                        };
                        view! { <option value=choice.id.to_string() disabled=reason.is_some()>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class=PRIMARY>{t!(i18n, workloads.add)}</button>
            {more.then(|| view! { <p class="w-full text-xs text-slate-500">{t!(i18n, workloads.more_queues)}</p> })}
        </form>
    }
}
