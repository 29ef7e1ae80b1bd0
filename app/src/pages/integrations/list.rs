//! `/account/integrations`: the account's integrations, with pause/resume
//! buttons that work with and without JavaScript.

use domain::integration::{Integration, IntegrationKind};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use crate::{
    api::{list_integrations, Overview, PauseIntegration, ResumeIntegration},
    components::{
        dialog::Modal,
        icons::{PauseIcon, PencilIcon, PlayIcon, PlugIcon, PlusIcon},
        integration::{kind_label, DataTypeLabels, StatusBadge},
    },
    format::short_time,
    i18n::*,
};

#[component]
pub fn Breadcrumb(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav aria-label=move || t_string!(i18n, nav.breadcrumb).to_string() class="text-sm text-slate-500">
            <ol class="flex items-center gap-2">
                <li>{t!(i18n, nav.account)}</li>
                <li aria-hidden="true">"›"</li>
                {children()}
            </ol>
        </nav>
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let show_deleted = move || query.read().get("show").as_deref() == Some("deleted");
    let pause = ServerAction::<PauseIntegration>::new();
    let resume = ServerAction::<ResumeIntegration>::new();
    let overview = Resource::new(
        move || {
            (
                show_deleted(),
                pause.version().get(),
                resume.version().get(),
            )
        },
        |(deleted, _, _)| list_integrations(deleted),
    );
    view! {
        <Title text=move || t_string!(i18n, integrations.title).to_string() />
        <Breadcrumb>
            <li aria-current="page" class="font-medium text-slate-700">{t!(i18n, nav.integrations)}</li>
        </Breadcrumb>
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <OverviewView overview show_deleted=show_deleted() pause resume /> }.into_any(),
                    Err(_) => view! { <p role="alert" class="mt-6 text-sm text-red-700">{t!(i18n, errors.internal)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OverviewView(
    overview: Overview,
    show_deleted: bool,
    pause: ServerAction<PauseIntegration>,
    resume: ServerAction<ResumeIntegration>,
) -> impl IntoView {
    let i18n = use_i18n();
    let can_manage = overview.can_manage;
    let empty = overview.integrations.is_empty();
    let (filter_href, filter_label) = if show_deleted {
        (
            "/account/integrations",
            t_string!(i18n, integrations.hide_deleted).to_string(),
        )
    } else {
        (
            "/account/integrations?show=deleted",
            t_string!(i18n, integrations.show_deleted).to_string(),
        )
    };
    view! {
        <div class="mt-3 flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, integrations.title)}</h1>
                <p class="mt-1 max-w-2xl text-sm text-slate-600">{t!(i18n, integrations.intro)}</p>
            </div>
            <div class="flex items-center gap-3">
                <A href=filter_href attr:class="text-sm font-medium text-slate-600 hover:text-slate-900" attr:data-test="deleted-filter">
                    {filter_label}
                </A>
                {can_manage.then(|| view! { <AddButton /> })}
            </div>
        </div>
        {(!can_manage).then(|| view! {
            <p class="mt-4 rounded-lg bg-slate-100 px-4 py-2 text-sm text-slate-600">{t!(i18n, integrations.read_only)}</p>
        })}
        {if empty && !show_deleted {
            view! { <EmptyState can_manage /> }.into_any()
        } else {
            view! { <IntegrationTable integrations=overview.integrations can_manage pause resume /> }.into_any()
        }}
    }
}

#[component]
fn AddButton() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <A
            href="/account/integrations/new"
            attr:data-test="add-integration"
            attr:class="inline-flex items-center gap-1.5 rounded-lg bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500"
        >
            <PlusIcon />
            {t!(i18n, integrations.add)}
        </A>
    }
}

#[component]
fn EmptyState(can_manage: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section
            data-test="integrations-empty"
            class="mt-8 rounded-2xl border-2 border-dashed border-slate-200 bg-white px-6 py-16 text-center"
        >
            <div class="mx-auto flex h-16 w-16 items-center justify-center rounded-full bg-indigo-50">
                <PlugIcon />
            </div>
            <h2 class="mt-4 text-lg font-semibold text-slate-900">{t!(i18n, integrations.empty_title)}</h2>
            <p class="mx-auto mt-2 max-w-md text-sm text-slate-600">{t!(i18n, integrations.empty_body)}</p>
            <p class="mx-auto mt-2 max-w-md text-sm text-slate-500">{t!(i18n, integrations.empty_how)}</p>
            {can_manage.then(|| view! { <div class="mt-6 flex justify-center"><AddButton /></div> })}
        </section>
    }
}

