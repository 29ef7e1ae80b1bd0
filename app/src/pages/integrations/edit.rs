//! `/account/integrations/{id}`: settings, the configuration id, API access
//! (key shown once in a dialog), the Cloud Link client (paired by PIN) and
//! deletion.

use domain::integration::{IntegrationKind, Status};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use super::{
    imports::{ImportHistory, ReceivedFiles},
    list::Breadcrumb,
};
use crate::{
    api::{
        integration_detail, DeleteIntegration, Detail, DownloadView, GenerateApiKey, LinkClient,
        LinkView, UnlinkClient, UpdateIntegration,
    },
    components::{
        dialog::{CopyButton, Modal},
        forms::{ErrorAlert, NoticeAlert},
        integration::{kind_label, StatusBadge},
    },
    format::{file_size, short_time},
    i18n::*,
    pages::integrations::form::{app_error_text, IntegrationFields},
};

const SECTION: &str = "rounded-2xl border border-slate-200 bg-white p-6 shadow-sm";
const PRIMARY: &str = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:opacity-50";
const SECONDARY: &str = "rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50";
const DANGER: &str =
    "rounded-lg bg-red-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-500";

#[component]
pub fn EditIntegrationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let update = ServerAction::<UpdateIntegration>::new();
    let generate = ServerAction::<GenerateApiKey>::new();
    let delete = ServerAction::<DeleteIntegration>::new();
    let link = ServerAction::<LinkClient>::new();
    let unlink = ServerAction::<UnlinkClient>::new();
    let detail = Resource::new(
        move || {
            (
                id(),
                update.version().get(),
                generate.version().get(),
                link.version().get(),
                unlink.version().get(),
            )
        },
        |(id, ..)| integration_detail(id),
    );
    let key_open = RwSignal::new(false);
    let confirm_regenerate = RwSignal::new(false);
    let confirm_delete = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(generate.value().get(), Some(Ok(_))) {
            key_open.set(true);
        }
    });
    let name = move || {
        detail
            .get()
            .and_then(Result::ok)
            .map(|d| d.integration.name.to_string())
            .unwrap_or_default()
    };
    let new_key = Signal::derive(move || match generate.value().get() {
        Some(Ok(key)) => key.key,
        _ => String::new(),
    });
    view! {
        <Title text=move || name() />
        <Breadcrumb>
            <li><A href="/account/integrations" attr:class="hover:text-slate-700">{t!(i18n, nav.integrations)}</A></li>
            <li aria-hidden="true">"›"</li>
            <li aria-current="page" class="font-medium text-slate-700">{name}</li>
        </Breadcrumb>
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! {
                        <DetailView detail update generate link unlink confirm_regenerate />
                    }.into_any(),
                    Err(error) => view! {
                        <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div>
                    }.into_any(),
                }
            })}
        </Suspense>
        <ReceivedFiles integration=Signal::derive(id) />
        <ImportHistory integration=Signal::derive(id) />
        <Suspense>
            {move || Suspend::new(async move {
                detail.await.ok().map(|detail| {
                    let editable =
                        detail.can_manage && detail.integration.status != Status::Deleted;
                    view! { <DeleteZone editable delete confirm_delete /> }
                })
            })}
        </Suspense>
        <Modal open=key_open test_id="key-dialog" title=Signal::derive(move || t_string!(i18n, edit.key_dialog_title).to_string())>
            <p class="text-sm text-amber-800">{t!(i18n, edit.key_dialog_warning)}</p>
            <div class="mt-4 flex items-center gap-2">
                <input
                    type="text"
                    readonly=true
                    data-test="new-key"
                    prop:value=new_key
                    aria-label=move || t_string!(i18n, edit.key_dialog_title).to_string()
                    class="block w-full rounded-lg border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900"
                />
                <CopyButton text=new_key label=t_string!(i18n, edit.copy).to_string() done=t_string!(i18n, edit.copied).to_string() test_id="copy-key" />
            </div>
            <div class="mt-6 flex justify-end">
                <button type="button" data-test="close-key" class=PRIMARY on:click=move |_| key_open.set(false)>
                    {t!(i18n, edit.key_done)}
                </button>
            </div>
        </Modal>
        <Modal open=confirm_regenerate test_id="regenerate-dialog" title=Signal::derive(move || t_string!(i18n, edit.regenerate_title).to_string())>
            <p class="text-sm text-slate-600">{t!(i18n, edit.regenerate_body)}</p>
            <div class="mt-6 flex justify-end gap-3">
                <button type="button" class=SECONDARY on:click=move |_| confirm_regenerate.set(false)>{t!(i18n, edit.cancel)}</button>
                <button
                    type="button"
                    data-test="confirm-regenerate"
                    class=DANGER
                    on:click=move |_| {
                        confirm_regenerate.set(false);
                        generate.dispatch(GenerateApiKey { id: id() });
                    }
                >
                    {t!(i18n, edit.regenerate_confirm)}
                </button>
            </div>
        </Modal>
        <Modal open=confirm_delete test_id="delete-dialog" title=Signal::derive(move || t_string!(i18n, edit.delete_title, name = name()).to_string())>
            <p class="text-sm text-slate-600">{t!(i18n, edit.delete_body)}</p>
            <div class="mt-6 flex justify-end gap-3">
                <button type="button" class=SECONDARY on:click=move |_| confirm_delete.set(false)>{t!(i18n, edit.cancel)}</button>
                <button
                    type="button"
                    data-test="confirm-delete"
                    class=DANGER
                    on:click=move |_| {
                        confirm_delete.set(false);
                        delete.dispatch(DeleteIntegration { id: id() });
                    }
                >
                    {t!(i18n, edit.delete_confirm)}
                </button>
            </div>
        </Modal>
    }
}

