//! `/account/integrations/new`: choose a tile, then a model, then name it.
//! Each step is a plain link or form, so it also works without JavaScript.

use domain::{
    catalogue::{self, Model, Tile},
    integration::IntervalLength,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

use super::list::Breadcrumb;
use crate::{
    api::{CreateIntegration, RenameToOld},
    components::forms::ErrorAlert,
    error::AppError,
    i18n::*,
    pages::integrations::form::{app_error_text, IntegrationFields},
};

#[component]
pub fn NewIntegrationPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tile = move || query.read().get("tile").and_then(|t| Tile::parse(&t));
    let model = move || query.read().get("model").and_then(|m| catalogue::model(&m));
    view! {
        <Title text=move || t_string!(i18n, add.title).to_string() />
        <Breadcrumb>
            <li><A href="/account/integrations" attr:class="hover:text-slate-700">{t!(i18n, nav.integrations)}</A></li>
            <li aria-hidden="true">"›"</li>
            <li aria-current="page" class="font-medium text-slate-700">{t!(i18n, add.title)}</li>
        </Breadcrumb>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, add.title)}</h1>
        {move || match (model(), tile()) {
            (Some(model), _) => view! { <NameStep model /> }.into_any(),
            (None, Some(tile)) => view! { <ModelStep tile /> }.into_any(),
            (None, None) => view! { <TileStep /> }.into_any(),
        }}
    }
}

fn tile_text(i18n: leptos_i18n::I18nContext<Locale>, tile: Tile) -> (String, String) {
    let (title, body) = match tile {
        Tile::Cloud => (
            t_string!(i18n, add.tile_cloud),
            t_string!(i18n, add.tile_cloud_body),
        ),
        Tile::OnPremise => (
            t_string!(i18n, add.tile_on_premise),
            t_string!(i18n, add.tile_on_premise_body),
        ),
        Tile::Universal => (
            t_string!(i18n, add.tile_universal),
            t_string!(i18n, add.tile_universal_body),
        ),
    };
    (title.to_string(), body.to_string())
}

fn model_text(i18n: leptos_i18n::I18nContext<Locale>, model: &Model) -> (String, String) {
    let (title, body) = match model.id {
        "cloud_link" => (
            t_string!(i18n, add.model_cloud_link),
            t_string!(i18n, add.model_cloud_link_body),
        ),
        "database" => (
            t_string!(i18n, add.model_database),
            t_string!(i18n, add.model_database_body),
        ),
        "csv" => (
            t_string!(i18n, add.model_csv),
            t_string!(i18n, add.model_csv_body),
        ),
        "api" => (
            t_string!(i18n, add.model_api),
            t_string!(i18n, add.model_api_body),
        ),
        _ => {
            return (
                model.vendor_name.unwrap_or(model.id).to_owned(),
                String::new(),
            )
        }
    };
    (title.to_string(), body.to_string())
}

const CARD: &str = "block rounded-2xl border border-slate-200 bg-white p-6 shadow-sm transition hover:border-indigo-300 hover:shadow-md";

#[component]
fn StepTitle(text: String) -> impl IntoView {
    view! { <h2 class="mt-6 text-sm font-semibold uppercase tracking-wide text-slate-500">{text}</h2> }
}