#[component]
fn IntegrationTable(
    integrations: Vec<Integration>,
    can_manage: bool,
    pause: ServerAction<PauseIntegration>,
    resume: ServerAction<ResumeIntegration>,
) -> impl IntoView {
    let i18n = use_i18n();
    let header = |text: String| view! { <th scope="col" class="px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">{text}</th> };
    view! {
        <div class="mt-6 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200" data-test="integrations-table">
                <thead class="bg-slate-50">
                    <tr>
                        {header(t_string!(i18n, integrations.col_name).to_string())}
                        {header(t_string!(i18n, integrations.col_type).to_string())}
                        {header(t_string!(i18n, integrations.col_carries).to_string())}
                        {header(t_string!(i18n, integrations.col_status).to_string())}
                        {header(t_string!(i18n, integrations.col_last_import).to_string())}
                        <th scope="col" class="px-4 py-3"><span class="sr-only">{t!(i18n, integrations.col_actions)}</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {integrations
                        .into_iter()
                        .map(|integration| view! { <IntegrationRow integration can_manage pause resume /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn IntegrationRow(
    integration: Integration,
    can_manage: bool,
    pause: ServerAction<PauseIntegration>,
    resume: ServerAction<ResumeIntegration>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = integration.id.0;
    let href = format!("/account/integrations/{id}");
    let status = integration.status;
    let icon_button = "inline-flex h-9 w-9 items-center justify-center rounded-lg text-slate-500 hover:bg-slate-100 hover:text-slate-900";
    let last_import = integration.last_import_at.as_deref().map_or_else(
        || t_string!(i18n, integrations.never).to_string(),
        short_time,
    );
    let confirm_resume = RwSignal::new(false);
    let asks_first = integration.kind == IntegrationKind::Database && status.can_resume();
    let name = integration.name.to_string();
    let paused_at = integration
        .paused_at
        .as_deref()
        .map(short_time)
        .unwrap_or_default();
    view! {
        <tr data-test="integration-row" data-id=id>
            <td class="px-4 py-3">
                <A href=href.clone() attr:class="font-medium text-slate-900 hover:text-indigo-700" attr:data-test="integration-name">
                    {integration.name.to_string()}
                </A>
                <p class="text-xs text-slate-500">"ID " {id}</p>
            </td>
            <td class="px-4 py-3 text-sm text-slate-600">{kind_label(i18n, integration.kind)}</td>
            <td class="px-4 py-3">
                <DataTypeLabels data_types=integration.data_types />
                {integration.real_time_at.as_deref().map(|at| {
                    let at = short_time(at);
                    view! {
                        <span
                            class="mt-1 inline-flex items-center gap-1 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-700 ring-1 ring-inset ring-emerald-200"
                            data-test="real-time"
                            title=move || t_string!(i18n, integrations.real_time_title, at = at.clone()).to_string()
                        >
                            <span class="h-1.5 w-1.5 rounded-full bg-emerald-500" aria-hidden="true"></span>
                            {t!(i18n, integrations.real_time)}
                        </span>
                    }
                })}
            </td>
            <td class="px-4 py-3"><StatusBadge status reason=integration.failing_reason.clone().unwrap_or_default() /></td>
            <td class="px-4 py-3 text-sm text-slate-600">{last_import}</td>
            <td class="px-4 py-3">
                <div class="flex items-center justify-end gap-1">
                    {(can_manage && status.can_pause()).then(|| view! {
                        <ActionForm action=pause>
                            <input type="hidden" name="id" value=id />
                            <button
                                type="submit"
                                data-test="pause"
                                class=icon_button
                                aria-label=move || t_string!(i18n, integrations.pause).to_string()
                                title=move || t_string!(i18n, integrations.pause).to_string()
                            >
                                <PauseIcon />
                            </button>
                        </ActionForm>
                    })}
                    {(can_manage && status.can_resume()).then(|| view! {
                        <ActionForm action=resume>
                            <input type="hidden" name="id" value=id />
                            <button
                                type="submit"
                                data-test="resume"
                                class=icon_button
                                aria-label=move || t_string!(i18n, integrations.resume).to_string()
                                title=move || t_string!(i18n, integrations.resume).to_string()
                                on:click=move |event| {
                                    // A database integration says first what a
                                    // resume imports (without JavaScript, its
                                    // page says so).
                                    if asks_first {
                                        event.prevent_default();
                                        confirm_resume.set(true);
                                    }
                                }
                            >
                                <PlayIcon />
                            </button>
                        </ActionForm>
                    })}
                    {(can_manage && asks_first).then(|| view! {
                        <Modal open=confirm_resume test_id="resume-dialog" title=Signal::derive(move || t_string!(i18n, integrations.resume_title, name = name.clone()).to_string())>
                            <p class="text-sm text-slate-600">
                                {t_string!(i18n, integrations.resume_database, at = paused_at.clone()).to_string()}
                            </p>
                            <div class="mt-6 flex justify-end gap-3">
                                <button type="button" data-test="cancel-resume" class="rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50" on:click=move |_| confirm_resume.set(false)>
                                    {t!(i18n, edit.cancel)}
                                </button>
                                <button
                                    type="button"
                                    data-test="confirm-resume"
                                    class="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500"
                                    on:click=move |_| {
                                        confirm_resume.set(false);
                                        resume.dispatch(ResumeIntegration { id });
                                    }
                                >
                                    {t!(i18n, integrations.resume_confirm)}
                                </button>
                            </div>
                        </Modal>
                    })}
                    <A
                        href=href
                        attr:class=icon_button
                        attr:data-test="edit"
                        attr:aria-label=t_string!(i18n, integrations.edit).to_string()
                        attr:title=t_string!(i18n, integrations.edit).to_string()
                    >
                        <PencilIcon />
                    </A>
                </div>
            </td>
        </tr>
    }
}
