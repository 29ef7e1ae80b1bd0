//! The database settings (`…/database`): where the paired Cloud Link
//! client finds the database, what the query imports and how often, and
//! *Test connection*. One plain form post, the same with and without
//! JavaScript: which fields show for the chosen database and data type is
//! CSS (`:has`), not script. After a refusal the form comes back with its
//! draft from the address — never the password — and what is wrong.

use domain::database::{service::FormView, ImportData};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_query_map},
};

use super::{
    csv::{integration_id, problem_of, Choice, Text, INPUT, LABEL, PRIMARY, SECONDARY, SECTION},
    list::Breadcrumb,
};
use crate::{
    api::{database_form, DatabaseSummary},
    components::forms::{ErrorAlert, NoticeAlert},
    format::short_time,
    i18n::*,
    pages::integrations::form::app_error_text,
};

/// The message for an error code carried back to the form in its URL.
fn error_text(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "invalid" => t_string!(i18n, database.error_invalid),
        "not_connected" => t_string!(i18n, database.error_not_connected),
        "busy" => t_string!(i18n, database.error_busy),
        "password_lost" => t_string!(i18n, database.error_password_lost),
        "not_carried" => t_string!(i18n, database.error_not_carried),
        "stale" => t_string!(i18n, database.error_stale),
        "deleted" => t_string!(i18n, add.error_deleted),
        "forbidden" => t_string!(i18n, add.error_forbidden),
        _ => t_string!(i18n, errors.internal),
    }
    .to_string()
}

fn type_text(i18n: leptos_i18n::I18nContext<Locale>, database_type: &str) -> String {
    match database_type {
        "sqlServer" => t_string!(i18n, database.type_sql_server),
        "mySql" => t_string!(i18n, database.type_mysql),
        "postgreSql" => t_string!(i18n, database.type_postgresql),
        _ => t_string!(i18n, database.type_odbc),
    }
    .to_string()
}

fn import_text(i18n: leptos_i18n::I18nContext<Locale>, import: &str) -> String {
    match import {
        "intervals30" => t_string!(i18n, database.import_intervals30),
        "contacts" => t_string!(i18n, database.import_contacts),
        "agentStatuses" => t_string!(i18n, database.import_agents),
        _ => t_string!(i18n, database.import_intervals15),
    }
    .to_string()
}

/// The import data types, by form value, with what they read.
const IMPORTS: [(&str, ImportData); 4] = [
    (
        "intervals15",
        ImportData::Intervals(domain::integration::IntervalLength::Fifteen),
    ),
    (
        "intervals30",
        ImportData::Intervals(domain::integration::IntervalLength::Thirty),
    ),
    ("contacts", ImportData::Contacts),
    ("agentStatuses", ImportData::AgentStatuses),
];