#[component]
fn TileStep() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <StepTitle text=t_string!(i18n, add.step_tile).to_string() />
        <div class="mt-3 grid gap-4 sm:grid-cols-3">
            {Tile::ALL
                .into_iter()
                .map(|tile| {
                    let (title, body) = tile_text(i18n, tile);
                    view! {
                        <A href=format!("/account/integrations/new?tile={}", tile.as_str()) attr:class=CARD attr:data-test=format!("tile-{}", tile.as_str())>
                            <h3 class="text-base font-semibold text-slate-900">{title}</h3>
                            <p class="mt-2 text-sm text-slate-600">{body}</p>
                        </A>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn ModelStep(tile: Tile) -> impl IntoView {
    let i18n = use_i18n();
    let models: Vec<&'static Model> = catalogue::models(tile).collect();
    let (tile_title, _) = tile_text(i18n, tile);
    view! {
        <StepTitle text=format!("{tile_title} · {}", t_string!(i18n, add.step_model)) />
        {if models.is_empty() {
            view! {
                <div data-test="no-models" class="mt-3 rounded-2xl border border-slate-200 bg-white p-6 text-sm text-slate-600">
                    {t!(i18n, add.tile_cloud_empty)}
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="mt-3 grid gap-4 sm:grid-cols-3">
                    {models
                        .into_iter()
                        .map(|model| {
                            let (title, body) = model_text(i18n, model);
                            view! {
                                <A href=format!("/account/integrations/new?model={}", model.id) attr:class=CARD attr:data-test=format!("model-{}", model.id)>
                                    <h3 class="text-base font-semibold text-slate-900">{title}</h3>
                                    <p class="mt-2 text-sm text-slate-600">{body}</p>
                                </A>
                            }
                        })
                        .collect_view()}
                </div>
            }
            .into_any()
        }}
        <A href="/account/integrations/new" attr:class="mt-6 inline-block text-sm font-medium text-slate-600 hover:text-slate-900">
            "← " {t!(i18n, add.back)}
        </A>
    }
}

#[component]
fn NameStep(model: &'static Model) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateIntegration>::new();
    let rename = ServerAction::<RenameToOld>::new();
    let (title, _) = model_text(i18n, model);
    let duplicate = move || match create.value().get() {
        Some(Err(AppError::DuplicateName { existing_id })) => Some(existing_id),
        _ => None,
    };
    let other_error = move || match create.value().get() {
        Some(Err(AppError::DuplicateName { .. })) | None | Some(Ok(_)) => None,
        Some(Err(error)) => Some(app_error_text(i18n, &error)),
    };
    view! {
        <StepTitle text=format!("{title} · {}", t_string!(i18n, add.step_name)) />
        <div class="mt-3 max-w-xl rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <ActionForm action=create attr:class="space-y-5" attr:data-test="create-form">
                <input type="hidden" name="model" value=model.id />
                {move || other_error().map(|message| view! { <ErrorAlert message /> })}
                {move || duplicate().map(|existing_id| view! { <DuplicateWarning existing_id rename /> })}
                <IntegrationFields name=String::new() interval=IntervalLength::default() contacts=true agent_statuses=false disabled=false />
                <div class="flex items-center justify-end gap-3">
                    <A href="/account/integrations" attr:class="text-sm font-medium text-slate-600 hover:text-slate-900">{t!(i18n, add.cancel)}</A>
                    <button type="submit" data-test="save" class="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
                        {t!(i18n, add.save)}
                    </button>
                </div>
            </ActionForm>
        </div>
    }
}

/// The explicit warning a duplicate name needs, with the FAQ's one-click
/// rename of the existing integration.
#[component]
fn DuplicateWarning(existing_id: i64, rename: ServerAction<RenameToOld>) -> impl IntoView {
    let i18n = use_i18n();
    let renamed = move || match rename.value().get() {
        Some(Ok(name)) => Some(name),
        _ => None,
    };
    view! {
        <div role="alert" data-test="duplicate-warning" class="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
            <p class="font-semibold">{t!(i18n, add.duplicate_title)}</p>
            <p class="mt-1">{t!(i18n, add.duplicate_body)}</p>
            {move || match renamed() {
                Some(name) => view! {
                    <p class="mt-3 font-medium" data-test="renamed">{t_string!(i18n, add.renamed, name = name.clone()).to_string()}</p>
                }.into_any(),
                None => view! {
                    <div class="mt-3 flex flex-wrap items-center gap-3">
                        <button
                            type="button"
                            data-test="rename-old"
                            class="rounded-lg border border-amber-300 bg-white px-3 py-1.5 font-medium hover:bg-amber-100"
                            on:click=move |_| { rename.dispatch(RenameToOld { id: existing_id }); }
                        >
                            {t!(i18n, add.duplicate_rename)}
                        </button>
                        <label class="flex items-center gap-2">
                            <input type="checkbox" name="allow_duplicate" data-test="allow-duplicate" class="h-4 w-4 rounded border-amber-400" />
                            {t!(i18n, add.duplicate_keep)}
                        </label>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
