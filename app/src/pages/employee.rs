//! `/account/employees/{id}`: one employee. Admins change their details
//! and keep their *external systems*: per integration, the user id that
//! system sends for them (exactly: case and spaces matter) and their own id
//! there. An entry is an agent mapping, so the integration's mapping page
//! shows the same thing from the other side. Plain form posts, the same
//! with and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

use crate::{
    components::forms::{ErrorAlert, NoticeAlert},
    data::{read_employee, EmployeeDetail, ExternalSystemView},
    error::AppError,
    format::short_time,
    i18n::*,
    pages::{
        employees::{workforce_error, INPUT},
        integrations::{
            csv::{PRIMARY, SECONDARY},
            form::app_error_text,
            list::Breadcrumb,
            mapping::NearMisses,
        },
        not_found::answer_not_found,
    },
};

#[component]
pub fn EmployeePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|page| page.parse::<u32>().ok())
            .unwrap_or(1)
    });
    let detail = Resource::new(
        move || (id(), page.get()),
        |(id, page)| read_employee(id, page),
    );
    let notice = move || {
        query.read().get("notice").map(|code| match code.as_str() {
            "saved" => t_string!(i18n, employee.saved).to_string(),
            "unmapped" => t_string!(i18n, mapping.unmapped).to_string(),
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
        <Title text=move || t_string!(i18n, employee.title).to_string() />
        <Suspense fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(found) => {
                        let name = found.employee.name.clone();
                        let crumb = name.clone();
                        view! {
                            <Breadcrumb>
                                <li><A href="/account/employees" attr:class="hover:text-slate-700">{t!(i18n, employees.title)}</A></li>
                                <li aria-hidden="true">"›"</li>
                                <li aria-current="page" class="font-medium text-slate-700">{crumb}</li>
                            </Breadcrumb>
                            <h1 class="mt-3 flex flex-wrap items-center gap-3 text-2xl font-semibold tracking-tight text-slate-900" data-test="employee-name">
                                {name}
                                {found.archived.then(|| view! {
                                    <span class="rounded-full bg-slate-100 px-2.5 py-0.5 text-xs font-medium text-slate-600" data-test="employee-archived">{t!(i18n, employee.archived)}</span>
                                })}
                            </h1>
                            <div class="mt-4 space-y-2">
                                {notice().map(|message| view! { <NoticeAlert message /> })}
                                <NearMisses ids=near() />
                                {error().map(|message| view! { <ErrorAlert message /> })}
                            </div>
                            <Details found=found.clone() />
                            <Systems found />
                        }.into_any()
                    }
                    Err(error) => {
                        if error == AppError::NotFound {
                            answer_not_found();
                        }
                        view! { <ErrorAlert message=app_error_text(i18n, &error) /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The employee's fields: a form for admins (a refused draft comes back as
/// typed), a list for planners.
#[component]
fn Details(found: EmployeeDetail) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let employee = found.employee;
    // After a refusal the query carries the draft; otherwise the saved values.
    let drafted = query.read_untracked().get("error").is_some();
    let value = move |name: &str, saved: Option<String>| {
        if drafted {
            query.read_untracked().get(name).unwrap_or_default()
        } else {
            saved.unwrap_or_default()
        }
    };
    let name = value("name", Some(employee.name.clone()));
    let email = value("email", employee.email.clone());
    let number = value("personnel_number", employee.personnel_number.clone());
    let team = value("team", employee.team.clone());
    if !found.may_change {
        let row = |label: String, value: String| {
            view! {
                <div class="px-4 py-3 sm:grid sm:grid-cols-3 sm:gap-4">
                    <dt class="text-sm font-medium text-slate-500">{label}</dt>
                    <dd class="mt-1 text-sm text-slate-900 sm:col-span-2 sm:mt-0">{value}</dd>
                </div>
            }
        };
        return view! {
            <dl class="mt-6 divide-y divide-slate-100 rounded-2xl border border-slate-200 bg-white shadow-sm" data-test="employee-details">
                {row(t_string!(i18n, employees.email).to_string(), email)}
                {row(t_string!(i18n, employees.number).to_string(), number)}
                {row(t_string!(i18n, employees.team).to_string(), team)}
            </dl>
        }
        .into_any();
    }
    let action = format!("/account/employees/{}", employee.id);
    let archive = format!("/account/employees/{}/archive", employee.id);
    view! {
        <section class="mt-6 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="details-heading">
            <h2 id="details-heading" class="text-base font-semibold text-slate-900">{t!(i18n, employee.details)}</h2>
            <form method="post" action=action class="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-test="employee-edit">
                <label class="text-sm font-medium text-slate-700">{t!(i18n, employees.name)}
                    <input name="name" required=true maxlength="200" value=name class=INPUT />
                </label>
                <label class="text-sm font-medium text-slate-700">{t!(i18n, employees.email)}
                    <input name="email" type="email" value=email class=INPUT />
                </label>
                <label class="text-sm font-medium text-slate-700">{t!(i18n, employees.number)}
                    <input name="personnel_number" maxlength="50" value=number class=INPUT />
                </label>
                <label class="text-sm font-medium text-slate-700">{t!(i18n, employees.team)}
                    <input name="team" maxlength="100" value=team class=INPUT />
                </label>
                <div class="flex flex-wrap items-center gap-3 sm:col-span-2 lg:col-span-4">
                    <button type="submit" class=PRIMARY data-test="save-employee">{t!(i18n, employee.save)}</button>
                    <span class="text-xs text-slate-500">{t!(i18n, employee.empty_removes)}</span>
                </div>
            </form>
            <form method="post" action=archive class="mt-4 flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4">
                <button type="submit" class=SECONDARY data-test="archive-employee">{t!(i18n, employees.archive)}</button>
                <span class="text-xs text-slate-500">{t!(i18n, employee.archive_hint)}</span>
            </form>
        </section>
    }
    .into_any()
}

/// The employee's entries for external systems, and the form for a new one.
#[component]
fn Systems(found: EmployeeDetail) -> impl IntoView {
    let i18n = use_i18n();
    let action = format!("/account/employees/{}/systems", found.employee.id);
    let (current, pages, may_change) = (found.page, found.pages, found.may_change);
    view! {
        <section class="mt-8" aria-labelledby="systems-heading">
            <h2 id="systems-heading" class="text-lg font-semibold text-slate-900">{t!(i18n, employee.systems_title)}</h2>
            <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, employee.systems_intro)}</p>
            {if found.systems_total == 0 {
                view! { <p class="mt-4 rounded-2xl border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600" data-test="systems-empty">{t!(i18n, employee.systems_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="mt-4 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                        <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="systems-table">
                            <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                <tr>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, employee.col_integration)}</th>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, employee.col_external)}</th>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, employee.col_system_id)}</th>
                                    <th scope="col" class="px-4 py-3">{t!(i18n, employee.col_since)}</th>
                                    <th scope="col" class="px-4 py-3"><span class="sr-only">{t!(i18n, employees.actions)}</span></th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {found.systems.into_iter().map(|system| view! {
                                    <SystemRow system action=action.clone() may_change />
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {(pages > 1).then(|| view! {
                        <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, employee.pages).to_string()>
                            <span class="text-slate-500">{t_string!(i18n, audit.page_of, page = current, pages = pages).to_string()}</span>
                            <span class="flex gap-4">
                                {(current > 1).then(|| view! { <A href=format!("?page={}", current - 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.previous)}</A> })}
                                {(current < pages).then(|| view! { <A href=format!("?page={}", current + 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.next)}</A> })}
                            </span>
                        </nav>
                    })}
                }.into_any()
            }}
            {may_change.then(|| view! { <AddSystem choices=found.integrations action /> })}
        </section>
    }
}