#[component]
fn DetailView(
    detail: Detail,
    update: ServerAction<UpdateIntegration>,
    generate: ServerAction<GenerateApiKey>,
    link: ServerAction<LinkClient>,
    unlink: ServerAction<UnlinkClient>,
    confirm_regenerate: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let integration = detail.integration;
    let id = integration.id.0;
    let deleted = integration.status == Status::Deleted;
    let editable = detail.can_manage && !deleted;
    let config_id = Signal::derive(move || id.to_string());
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    let update_error = move || match update.value().get() {
        Some(Err(error)) => Some(app_error_text(i18n, &error)),
        _ => None,
    };
    view! {
        <div class="mt-3 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-semibold tracking-tight text-slate-900" data-test="integration-title">{integration.name.to_string()}</h1>
            <StatusBadge status=integration.status />
            <span class="text-sm text-slate-500">{kind_label(i18n, integration.kind)}</span>
        </div>
        {(detail.held_imports > 0).then(|| {
            let held = detail.held_imports;
            let catching_up = integration.status == Status::Resuming;
            view! {
                <div role="status" data-test="held" class="mt-4 rounded-xl border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900">
                    {if catching_up {
                        t_string!(i18n, edit.catching_up, n = held).to_string()
                    } else {
                        t_string!(i18n, edit.holding, n = held).to_string()
                    }}
                    " "
                    <a href=format!("/account/integrations/{id}") class="font-medium underline">{t!(i18n, edit.refresh)}</a>
                </div>
            }
        })}
        <div class="mt-6 grid gap-6 lg:grid-cols-3">
            <section class=format!("{SECTION} lg:col-span-2")>
                <h2 class="text-base font-semibold text-slate-900">{t!(i18n, edit.settings)}</h2>
                <ActionForm action=update attr:class="mt-4 space-y-5" attr:data-test="edit-form">
                    <input type="hidden" name="id" value=id />
                    {move || saved().then(|| view! { <NoticeAlert message=t_string!(i18n, edit.saved).to_string() /> })}
                    {move || update_error().map(|message| view! { <ErrorAlert message /> })}
                    <IntegrationFields
                        name=integration.name.to_string()
                        interval=integration.interval
                        contacts=integration.data_types.contacts()
                        agent_statuses=integration.data_types.agent_statuses()
                        disabled=!editable
                    />
                    {editable.then(|| view! {
                        <div class="flex justify-end">
                            <button type="submit" data-test="save" class=PRIMARY>{t!(i18n, edit.save)}</button>
                        </div>
                    })}
                </ActionForm>
            </section>
            <section class=SECTION>
                <h2 class="text-base font-semibold text-slate-900">{t!(i18n, edit.config_id)}</h2>
                <p class="mt-1 text-sm text-slate-600">{t!(i18n, edit.config_id_body)}</p>
                <div class="mt-4 flex items-center gap-2">
                    <code data-test="config-id" class="rounded-lg bg-slate-100 px-3 py-2 font-mono text-sm text-slate-900">{id}</code>
                    <CopyButton text=config_id label=t_string!(i18n, edit.copy).to_string() done=t_string!(i18n, edit.copied).to_string() test_id="copy-config-id" />
                </div>
                {integration.data_types.agent_statuses().then(|| view! {
                    <h2 class="mt-6 text-base font-semibold text-slate-900">{t!(i18n, mapping.title)}</h2>
                    <p class="mt-1 text-sm text-slate-600">{t!(i18n, mapping.link_body)}</p>
                    <a href=format!("/account/integrations/{id}/mapping") class="mt-3 inline-block text-sm font-medium text-indigo-700 hover:underline" data-test="mapping-link">{t!(i18n, mapping.link)}</a>
                })}
            </section>
        </div>
        {(integration.kind == IntegrationKind::Api).then(|| {
            let has_key = detail.api_key.is_some();
            view! {
                <section class=format!("{SECTION} mt-6") data-test="api-access">
                    <h2 class="text-base font-semibold text-slate-900">{t!(i18n, edit.api_title)}</h2>
                    <p class="mt-1 max-w-2xl text-sm text-slate-600">{t!(i18n, edit.api_body)}</p>
                    <div class="mt-4 text-sm text-slate-700" data-test="key-info">
                        {match detail.api_key.clone() {
                            Some(key) => view! {
                                <p><code class="font-mono">{key.display_prefix}"…"</code></p>
                                <p class="text-slate-500">{t_string!(i18n, edit.key_created, at = short_time(&key.created_at)).to_string()}</p>
                                <p class="text-slate-500">{match key.last_used_at {
                                    Some(at) => t_string!(i18n, edit.key_last_used, at = short_time(&at)).to_string(),
                                    None => t_string!(i18n, edit.key_never_used).to_string(),
                                }}</p>
                            }.into_any(),
                            None => view! { <p class="text-slate-500">{t!(i18n, edit.no_key)}</p> }.into_any(),
                        }}
                    </div>
                    {editable.then(|| view! {
                        <button
                            type="button"
                            data-test="generate-key"
                            class=format!("{PRIMARY} mt-4")
                            disabled=move || generate.pending().get()
                            on:click=move |_| {
                                if has_key {
                                    confirm_regenerate.set(true);
                                } else {
                                    generate.dispatch(GenerateApiKey { id });
                                }
                            }
                        >
                            {if has_key { t_string!(i18n, edit.regenerate).to_string() } else { t_string!(i18n, edit.generate).to_string() }}
                        </button>
                    })}
                </section>
            }
        })}
        {detail.csv.clone().map(|summary| view! { <super::csv::CsvSection id summary editable /> })}
        {detail.database.clone().map(|summary| {
            let paused = integration.status == Status::Paused;
            view! { <super::database::DatabaseSection id summary paused /> }
        })}
        {integration.kind.needs_cloud_link().then(|| view! {
            <CloudLinkSection id link_action=link unlink_action=unlink paired=detail.link.clone() downloads=detail.downloads.clone() editable />
        })}
    }
}

