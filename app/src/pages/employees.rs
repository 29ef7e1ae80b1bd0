//! `/account/employees`: the people planners schedule. Admins add them
//! (one plain form post, the same with and without JavaScript) and
//! archive them; planners read.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    components::forms::{ErrorAlert, NoticeAlert},
    data::{list_employees, EmployeePage, EmployeeView},
    i18n::*,
    pages::integrations::{
        csv::{PRIMARY, SECONDARY},
        form::app_error_text,
    },
};

pub(crate) const INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

/// The message for a code the employee forms carry back.
pub fn workforce_error(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "invalid_name" => t_string!(i18n, employees.error_name),
        "invalid_email" => t_string!(i18n, employees.error_email),
        "invalid_personnel_number" => t_string!(i18n, employees.error_number),
        "invalid_team" => t_string!(i18n, employees.error_team),
        "email_taken" => t_string!(i18n, employees.error_email_taken),
        "forbidden" => t_string!(i18n, employees.error_forbidden),
        "not_found" => t_string!(i18n, employees.error_not_found),
        "too_large" => t_string!(i18n, employees.error_too_large),
        "no_file" | "unreadable" => t_string!(i18n, employees.error_no_file),
        "invalid_external_id" => t_string!(i18n, mapping.error_external_id),
        "invalid_system_employee_id" => t_string!(i18n, employee.error_system_id),
        "choose_integration" => t_string!(i18n, employee.error_choose_integration),
        "choose_employee" => t_string!(i18n, mapping.error_choose),
        "unknown_employee" => t_string!(i18n, mapping.error_not_found),
        "unknown_activity" => t_string!(i18n, mapping.error_not_found),
        "agent_already_mapped" => t_string!(i18n, mapping.error_agent_taken),
        "employee_already_mapped" => t_string!(i18n, mapping.error_employee_taken),
        "integration_deleted" => t_string!(i18n, mapping.error_deleted),
        "integration_not_paused" => t_string!(i18n, mapping.error_not_paused),
        _ => t_string!(i18n, errors.internal),
    }
    .to_string()
}

#[component]
pub fn EmployeesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|page| page.parse::<u32>().ok())
            .unwrap_or(1)
    });
    let employees = Resource::new(move || page.get(), list_employees);
    let field = move |name: &str| query.read().get(name).unwrap_or_default();
    let notice = move || {
        let query = query.read();
        query.get("notice").map(|code| match code.as_str() {
            "archived" => t_string!(i18n, employees.archived).to_string(),
            "imported" => t_string!(
                i18n,
                employees.imported,
                count = query.get("count").unwrap_or_default()
            )
            .to_string(),
            _ => t_string!(i18n, employees.created).to_string(),
        })
    };
    let error = move || {
        let query = query.read();
        query.get("error").map(|code| match code.as_str() {
            "invalid_file" => t_string!(
                i18n,
                employees.error_file,
                count = query.get("problems").unwrap_or_default()
            )
            .to_string(),
            _ => workforce_error(i18n, &code),
        })
    };
    let file_problems = move || query.read().get_all("problem").unwrap_or_default();
    view! {
        <Title text=move || t_string!(i18n, employees.title).to_string() />
        <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, employees.title)}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">
            {t!(i18n, employees.intro)} " "
            <A href="/account/activities" attr:class="font-medium text-indigo-700 hover:underline" attr:data-test="activities-link">{t!(i18n, activities.link)}" →"</A>
        </p>
        <div class="mt-4 space-y-2">
            {move || notice().map(|message| view! { <NoticeAlert message /> })}
            {move || error().map(|message| view! { <ErrorAlert message /> })}
            {move || {
                let problems = file_problems();
                (!problems.is_empty()).then(|| view! {
                    <ul class="list-disc space-y-1 rounded-lg border border-red-100 bg-white py-3 pl-9 pr-4 font-mono text-xs text-red-800" data-test="file-problems">
                        {problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}
                    </ul>
                })
            }}
        </div>
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match employees.await {
                    Ok(found) => view! {
                        {found.may_change.then(|| view! {
                            <EmployeeForms name=field("name") email=field("email") number=field("personnel_number") team=field("team") />
                        })}
                        {if found.total == 0 {
                            view! {
                                <div class="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center" data-test="employees-empty">
                                    <h2 class="text-base font-semibold text-slate-900">{t!(i18n, employees.empty_title)}</h2>
                                    <p class="mx-auto mt-2 max-w-xl text-sm text-slate-600">{t!(i18n, employees.empty_body)}</p>
                                </div>
                            }.into_any()
                        } else {
                            view! { <EmployeeTable found /> }.into_any()
                        }}
                    }.into_any(),
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Add one employee, or import a file of them: plain form posts.
#[component]
fn EmployeeForms(name: String, email: String, number: String, team: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action="/account/employees" class="mt-6 grid gap-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-5 sm:items-end" data-test="employee-form">
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
            <button type="submit" class=PRIMARY data-test="add-employee">{t!(i18n, employees.add)}</button>
        </form>
        <form method="post" action="/account/employees/import" enctype="multipart/form-data" class="mt-3 flex flex-wrap items-center gap-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm" data-test="import-form">
            <label class="text-sm font-medium text-slate-700">
                {t!(i18n, employees.import_title)}
                <input type="file" name="file" accept=".csv,text/csv" required=true class="mt-1 block text-sm text-slate-700" />
            </label>
            <button type="submit" class=SECONDARY data-test="import-employees">{t!(i18n, employees.import)}</button>
            <p class="basis-full text-xs text-slate-500">{t!(i18n, employees.import_hint)}</p>
        </form>
    }
}