/// An id shown exactly: surrounding spaces are what near misses are made
/// of, so they stay visible.
fn exact(id: &str) -> String {
    format!("\u{201c}{id}\u{201d}")
}

#[component]
fn SystemRow(system: ExternalSystemView, action: String, may_change: bool) -> impl IntoView {
    let i18n = use_i18n();
    let may_change = may_change && !system.deleted;
    let mapping = format!("/account/integrations/{}/mapping", system.integration_id);
    let integration_id = system.integration_id.to_string();
    let near = (!system.near_misses.is_empty()).then(|| {
        let ids = system
            .near_misses
            .iter()
            .map(|id| exact(id))
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <p class="mt-1 text-xs text-amber-800" data-test="system-near-misses">
                {t_string!(i18n, employee.near, ids = ids).to_string()}
            </p>
        }
    });
    let system_id = system.system_employee_id.clone().unwrap_or_default();
    let id_label = t_string!(
        i18n,
        employee.system_id_for,
        integration = system.integration_name.clone()
    )
    .to_string();
    view! {
        <tr data-test="system-row">
            <td class="px-4 py-3 align-top">
                <A href=mapping attr:class="font-medium text-indigo-700 hover:underline">{system.integration_name}</A>
                {system.deleted.then(|| view! {
                    <span class="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600">{t!(i18n, employee.deleted)}</span>
                })}
            </td>
            <td class="px-4 py-3 align-top">
                <span class="whitespace-pre font-mono text-xs text-slate-800" data-test="system-external-id">{exact(&system.external_id)}</span>
                {near}
            </td>
            <td class="px-4 py-3 align-top">
                {if may_change {
                    view! {
                        <form method="post" action=action.clone() class="flex items-center gap-2">
                            <input type="hidden" name="intent" value="add" />
                            <input type="hidden" name="integration_id" value=integration_id.clone() />
                            <input type="hidden" name="external_id" value=system.external_id.clone() />
                            <input name="system_employee_id" maxlength="200" value=system_id aria-label=id_label
                                class="block w-40 rounded-lg border border-slate-300 bg-white px-2 py-1 font-mono text-xs" data-test="system-id-input" />
                            <button type="submit" class=SECONDARY data-test="save-system-id">{t!(i18n, employee.save_id)}</button>
                        </form>
                    }.into_any()
                } else {
                    view! { <span class="font-mono text-xs text-slate-700" data-test="system-id">{system_id}</span> }.into_any()
                }}
            </td>
            <td class="whitespace-nowrap px-4 py-3 align-top text-slate-600">{short_time(&system.created_at)}</td>
            <td class="px-4 py-3 text-right align-top">
                {may_change.then(|| view! {
                    <form method="post" action=action>
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="integration_id" value=integration_id />
                        <input type="hidden" name="external_id" value=system.external_id />
                        <button type="submit" class=SECONDARY data-test="remove-system">{t!(i18n, employee.remove)}</button>
                    </form>
                })}
            </td>
        </tr>
    }
}