/// The form page.
#[component]
pub fn DatabasePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = integration_id();
    let location = use_location();
    let query = use_query_map();
    let view_of = Resource::new(
        move || (id(), location.search.get()),
        |(id, search)| database_form(id, search),
    );
    // While a test runs, look again every second (with JavaScript; the
    // page offers *Refresh* without).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let running = view_of
            .get()
            .and_then(Result::ok)
            .and_then(|view| view.test)
            .is_some_and(|test| matches!(test.state.as_str(), "queued" | "running"));
        if running {
            set_timeout(move || view_of.refetch(), std::time::Duration::from_secs(1));
        }
    });
    let error = move || {
        query
            .read()
            .get("error")
            .map(|code| error_text(i18n, &code))
    };
    let password_typed = move || query.read().get("password_typed").is_some();
    view! {
        <Title text=move || t_string!(i18n, database.page_title).to_string() />
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match view_of.await {
                    Ok(view) => {
                        let name = view.integration.clone();
                        view! {
                        <Breadcrumb>
                            <li><A href="/account/integrations" attr:class="hover:text-slate-700">{t!(i18n, nav.integrations)}</A></li>
                            <li aria-hidden="true">"›"</li>
                            <li><A href=format!("/account/integrations/{}", id()) attr:class="hover:text-slate-700">{name}</A></li>
                            <li aria-hidden="true">"›"</li>
                            <li aria-current="page" class="font-medium text-slate-700">{t!(i18n, database.page_title)}</li>
                        </Breadcrumb>
                        <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, database.page_title)}</h1>
                        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, database.intro)}</p>
                        {error().map(|message| view! { <div class="mt-4" data-test="database-error"><ErrorAlert message /></div> })}
                        <SettingsFormView id=id() view password_typed=password_typed() />
                    }.into_any()
                    }
                    Err(error) => view! {
                        <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsFormView(id: i64, view: FormView, password_typed: bool) -> impl IntoView {
    let i18n = use_i18n();
    let FormView {
        form,
        password_set,
        problems,
        connected,
        contacts,
        agent_statuses,
        test,
        zones,
        saved_at,
        ..
    } = view;
    let problem = move |field: &'static str| {
        let found = problem_of(&problems, field);
        Signal::derive(move || found.clone())
    };
    let types = ["postgreSql", "mySql", "sqlServer", "odbc"]
        .into_iter()
        .map(|value| (value.to_owned(), type_text(i18n, value)))
        .collect::<Vec<_>>();
    let imports = IMPORTS
        .iter()
        .filter(|(_, data)| match data {
            ImportData::AgentStatuses => agent_statuses,
            _ => contacts,
        })
        .map(|(value, _)| ((*value).to_owned(), import_text(i18n, value)))
        .collect::<Vec<_>>();
    let password_hint = if password_typed {
        Some(t_string!(i18n, database.password_again).to_string())
    } else if password_set {
        Some(t_string!(i18n, database.password_set).to_string())
    } else {
        None
    };
    let query_problem = problem("query");
    let password_problem = problem("password");
    let where_section = view! {
            <section class=SECTION>
                <h2 class="text-base font-semibold text-slate-900">{t!(i18n, database.where_title)}</h2>
                <div class="mt-4 grid max-w-3xl gap-4 sm:grid-cols-2">
                    <Choice name="database_type" label=t_string!(i18n, database.database_type).to_string() value=form.database_type.clone() options=types problem=problem("database_type") />
                    <div data-for="server" class="sm:col-start-1"><Text name="host" label=t_string!(i18n, database.host).to_string() value=form.host.clone() problem=problem("host") /></div>
                    <div data-for="server"><Text name="port" label=t_string!(i18n, database.port).to_string() value=form.port.clone() problem=problem("port") hint=t_string!(i18n, database.port_hint).to_string() /></div>
                    <div data-for="sql-server" class="sm:col-span-2"><Text name="instance" label=t_string!(i18n, database.instance).to_string() value=form.instance.clone() problem=problem("instance") hint=t_string!(i18n, database.instance_hint).to_string() /></div>
                    <div data-for="server"><Text name="database" label=t_string!(i18n, database.database).to_string() value=form.database.clone() problem=problem("database") /></div>
                    <div data-for="server"><Text name="user" label=t_string!(i18n, database.user).to_string() value=form.user.clone() problem=problem("user") /></div>
                    <div data-for="server" class="space-y-1.5">
                        <label for="password" class=LABEL>{t!(i18n, database.password)}</label>
                        <input id="password" name="password" type="password" autocomplete="new-password" class=INPUT data-test="password" />
                        {password_hint.map(|hint| view! { <p class="text-xs text-slate-500" data-test="password-hint">{hint}</p> })}
                        {move || password_problem.get().map(|p| view! { <p class="text-xs text-red-700" data-test="field-problem">{p}</p> })}
                    </div>
                    <div data-for="odbc" class="sm:col-span-2"><Text name="connection" label=t_string!(i18n, database.connection).to_string() value=form.connection.clone() problem=problem("connection") hint=t_string!(i18n, database.connection_hint).to_string() mono=true /></div>
                    <div class="sm:col-start-1"><Text name="time_zone" label=t_string!(i18n, database.time_zone).to_string() value=form.time_zone.clone() problem=problem("time_zone") list="database-zones" /></div>
                    <datalist id="database-zones">
                        {zones.into_iter().map(|zone| view! { <option value=zone></option> }).collect_view()}
                    </datalist>
                </div>
            </section>
    }
    .into_any();
    let what_section = view! {
            <section class=SECTION>
                <h2 class="text-base font-semibold text-slate-900">{t!(i18n, database.what_title)}</h2>
                <div class="mt-4 max-w-md">
                    <Choice name="import" label=t_string!(i18n, database.import).to_string() value=form.import.clone() options=imports problem=problem("import") />
                </div>
                <div class="mt-4 grid gap-6 lg:grid-cols-3">
                    <div class="space-y-1.5 lg:col-span-2">
                        <label for="query" class=LABEL>{t!(i18n, database.query)}</label>
                        <textarea
                            id="query"
                            name="query"
                            rows="14"
                            spellcheck="false"
                            class=format!("{INPUT} font-mono")
                            aria-invalid=move || query_problem.get().is_some().then_some("true")
                            data-test="query"
                        >{form.query.clone()}</textarea>
                        {move || query_problem.get().map(|p| view! { <p class="text-xs text-red-700" data-test="field-problem">{p}</p> })}
                    </div>
                    <aside class="rounded-xl bg-slate-50 p-4 text-sm text-slate-700" data-test="query-columns">
                        <p>{t!(i18n, database.query_window)}</p>
                        {IMPORTS.iter().map(|(value, data)| {
                            let (required, optional) = data.columns();
                            view! {
                                <div data-columns=*value class="mt-3">
                                    <p>{t!(i18n, database.columns_required)}</p>
                                    <ul class="mt-1 flex flex-wrap gap-1.5">
                                        {required.iter().map(|name| view! { <li><code class="rounded bg-white px-1.5 py-0.5 font-mono text-xs text-slate-900 ring-1 ring-slate-200">{*name}</code></li> }).collect_view()}
                                    </ul>
                                    {(!optional.is_empty()).then(|| view! {
                                        <p class="mt-2">{t!(i18n, database.columns_optional)}</p>
                                        <ul class="mt-1 flex flex-wrap gap-1.5">
                                            {optional.iter().map(|name| view! { <li><code class="rounded bg-white px-1.5 py-0.5 font-mono text-xs text-slate-600 ring-1 ring-slate-200">{*name}</code></li> }).collect_view()}
                                        </ul>
                                    })}
                                </div>
                            }
                        }).collect_view()}
                        <p class="mt-3 text-xs text-slate-500">{t!(i18n, database.columns_rules)}</p>
                    </aside>
                </div>
                <div class="mt-6 space-y-3">
                    <label class="flex items-start gap-3 text-sm text-slate-700">
                        <input type="checkbox" name="real_time" checked=form.real_time.is_some() class="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600" data-test="real-time" />
                        <span>{t!(i18n, database.real_time)}</span>
                    </label>
                    <label class="flex items-start gap-3 text-sm text-slate-700">
                        <input type="checkbox" name="reconciliation" checked=form.reconciliation.is_some() class="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600" data-test="reconciliation" />
                        <span>{t!(i18n, database.reconciliation)}</span>
                    </label>
                </div>
            </section>
    }
    .into_any();
    let test_result = test.map(|test| {
                let (tone, text) = match test.state.as_str() {
                    "succeeded" => ("border-emerald-200 bg-emerald-50 text-emerald-900", t_string!(i18n, database.test_succeeded).to_string()),
                    "failed" => ("border-red-200 bg-red-50 text-red-900", t_string!(i18n, database.test_failed).to_string()),
                    _ => ("border-sky-200 bg-sky-50 text-sky-900", t_string!(i18n, database.test_waiting).to_string()),
                };
                let waiting = matches!(test.state.as_str(), "queued" | "running");
                view! {
                    <div role="status" class=format!("rounded-xl border px-4 py-3 text-sm {tone}") data-test="test-result" data-state=test.state.clone()>
                        <p class="font-medium">{text}</p>
                        {test.message.filter(|_| !waiting).map(|message| view! { <p class="mt-1 whitespace-pre-wrap font-mono text-xs">{message}</p> })}
                        {waiting.then(|| view! { <a href="" class="mt-1 inline-block font-medium underline">{t!(i18n, database.refresh)}</a> })}
                    </div>
                }
                .into_any()
            });
    let buttons = view! {
            <div class="flex flex-wrap items-center justify-end gap-3">
                {saved_at.map(|at| view! { <p class="mr-auto text-xs text-slate-500">{t_string!(i18n, database.saved_at, at = short_time(&at)).to_string()}</p> })}
                {(!connected).then(|| view! { <p class="text-xs text-slate-500" data-test="test-needs-client">{t!(i18n, database.not_connected_hint)}</p> })}
                <button type="submit" name="intent" value="test" class=format!("{SECONDARY} disabled:cursor-not-allowed disabled:opacity-50") disabled=!connected data-test="test-connection" title=move || t_string!(i18n, database.test_hint).to_string()>
                    {t!(i18n, database.test)}
                </button>
                <button type="submit" name="intent" value="save" class=PRIMARY data-test="save-database">{t!(i18n, database.save)}</button>
            </div>
    }
    .into_any();
    view! {
        <form method="post" action=format!("/account/integrations/{id}/database") class="mt-6 space-y-6" data-database-form="" data-test="database-form">
            {where_section}
            {what_section}
            {test_result}
            {buttons}
        </form>
    }
    .into_any()
}