/// Deleting, last on the page, below everything the integration holds.
#[component]
fn DeleteZone(
    editable: bool,
    delete: ServerAction<DeleteIntegration>,
    confirm_delete: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let delete_error = move || match delete.value().get() {
        Some(Err(error)) => Some(app_error_text(i18n, &error)),
        _ => None,
    };
    view! {
        {move || delete_error().map(|message| view! { <div class="mt-6"><ErrorAlert message /></div> })}
        {editable.then(|| view! {
            <div class="mt-10 flex justify-end border-t border-slate-200 pt-6">
                <button type="button" data-test="delete" class=DANGER on:click=move |_| confirm_delete.set(true)>
                    {t!(i18n, edit.delete)}
                </button>
            </div>
        })}
    }
}

/// The client's downloads, each with its size and SHA-256 to check it by.
#[component]
fn ClientDownloads(downloads: Vec<DownloadView>) -> impl IntoView {
    let i18n = use_i18n();
    if downloads.is_empty() {
        return view! {
            <p class="mt-4 max-w-2xl text-sm text-slate-500" data-test="no-downloads">{t!(i18n, edit.link_downloads_none)}</p>
        }
        .into_any();
    }
    view! {
        <div class="mt-4 max-w-3xl" data-test="downloads">
            <ul class="grid grid-cols-1 gap-3 sm:grid-cols-2">
                {downloads.into_iter().map(|download| {
                    let label = if download.platform == "windows" {
                        t_string!(i18n, edit.link_download_windows).to_string()
                    } else {
                        t_string!(i18n, edit.link_download_linux).to_string()
                    };
                    view! {
                        <li class="rounded-lg border border-slate-200 p-3" data-test=format!("download-{}", download.platform)>
                            <a href=download.href download=download.file_name.clone() rel="external" class=format!("{SECONDARY} flex w-full justify-center")>
                                {label}
                            </a>
                            <p class="mt-2 text-xs text-slate-500">{download.file_name}" · "{file_size(download.size)}</p>
                            <p class="mt-1 text-xs text-slate-500">
                                {t!(i18n, edit.link_checksum)}": "
                                <code class="break-all font-mono text-slate-700" data-test="sha256">{download.sha256}</code>
                            </p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="mt-2 text-sm text-slate-600">{t!(i18n, edit.link_downloads_hint)}</p>
        </div>
    }
    .into_any()
}

/// The Cloud Link client: who is paired, and the PIN field that pairs one
/// (again). Works as a plain form post without JavaScript.
#[component]
fn CloudLinkSection(
    id: i64,
    link_action: ServerAction<LinkClient>,
    unlink_action: ServerAction<UnlinkClient>,
    paired: Option<LinkView>,
    downloads: Vec<DownloadView>,
    editable: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = move || match link_action.value().get() {
        Some(Err(error)) => Some(app_error_text(i18n, &error)),
        _ => None,
    };
    let is_paired = paired.is_some();
    view! {
        <section class=format!("{SECTION} mt-6") data-test="cloud-link">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, edit.link_title)}</h2>
            {match paired {
                Some(link) => view! {
                    <dl class="mt-4 grid max-w-2xl grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2" data-test="link-info">
                        <div><dt class="text-slate-500">{t!(i18n, edit.link_host)}</dt><dd class="font-medium text-slate-900" data-test="link-host">{link.host}</dd></div>
                        <div><dt class="text-slate-500">{t!(i18n, edit.link_version)}</dt><dd class="text-slate-900">{link.version}</dd></div>
                        <div><dt class="text-slate-500">{t!(i18n, edit.link_os)}</dt><dd class="text-slate-900">{link.os}</dd></div>
                        <div><dt class="text-slate-500">{t!(i18n, edit.link_last_contact)}</dt><dd class="text-slate-900">{short_time(&link.last_contact)}</dd></div>
                    </dl>
                    {(!link.connected).then(|| view! {
                        <p class="mt-3 text-sm text-sky-800" role="status" data-test="link-waiting">{t!(i18n, edit.link_waiting)}</p>
                    })}
                    {link.quiet.then(|| view! {
                        <p class="mt-3 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status" data-test="link-quiet">
                            {t!(i18n, edit.link_quiet)}
                        </p>
                    })}
                    {editable.then(|| view! {
                        <ActionForm action=unlink_action attr:class="mt-4" attr:data-test="unlink-form">
                            <input type="hidden" name="id" value=id />
                            <button type="submit" data-test="disconnect" class=SECONDARY disabled=move || unlink_action.pending().get()>
                                {t!(i18n, edit.link_disconnect)}
                            </button>
                        </ActionForm>
                    })}
                }.into_any(),
                None => view! {
                    <p class="mt-1 max-w-2xl text-sm text-slate-600" data-test="link-body">{t!(i18n, edit.link_body)}</p>
                }.into_any(),
            }}
            <ClientDownloads downloads />
            {editable.then(|| view! {
                <ActionForm action=link_action attr:class="mt-4 max-w-md space-y-3" attr:data-test="link-form">
                    <input type="hidden" name="id" value=id />
                    {move || error().map(|message| view! { <ErrorAlert message /> })}
                    {is_paired.then(|| view! {
                        <p class="text-sm text-slate-600">{t!(i18n, edit.link_new_installation)}</p>
                    })}
                    <label for="pin" class="block text-sm font-medium text-slate-700">{t!(i18n, edit.link_pin_label)}</label>
                    <div class="flex items-center gap-3">
                        <input
                            id="pin"
                            name="pin"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength="7"
                            required=true
                            data-test="pin"
                            class="block w-40 rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-lg tracking-widest text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
                        />
                        <button type="submit" data-test="connect" class=PRIMARY disabled=move || link_action.pending().get()>
                            {t!(i18n, edit.link_connect)}
                        </button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}
