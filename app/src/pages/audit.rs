//! `/account/audit`: who did what, when; newest first, paginated.

use domain::audit::AuditAction;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::audit_page,
    components::forms::ErrorAlert,
    format::short_time,
    i18n::*,
    pages::integrations::{form::app_error_text, list::Breadcrumb},
};

fn action_text(i18n: leptos_i18n::I18nContext<Locale>, action: AuditAction) -> String {
    match action {
        AuditAction::IntegrationCreated => t_string!(i18n, audit.integration_created),
        AuditAction::IntegrationRenamed => t_string!(i18n, audit.integration_renamed),
        AuditAction::IntegrationUpdated => t_string!(i18n, audit.integration_updated),
        AuditAction::IntegrationPaused => t_string!(i18n, audit.integration_paused),
        AuditAction::IntegrationResumed => t_string!(i18n, audit.integration_resumed),
        AuditAction::IntegrationDeleted => t_string!(i18n, audit.integration_deleted),
        AuditAction::ApiKeyGenerated => t_string!(i18n, audit.api_key_generated),
        AuditAction::CloudLinkPaired => t_string!(i18n, audit.cloud_link_paired),
        AuditAction::CloudLinkDisconnected => t_string!(i18n, audit.cloud_link_disconnected),
        AuditAction::CsvSchemaSaved => t_string!(i18n, audit.csv_schema_saved),
        AuditAction::DatabaseSettingsSaved => t_string!(i18n, audit.database_settings_saved),
        AuditAction::ApiKeyRevoked => t_string!(i18n, audit.api_key_revoked),
        AuditAction::TokenCreated => t_string!(i18n, audit.token_created),
        AuditAction::TokenRevoked => t_string!(i18n, audit.token_revoked),
        AuditAction::EmployeeCreated => t_string!(i18n, audit.employee_created),
        AuditAction::AgentMapped => t_string!(i18n, audit.agent_mapped),
        AuditAction::AgentUnmapped => t_string!(i18n, audit.agent_unmapped),
        AuditAction::ActivityCreated => t_string!(i18n, audit.activity_created),
        AuditAction::ActivityUpdated => t_string!(i18n, audit.activity_updated),
        AuditAction::ActivityArchived => t_string!(i18n, audit.activity_archived),
        AuditAction::ActivityMapped => t_string!(i18n, audit.activity_mapped),
        AuditAction::ActivityUnmapped => t_string!(i18n, audit.activity_unmapped),
        AuditAction::EmployeeUpdated => t_string!(i18n, audit.employee_updated),
        AuditAction::EmployeeArchived => t_string!(i18n, audit.employee_archived),
        AuditAction::WorkloadCreated => t_string!(i18n, audit.workload_created),
        AuditAction::WorkloadRenamed => t_string!(i18n, audit.workload_renamed),
        AuditAction::WorkloadArchived => t_string!(i18n, audit.workload_archived),
        AuditAction::WorkloadQueueAdded => t_string!(i18n, audit.workload_queue_added),
        AuditAction::WorkloadQueueRemoved => t_string!(i18n, audit.workload_queue_removed),
        AuditAction::EmployeesImported => t_string!(i18n, audit.employees_imported),
    }
    .to_string()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let log = Resource::new(page, audit_page);
    view! {
        <Title text=move || t_string!(i18n, audit.title).to_string() />
        <Breadcrumb>
            <li aria-current="page" class="font-medium text-slate-700">{t!(i18n, audit.title)}</li>
        </Breadcrumb>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, audit.title)}</h1>
        <p class="mt-1 text-sm text-slate-600">{t!(i18n, audit.intro)}</p>
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match log.await {
                    Ok(log) => {
                        let (current, pages) = (log.page, log.pages);
                        view! {
                            <div class="mt-6 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                                <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="audit-table">
                                    <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.when)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.who)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.what)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, audit.subject)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {log.events.into_iter().map(|event| view! {
                                            <tr data-test="audit-row" data-action=event.action.as_str()>
                                                <td class="whitespace-nowrap px-4 py-3 text-slate-600">{short_time(&event.at)}</td>
                                                <td class="px-4 py-3 text-slate-700">{event.actor_email}</td>
                                                <td class="px-4 py-3 text-slate-900">{action_text(i18n, event.action)}</td>
                                                <td class="px-4 py-3 text-slate-700">{event.subject}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, audit.pages).to_string()>
                                <span class="text-slate-500">{t_string!(i18n, audit.page_of, page = current, pages = pages).to_string()}</span>
                                <div class="flex gap-3">
                                    {(current > 1).then(|| view! { <A href=format!("/account/audit?page={}", current - 1) attr:class="font-medium text-indigo-700">{t!(i18n, audit.newer)}</A> })}
                                    {(current < pages).then(|| view! { <A href=format!("/account/audit?page={}", current + 1) attr:class="font-medium text-indigo-700">{t!(i18n, audit.older)}</A> })}
                                </div>
                            </nav>
                        }.into_any()
                    }
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}