/// A new entry: which integration, the user id it sends, and (if known)
/// the employee's id there. A refused entry comes back as typed.
#[component]
fn AddSystem(choices: Vec<crate::data::IntegrationChoiceView>, action: String) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let typed = move |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let chosen = typed("integration_id");
    if choices.is_empty() {
        return view! {
            <p class="mt-4 text-sm text-slate-600" data-test="no-integrations">{t!(i18n, employee.no_integrations)}</p>
        }
        .into_any();
    }
    view! {
        <form method="post" action=action class="mt-4 grid gap-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-4 sm:items-end" data-test="add-system">
            <input type="hidden" name="intent" value="add" />
            <label class="text-sm font-medium text-slate-700">{t!(i18n, employee.col_integration)}
                <select name="integration_id" required=true class=INPUT data-test="system-integration">
                    <option value="">{t!(i18n, employee.choose)}</option>
                    {choices.into_iter().map(|choice| {
                        let selected = choice.id.to_string() == chosen;
                        view! { <option value=choice.id.to_string() selected=selected>{choice.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="text-sm font-medium text-slate-700">{t!(i18n, employee.external_id)}
                <input name="external_id" required=true maxlength="200" value=typed("external_id") class=format!("{INPUT} font-mono") data-test="system-external-input" />
            </label>
            <label class="text-sm font-medium text-slate-700">{t!(i18n, employee.system_id)}
                <input name="system_employee_id" maxlength="200" value=typed("system_employee_id") class=format!("{INPUT} font-mono") />
            </label>
            <button type="submit" class=PRIMARY data-test="add-system-button">{t!(i18n, employee.add)}</button>
            <p class="text-xs text-slate-500 sm:col-span-4">{t!(i18n, employee.add_hint)}</p>
        </form>
    }
    .into_any()
}
