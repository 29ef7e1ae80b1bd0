//! `/account/integrations/{id}/mapping`: which agent id the integration
//! sends is which employee, and which external activity is which activity.
//! Plain form posts, the same with and without JavaScript. Activities are
//! remapped while the integration is paused: the page says so and offers
//! the pause (and the resume) in one click.

use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::{
    csv::{integration_id, PRIMARY, SECONDARY},
    form::app_error_text,
    list::Breadcrumb,
};
use crate::{
    api::{PauseIntegration, ResumeIntegration},
    components::forms::{ErrorAlert, NoticeAlert},
    data::{integration_mapping, DiscoveredActivityView, DiscoveredAgentView, MappingView},
    format::short_time,
    i18n::*,
    pages::employees::workforce_error,
};

const SELECT: &str =
    "block w-full min-w-48 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm";

#[component]
pub fn MappingPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = integration_id();
    let query = use_query_map();
    let pause = ServerAction::<PauseIntegration>::new();
    let resume = ServerAction::<ResumeIntegration>::new();
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|page| page.parse::<u32>().ok())
            .unwrap_or(1)
    });
    let view_of = Resource::new(
        move || {
            (
                id(),
                page.get(),
                pause.version().get(),
                resume.version().get(),
            )
        },
        |(id, page, _, _)| integration_mapping(id, page),
    );
    let notice = move || {
        let query = query.read();
        query.get("notice").map(|code| match code.as_str() {
            "unmapped" => t_string!(i18n, mapping.unmapped).to_string(),
            "activity_mapped" | "activity_unmapped" => {
                t_string!(i18n, mapping.activity_saved).to_string()
            }
            "auto_matched" => t_string!(
                i18n,
                mapping.auto_matched,
                count = query.get("count").unwrap_or_default(),
                ambiguous = query.get("ambiguous").unwrap_or_default()
            )
            .to_string(),
            _ => t_string!(i18n, mapping.mapped).to_string(),
        })
    };
    let near = move || query.read().get_all("near").unwrap_or_default();
    let error = move || {
        query
            .read()
            .get("error")
            .map(|code| workforce_error(i18n, &code))
    };
    view! {
        <Title text=move || t_string!(i18n, mapping.title).to_string() />
        <Suspense fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match view_of.await {
                    Ok(found) => {
                        let name = found.integration_name.clone();
                        view! {
                        <Breadcrumb>
                            <li><A href=format!("/account/integrations/{}", id()) attr:class="hover:text-slate-700">{name}</A></li>
                            <li aria-hidden="true">"/"</li>
                            <li aria-current="page" class="font-medium text-slate-700">{t!(i18n, mapping.title)}</li>
                        </Breadcrumb>
                        <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, mapping.title)}</h1>
                        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, mapping.intro)}</p>
                        <div class="mt-4 space-y-2">
                            {notice().map(|message| view! { <NoticeAlert message /> })}
                            <NearMisses ids=near() />
                            {error().map(|message| view! { <ErrorAlert message /> })}
                        </div>
                        <Agents found=found.clone() />
                        <Activities found pause resume />
                    }.into_any()
                    }
                    Err(error) => view! { <ErrorAlert message=app_error_text(i18n, &error) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The warning after a mapping is saved: ids the integration sent that
/// differ from the mapped one only in case or spaces. Nothing when none.
#[component]
pub fn NearMisses(ids: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    (!ids.is_empty()).then(|| {
        view! {
            <div role="status" class="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-test="near-misses">
                {t_string!(i18n, mapping.near_misses, ids = ids.join(", ")).to_string()}
            </div>
        }
    })
}

/// An employee as the searchable picker lists them: name, email address
/// and, last, `#id`, which is what the form's handler reads back.
pub fn employee_choice(employee: &crate::data::EmployeeView) -> String {
    match &employee.email {
        Some(email) => format!("{} · {email} · #{}", employee.name, employee.id),
        None => format!("{} · #{}", employee.name, employee.id),
    }
}

/// The employee id at the end of a picker's choice (`… · #12`).
pub fn chosen_employee(choice: &str) -> Option<i64> {
    choice.trim().rsplit_once('#')?.1.parse().ok()
}

#[component]
fn Agents(found: MappingView) -> impl IntoView {
    let i18n = use_i18n();
    let id = integration_id();
    let action = format!("/account/integrations/{}/mapping/agents", id());
    let may_change = found.may_change && !found.deleted;
    let (current, pages) = (found.page, found.pages);
    let employees = found.employees.clone();
    view! {
        <section class="mt-8" aria-labelledby="agents-heading">
            <div class="flex flex-wrap items-end justify-between gap-3">
                <div>
                    <h2 id="agents-heading" class="text-lg font-semibold text-slate-900">{t!(i18n, mapping.agents_title)}</h2>
                    <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, mapping.agents_intro)}</p>
                </div>
                {may_change.then(|| view! {
                    <form method="post" action=action.clone()>
                        <input type="hidden" name="intent" value="auto" />
                        <button type="submit" class=SECONDARY data-test="auto-match">{t!(i18n, mapping.auto_match)}</button>
                    </form>
                })}
            </div>
            {if found.agents_total == 0 {
                view! { <p class="mt-4 rounded-2xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600" data-test="agents-empty">{t!(i18n, mapping.agents_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="mt-4 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                        <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="agents-table">
                            <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                <tr>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, mapping.col_agent)}</th>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, mapping.col_seen)}</th>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, mapping.col_employee)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {found.agents.into_iter().map(|agent| view! {
                                    <AgentRow agent employees=employees.clone() action=action.clone() may_change />
                                }).collect_view()}
                            </tbody>
                        </table>
                        // One list for every row's picker: type a name or an address to find them.
                        <datalist id="employee-choices">
                            {employees.iter().map(|e| view! { <option value=employee_choice(e)></option> }).collect_view()}
                        </datalist>
                    </div>
                    {(pages > 1).then(|| view! {
                        <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, mapping.pages).to_string()>
                            <span class="text-slate-500">{t_string!(i18n, audit.page_of, page = current, pages = pages).to_string()}</span>
                            <span class="flex gap-4">
                                {(current > 1).then(|| view! { <A href=format!("?page={}", current - 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.previous)}</A> })}
                                {(current < pages).then(|| view! { <A href=format!("?page={}", current + 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.next)}</A> })}
                            </span>
                        </nav>
                    })}
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn AgentRow(
    agent: DiscoveredAgentView,
    employees: Vec<crate::data::EmployeeView>,
    action: String,
    may_change: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let mapped = agent.employee_id;
    let mapped_name = employees
        .iter()
        .find(|e| Some(e.id) == mapped)
        .map(|e| e.name.clone());
    let seen = t_string!(
        i18n,
        mapping.seen,
        count = agent.count,
        first = short_time(&agent.first_seen),
        last = short_time(&agent.last_seen)
    )
    .to_string();
    let external_id = agent.external_id.clone();
    let label = t_string!(i18n, mapping.employee_for, id = agent.external_id.clone()).to_string();
    let choice = match (mapped, may_change) {
        (Some(_), true) => view! {
            <form method="post" action=action class="flex items-center gap-3">
                <input type="hidden" name="intent" value="unmap" />
                <input type="hidden" name="external_id" value=external_id />
                <A href=format!("/account/employees/{}", mapped.unwrap_or_default()) attr:class="font-medium text-indigo-700 hover:underline" attr:data-test="mapped-employee">{mapped_name}</A>
                <button type="submit" class=SECONDARY data-test="unmap">{t!(i18n, mapping.unmap)}</button>
            </form>
        }.into_any(),
        (None, true) => view! {
            <form method="post" action=action class="flex items-center gap-2">
                <input type="hidden" name="intent" value="map" />
                <input type="hidden" name="external_id" value=external_id />
                <input
                    name="employee"
                    list="employee-choices"
                    required=true
                    autocomplete="off"
                    class=format!("{SELECT} min-w-64")
                    aria-label=label
                    placeholder=move || t_string!(i18n, mapping.choose_employee).to_string()
                    data-test="employee-picker"
                />
                <button type="submit" class=PRIMARY data-test="map">{t!(i18n, mapping.map)}</button>
            </form>
        }.into_any(),
        (_, false) => view! {
            <span class="text-slate-700">{mapped_name.unwrap_or_else(|| t_string!(i18n, mapping.not_mapped).to_string())}</span>
        }.into_any(),
    };
    view! {
        <tr data-test="agent-row">
            <td class="px-4 py-3 font-mono text-xs text-slate-900 whitespace-pre">{agent.external_id}</td>
            <td class="px-4 py-3 text-slate-600">{seen}</td>
            <td class="px-4 py-3">{choice}</td>
        </tr>
    }
}