#[component]
fn EmployeeTable(found: EmployeePage) -> impl IntoView {
    let i18n = use_i18n();
    let (current, pages, may_change) = (found.page, found.pages, found.may_change);
    view! {
        <div class="mt-6 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="employees-table">
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                    <tr>
                        <th scope="col" class="px-4 py-3">{t!(i18n, employees.name)}</th>
                        <th scope="col" class="px-4 py-3">{t!(i18n, employees.email)}</th>
                        <th scope="col" class="px-4 py-3">{t!(i18n, employees.number)}</th>
                        <th scope="col" class="px-4 py-3">{t!(i18n, employees.team)}</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">{t!(i18n, employees.actions)}</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {found.employees.into_iter().map(|employee| view! { <EmployeeRow employee may_change /> }.into_any()).collect_view()}
                </tbody>
            </table>
        </div>
        {(pages > 1).then(|| view! {
            <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, employees.pages).to_string()>
                <span class="text-slate-500">{t_string!(i18n, audit.page_of, page = current, pages = pages).to_string()}</span>
                <span class="flex gap-4">
                    {(current > 1).then(|| view! { <A href=format!("/account/employees?page={}", current - 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.previous)}</A> })}
                    {(current < pages).then(|| view! { <A href=format!("/account/employees?page={}", current + 1) attr:class="font-medium text-indigo-700">{t!(i18n, queues.next)}</A> })}
                </span>
            </nav>
        })}
    }
}

#[component]
fn EmployeeRow(employee: EmployeeView, may_change: bool) -> impl IntoView {
    let i18n = use_i18n();
    let archive = format!("/account/employees/{}/archive", employee.id);
    view! {
        <tr data-test="employee-row">
            <td class="px-4 py-3 font-medium">
                <A href=format!("/account/employees/{}", employee.id) attr:class="text-indigo-700 hover:underline" attr:data-test="employee-link">{employee.name}</A>
            </td>
            <td class="px-4 py-3 text-slate-700">{employee.email}</td>
            <td class="px-4 py-3 font-mono text-xs text-slate-600">{employee.personnel_number}</td>
            <td class="px-4 py-3 text-slate-700">{employee.team}</td>
            <td class="px-4 py-3 text-right">
                {may_change.then(|| view! {
                    <form method="post" action=archive>
                        <button type="submit" class=SECONDARY data-test="archive-employee">{t!(i18n, employees.archive)}</button>
                    </form>
                })}
            </td>
        </tr>
    }
}