/// The integration page's summary of the database settings, with the way
/// to them.
#[component]
pub fn DatabaseSection(id: i64, summary: DatabaseSummary, paused: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let notice = move || {
        (query.read().get("notice").as_deref() == Some("database_saved"))
            .then(|| t_string!(i18n, database.notice_saved).to_string())
    };
    let has_settings = summary.settings.is_some();
    view! {
        <section class=format!("{SECTION} mt-6") data-test="database">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, database.section_title)}</h2>
            {move || notice().map(|message| view! { <div class="mt-3" data-test="database-notice"><NoticeAlert message /></div> })}
            {match (summary.settings, summary.saved_at) {
                (Some(form), Some(at)) => {
                    let target = if form.database_type == "odbc" {
                        t_string!(i18n, database.summary_odbc).to_string()
                    } else {
                        format!("{} · {}", form.host, form.database)
                    };
                    let mut modes = Vec::new();
                    if form.real_time.is_some() {
                        modes.push(t_string!(i18n, database.real_time_on).to_string());
                    }
                    if form.reconciliation.is_some() {
                        modes.push(t_string!(i18n, database.reconciliation_on).to_string());
                    }
                    view! {
                        <p class="mt-2 text-sm text-slate-700" data-test="database-summary">
                            {t_string!(i18n, database.saved_at, at = short_time(&at)).to_string()}": "
                            <span class="font-medium">{type_text(i18n, &form.database_type)}</span>
                            " · "{target}" · "{import_text(i18n, &form.import)}
                            {(!modes.is_empty()).then(|| format!(" · {}", modes.join(", ")))}
                        </p>
                    }.into_any()
                }
                _ => view! { <p class="mt-2 max-w-2xl text-sm text-slate-600" data-test="database-none">{t!(i18n, database.section_none)}</p> }.into_any(),
            }}
            {paused.then(|| view! { <p class="mt-3 max-w-2xl text-sm text-slate-600" data-test="resume-note">{t!(i18n, database.resume_note)}</p> })}
            <A href=format!("/account/integrations/{id}/database") attr:class=format!("{SECONDARY} mt-4 inline-block") attr:data-test="edit-database">
                {if has_settings { t_string!(i18n, database.edit) } else { t_string!(i18n, database.set_up) }.to_string()}
            </A>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_import_data_type_has_its_form_value() {
        for (value, data) in IMPORTS {
            let form = domain::database::form::SettingsForm {
                import: value.to_owned(),
                ..Default::default()
            };
            let document = form.document();
            let read = match (document.data_type.as_str(), document.interval_minutes) {
                ("intervals", Some(15)) => {
                    ImportData::Intervals(domain::integration::IntervalLength::Fifteen)
                }
                ("intervals", Some(30)) => {
                    ImportData::Intervals(domain::integration::IntervalLength::Thirty)
                }
                ("contacts", None) => ImportData::Contacts,
                _ => ImportData::AgentStatuses,
            };
            assert_eq!(read, data, "{value}");
        }
    }
}