#[component]
fn Activities(
    found: MappingView,
    pause: ServerAction<PauseIntegration>,
    resume: ServerAction<ResumeIntegration>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = integration_id();
    let action = format!("/account/integrations/{}/mapping/activities", id());
    let may_edit = found.may_change && found.may_remap_activities && !found.deleted;
    let activities = found.activities.clone();
    view! {
        <section class="mt-10" aria-labelledby="activities-heading">
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h2 id="activities-heading" class="text-lg font-semibold text-slate-900">{t!(i18n, mapping.activities_title)}</h2>
                <A href="/account/activities" attr:class="text-sm font-medium text-indigo-700 hover:underline">{t!(i18n, activities.link)}" →"</A>
            </div>
            <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, mapping.activities_intro)}</p>
            {(found.may_change && !found.deleted).then(|| if found.may_remap_activities {
                view! {
                    <div class="mt-3 flex flex-wrap items-center gap-3 rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" data-test="paused-hint">
                        <span>{t!(i18n, mapping.paused_hint)}</span>
                        <ActionForm action=resume>
                            <input type="hidden" name="id" value=id() />
                            <button type="submit" class=SECONDARY data-test="resume">{t!(i18n, mapping.resume)}</button>
                        </ActionForm>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="mt-3 flex flex-wrap items-center gap-3 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-test="pause-hint">
                        <span>{t!(i18n, mapping.pause_hint)}</span>
                        <ActionForm action=pause>
                            <input type="hidden" name="id" value=id() />
                            <button type="submit" class=SECONDARY data-test="pause">{t!(i18n, mapping.pause)}</button>
                        </ActionForm>
                    </div>
                }.into_any()
            })}
            {if found.activities_total == 0 {
                view! { <p class="mt-4 rounded-2xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">{t!(i18n, mapping.activities_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="mt-4 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                        <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="activities-table">
                            <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                <tr>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, mapping.col_external_activity)}</th>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, mapping.col_activity)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {found.discovered_activities.into_iter().map(|found| view! {
                                    <ActivityRow found activities=activities.clone() action=action.clone() may_edit />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ActivityRow(
    found: DiscoveredActivityView,
    activities: Vec<crate::data::BoardActivityView>,
    action: String,
    may_edit: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let mapped = found.activity_id;
    let shown = activities
        .iter()
        .find(|a| Some(a.id) == mapped)
        .or_else(|| activities.first())
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let label = t_string!(i18n, mapping.activity_for, id = found.external_id.clone()).to_string();
    let choice = if may_edit {
        let default_id = activities.first().map(|a| a.id);
        view! {
            <form method="post" action=action class="flex items-center gap-2">
                <input type="hidden" name="external_id" value=found.external_id.clone() />
                <select name="activity_id" class=SELECT aria-label=label>
                    {activities.into_iter().map(|a| {
                        let is_default = Some(a.id) == default_id;
                        let selected = mapped == Some(a.id) || (mapped.is_none() && is_default);
                        // The default activity is no mapping at all.
                        let value = if is_default { String::new() } else { a.id.to_string() };
                        view! { <option value=value selected=selected>{a.name}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class=PRIMARY data-test="map-activity">{t!(i18n, mapping.save)}</button>
            </form>
        }.into_any()
    } else {
        view! { <span class="text-slate-900" data-test="mapped-activity">{shown}</span> }.into_any()
    };
    view! {
        <tr data-test="activity-row">
            <td class="px-4 py-3 font-mono text-xs text-slate-900 whitespace-pre">{found.external_id}</td>
            <td class="px-4 py-3">{choice}</td>
        </tr>
    }
}
