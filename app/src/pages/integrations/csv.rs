//! The CSV pages: the schema designer (`…/csv`) against an uploaded
//! sample, with proposals and a preview of the rows as they will be read;
//! and a file uploaded by hand (`…/csv/files/{upload}`) with its preview
//! and *Apply*. The designer is a GET form whose address holds the draft:
//! without JavaScript *Preview* submits it, with JavaScript every change
//! does; *Save* posts it. Uploads are plain multipart posts.

use domain::csv::{
    designer::{
        Design, FieldProblem, LineProblem, RowsKind, RowsPreview, TablePreview, UploadInfo,
        UploadPreview,
    },
    proposal::{Proposal, Role},
};
use leptos::{html, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};

use super::list::Breadcrumb;
use crate::{
    api::{csv_design, csv_upload_preview, ApplyCsvUpload},
    components::forms::{ErrorAlert, NoticeAlert},
    format::{file_size, short_time},
    i18n::*,
    pages::integrations::form::app_error_text,
};

pub(super) const SECTION: &str = "rounded-2xl border border-slate-200 bg-white p-6 shadow-sm";
pub(crate) const PRIMARY: &str = "rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:opacity-50";
pub(crate) const SECONDARY: &str = "rounded-lg border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50";
pub(super) const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 disabled:bg-slate-50 disabled:text-slate-500";
pub(super) const LABEL: &str = "block text-sm font-medium text-slate-700";
const TABLE: &str = "min-w-full divide-y divide-slate-200 text-sm";
const TH: &str = "whitespace-nowrap px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
const TD: &str = "whitespace-nowrap px-3 py-1.5 text-slate-700";

pub(super) fn integration_id() -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|raw| raw.parse::<i64>().ok())
            .unwrap_or(-1)
    }
}

/// The message for an error code carried back to a CSV page in its URL.
pub fn csv_error_text(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    let text = match code {
        "too_large" => t_string!(i18n, csv.error_too_large),
        "no_file" | "unreadable" => t_string!(i18n, csv.error_no_file),
        "no_schema" => t_string!(i18n, csv.error_no_schema),
        "layout_fixed" => t_string!(i18n, csv.error_layout_fixed),
        "not_carried" => t_string!(i18n, csv.error_not_carried),
        "paused" => t_string!(i18n, csv.error_paused),
        "invalid_schema" => t_string!(i18n, csv.error_invalid_schema),
        "refused" | "too_many_queues" => t_string!(i18n, csv.error_refused),
        "no_upload" => t_string!(i18n, csv.error_no_upload),
        "stale" => t_string!(i18n, csv.error_stale),
        "busy" => t_string!(i18n, csv.error_busy),
        "deleted" => t_string!(i18n, add.error_deleted),
        "forbidden" => t_string!(i18n, add.error_forbidden),
        _ => t_string!(i18n, errors.internal),
    };
    text.to_string()
}

fn layout_text(i18n: leptos_i18n::I18nContext<Locale>, layout: &str) -> String {
    match layout {
        "contacts" => t_string!(i18n, csv.layout_contacts),
        "agentStatuses" => t_string!(i18n, csv.layout_agents),
        _ => t_string!(i18n, csv.layout_intervals),
    }
    .to_string()
}

fn role_text(i18n: leptos_i18n::I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Queue => t_string!(i18n, csv.queue),
        Role::Date => t_string!(i18n, csv.date),
        Role::Time => t_string!(i18n, csv.time),
        Role::Timestamp => t_string!(i18n, csv.timestamp),
        Role::Offered => t_string!(i18n, csv.offered),
        Role::Answered => t_string!(i18n, csv.answered),
        Role::HandleTime => t_string!(i18n, csv.handle_time),
        Role::Channel => t_string!(i18n, csv.channel),
        Role::Agent => t_string!(i18n, csv.agent),
        Role::Activity => t_string!(i18n, csv.activity),
        Role::End => t_string!(i18n, csv.end),
    }
    .to_string()
}

/// The designer page.
#[component]
pub fn CsvDesignerPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = integration_id();
    let location = use_location();
    let query = use_query_map();
    let design = Resource::new(
        move || (id(), location.search.get()),
        |(id, search)| csv_design(id, search),
    );
    let error = move || {
        query
            .read()
            .get("error")
            .map(|code| csv_error_text(i18n, &code))
    };
    view! {
        <Title text=move || t_string!(i18n, csv.designer_title).to_string() />
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match design.await {
                    Ok(design) => view! { <Designer design id=id() error=error() /> }.into_any(),
                    Err(failure) => view! {
                        <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &failure) /></div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Designer(design: Design, id: i64, error: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let search = location.search.get_untracked();
    let sample_action = if search.is_empty() {
        format!("/account/integrations/{id}/csv/sample")
    } else {
        format!("/account/integrations/{id}/csv/sample?{search}")
    };
    let columns: Vec<(String, String)> = match &design.table {
        Some(Ok(table)) => table.columns.clone(),
        _ => Vec::new(),
    };
    let integration_name = design.integration_name.clone();
    // With JavaScript, edits preview at once: the draft is read again and
    // only the problems and the preview follow, the form stays as typed.
    let draft = RwSignal::new(None::<String>);
    let live = Resource::new(
        move || draft.get(),
        move |draft| async move {
            match draft {
                Some(draft) => csv_design(id, draft).await.ok(),
                None => None,
            }
        },
    );
    let initial = design.clone();
    let current = Memo::new(move |_| {
        live.get().flatten().map_or_else(
            || {
                (
                    initial.problems.clone(),
                    initial.table.clone(),
                    initial.rows.clone(),
                )
            },
            |d| (d.problems, d.table, d.rows),
        )
    });
    let problems = Signal::derive(move || current.get().0);
    view! {
        <Breadcrumb>
            <li><A href="/account/integrations" attr:class="hover:text-slate-700">{t!(i18n, nav.integrations)}</A></li>
            <li aria-hidden="true">"›"</li>
            <li><A href=format!("/account/integrations/{id}") attr:class="hover:text-slate-700">{integration_name}</A></li>
            <li aria-hidden="true">"›"</li>
            <li aria-current="page" class="font-medium text-slate-700">{t!(i18n, csv.designer_title)}</li>
        </Breadcrumb>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, csv.designer_title)}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, csv.designer_intro)}</p>
        {error.map(|message| view! { <div class="mt-4"><ErrorAlert message /></div> })}
        <section class=format!("{SECTION} mt-6") data-test="sample">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, csv.sample_title)}</h2>
            {match design.sample.clone() {
                Some(sample) => view! {
                    <p class="mt-1 text-sm text-slate-600" data-test="sample-name">
                        {t_string!(i18n, csv.sample_current, name = sample.name.clone(), size = file_size(sample.size)).to_string()}
                    </p>
                }.into_any(),
                None => view! { <p class="mt-1 text-sm text-slate-600">{t!(i18n, csv.sample_none)}</p> }.into_any(),
            }}
            {design.may_edit.then(|| view! {
                <FilePicker action=sample_action button=t_string!(i18n, csv.sample_upload).to_string() test_id="sample-form" />
            })}
        </section>
        {design.proposal.clone().map(|proposal| view! { <Proposals proposal id /> })}
        <SchemaFields design=design.clone() id columns problems draft />
        <Transition>
            {move || {
                let (_, table, rows) = current.get();
                view! { <PreviewSection table rows /> }
            }}
        </Transition>
    }
    .into_any()
}

/// A file field with its button, posted as `multipart/form-data`: a drop
/// zone and a file picker in one (browsers drop files onto the field).
/// With JavaScript the upload shows its progress, then goes where the
/// post's redirect points; without, it is a plain form post.
#[component]
pub fn FilePicker(action: String, button: String, test_id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let input_id = format!("{test_id}-file");
    let label_for = input_id.clone();
    let form_ref = NodeRef::<html::Form>::new();
    let progress = RwSignal::new(None::<u32>);
    let on_submit = move |event: web_sys::SubmitEvent| {
        if let Some(form) = form_ref.get() {
            if send_with_progress(&form, progress) {
                event.prevent_default();
            }
        }
    };
    view! {
        <form method="post" enctype="multipart/form-data" action=action node_ref=form_ref on:submit=on_submit class="mt-4 flex flex-wrap items-center gap-3" data-test=test_id>
            <label for=label_for class="relative flex min-h-20 w-full max-w-xl cursor-pointer flex-col items-center justify-center rounded-xl border-2 border-dashed border-slate-300 bg-slate-50 px-4 py-4 text-center text-sm text-slate-600 hover:border-indigo-400 hover:bg-indigo-50/40">
                <span>{t!(i18n, csv.choose_file)}</span>
                <input
                    id=input_id
                    name="file"
                    type="file"
                    accept=".csv,.txt,.tsv,text/csv,text/plain"
                    required=true
                    data-test="file"
                    class="mt-2 block w-full max-w-sm text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-indigo-600 file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-white"
                />
            </label>
            <button type="submit" class=PRIMARY data-test="upload" disabled=move || progress.get().is_some()>{button}</button>
            {move || progress.get().map(|percent| view! {
                <div class="flex w-full max-w-xl items-center gap-3" role="status" data-test="upload-progress">
                    <progress max="100" value=percent class="h-2 w-full overflow-hidden rounded-full"></progress>
                    <span class="whitespace-nowrap text-sm tabular-nums text-slate-600">{t_string!(i18n, csv.uploading, percent = percent).to_string()}</span>
                </div>
            })}
        </form>
    }
    .into_any()
}

/// Sends `form` with its progress in `progress`, then loads the page the
/// answer's redirect points to; `false` when it cannot (the form is then
/// posted as it is).
fn send_with_progress(form: &web_sys::HtmlFormElement, progress: RwSignal<Option<u32>>) -> bool {
    use leptos::wasm_bindgen::{closure::Closure, JsCast};
    let (Ok(data), Ok(request)) = (
        web_sys::FormData::new_with_form(form),
        web_sys::XmlHttpRequest::new(),
    ) else {
        return false;
    };
    if request.open("POST", &form.action()).is_err() {
        return false;
    }
    if let Ok(upload) = request.upload() {
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
            move |event: web_sys::ProgressEvent| {
                if event.length_computable() && event.total() > 0.0 {
                    progress.set(Some((event.loaded() / event.total() * 100.0).round() as u32));
                }
            },
        );
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
    }
    let answered = request.clone();
    let on_load = Closure::<dyn FnMut()>::new(move || {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(&answered.response_url());
        }
    });
    request.set_onload(Some(on_load.as_ref().unchecked_ref()));
    on_load.forget();
    let on_error = Closure::<dyn FnMut()>::new(move || progress.set(None));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    progress.set(Some(0));
    request.send_with_opt_form_data(Some(&data)).is_ok()
}

#[component]
fn Proposals(proposal: Proposal, id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let query = serde_urlencoded::to_string(&proposal.form).unwrap_or_default();
    let delimiter = proposal.delimiter.clone();
    view! {
        <section class="mt-6 rounded-2xl border border-indigo-200 bg-indigo-50/60 p-6" data-test="proposals">
            <h2 class="text-base font-semibold text-indigo-950">{t!(i18n, csv.proposals_title)}</h2>
            <p class="mt-1 text-sm text-indigo-900">{t!(i18n, csv.proposals_body)}</p>
            <ul class="mt-3 grid gap-1 text-sm text-indigo-950 sm:grid-cols-2">
                <li>{t!(i18n, csv.encoding)}": "<span class="font-medium">{proposal.encoding.clone()}</span></li>
                <li>{t!(i18n, csv.delimiter)}": "<span class="font-medium">{delimiter_text(i18n, &delimiter)}</span></li>
                <li>{if proposal.header_row { t_string!(i18n, csv.proposal_header_yes) } else { t_string!(i18n, csv.proposal_header_no) }.to_string()}</li>
                {(proposal.skip_first > 0).then(|| view! { <li>{t_string!(i18n, csv.proposal_skip, count = proposal.skip_first).to_string()}</li> })}
                <li>{t!(i18n, csv.data_layout)}": "<span class="font-medium">{layout_text(i18n, &proposal.layout)}</span>
                    {proposal.interval.map(|minutes| format!(" · {}", t_string!(i18n, csv.interval_minutes, minutes = minutes)))}
                </li>
            </ul>
            {(!proposal.columns.is_empty()).then(|| view! {
                <ul class="mt-3 flex flex-wrap gap-2 text-xs" data-test="proposed-columns">
                    {proposal.columns.iter().map(|column| view! {
                        <li class="rounded-full bg-white px-2.5 py-1 text-indigo-950 ring-1 ring-inset ring-indigo-200">
                            <span class="font-mono">{column.letter.clone()}</span>" "
                            {(!column.name.is_empty() && column.name != column.letter).then(|| format!("“{}” ", column.name))}
                            "→ "<span class="font-medium">{role_text(i18n, column.role)}</span>
                            {column.format.clone().map(|format| view! { " "<span class="font-mono">{format}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            <a href=format!("/account/integrations/{id}/csv?{query}") class=format!("{PRIMARY} mt-4 inline-block") data-test="use-proposals">{t!(i18n, csv.proposals_use)}</a>
        </section>
    }
    .into_any()
}

fn delimiter_text(i18n: leptos_i18n::I18nContext<Locale>, delimiter: &str) -> String {
    match delimiter {
        "comma" => t_string!(i18n, csv.delimiter_comma),
        "tab" => t_string!(i18n, csv.delimiter_tab),
        "pipe" => t_string!(i18n, csv.delimiter_pipe),
        _ => t_string!(i18n, csv.delimiter_semicolon),
    }
    .to_string()
}

pub(super) fn problem_of(problems: &[FieldProblem], field: &str) -> Option<String> {
    problems
        .iter()
        .find(|problem| problem.field == field)
        .map(|problem| problem.detail.clone())
}

/// A select of `options` (value, label) named `name`.
#[component]
pub(super) fn Choice(
    name: &'static str,
    label: String,
    value: String,
    options: Vec<(String, String)>,
    problem: Signal<Option<String>>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    let error_id = format!("{name}-problem");
    let described = error_id.clone();
    view! {
        <div class="space-y-1.5">
            <label for=name class=LABEL>{label}</label>
            <select id=name name=name class=INPUT disabled=disabled aria-invalid=move || problem.get().is_some().then_some("true") aria-describedby=move || problem.get().map(|_| described.clone()) data-test=name>
                {options.into_iter().map(|(option, text)| {
                    let selected = option == value;
                    view! { <option value=option selected=selected>{text}</option> }
                }).collect_view()}
            </select>
            {disabled.then(|| view! { <input type="hidden" name=name value=value.clone() /> })}
            {move || problem.get().map(|problem| view! { <p id=error_id.clone() class="text-xs text-red-700" data-test="field-problem">{problem}</p> })}
        </div>
    }
    .into_any()
}

/// A text field named `name`.
#[component]
pub(super) fn Text(
    name: &'static str,
    label: String,
    value: String,
    problem: Signal<Option<String>>,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] list: Option<&'static str>,
    #[prop(optional)] mono: bool,
) -> impl IntoView {
    let error_id = format!("{name}-problem");
    let described = error_id.clone();
    let class = if mono {
        format!("{INPUT} font-mono")
    } else {
        INPUT.to_owned()
    };
    view! {
        <div class="space-y-1.5">
            <label for=name class=LABEL>{label}</label>
            <input id=name name=name type="text" value=value list=list class=class autocomplete="off" spellcheck="false" aria-invalid=move || problem.get().is_some().then_some("true") aria-describedby=move || problem.get().map(|_| described.clone()) data-test=name />
            {hint.map(|hint| view! { <p class="text-xs text-slate-500">{hint}</p> })}
            {move || problem.get().map(|problem| view! { <p id=error_id.clone() class="text-xs text-red-700" data-test="field-problem">{problem}</p> })}
        </div>
    }
    .into_any()
}

/// The column choices: none, then each column by letter and name.
fn column_options(
    i18n: leptos_i18n::I18nContext<Locale>,
    columns: &[(String, String)],
) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), t_string!(i18n, csv.column_none).to_string())];
    let known: Vec<(String, String)> = if columns.is_empty() {
        (0..26)
            .map(|i| {
                let letter = domain::csv::preprocess::column_letters(i);
                (letter.clone(), letter)
            })
            .collect()
    } else {
        columns.to_vec()
    };
    options.extend(known.into_iter().map(|(letter, name)| {
        let text = if name == letter {
            letter.clone()
        } else {
            format!("{letter} · {name}")
        };
        (letter, text)
    }));
    options
}

#[component]
fn SchemaFields(
    design: Design,
    id: i64,
    columns: Vec<(String, String)>,
    problems: Signal<Vec<FieldProblem>>,
    draft: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let form_ref = NodeRef::<html::Form>::new();
    let navigate = use_navigate();
    let location = use_location();
    // With JavaScript every change previews at once. A change of the
    // layout or of where times are read shows other fields: the page
    // follows the new address. Any other change keeps the form as typed,
    // puts the draft into the address without a navigation, and only the
    // problems and the preview follow.
    let live = move |event: web_sys::Event| {
        let Some(form) = form_ref.get() else {
            return;
        };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else {
            return;
        };
        let query: String = params.to_string().into();
        let url = format!("{}?{query}", location.pathname.get_untracked());
        let changed = event_target::<web_sys::Element>(&event).get_attribute("name");
        if matches!(
            changed.as_deref(),
            Some("layout" | "time_source" | "end_source" | "method")
        ) {
            navigate(
                &url,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..NavigateOptions::default()
                },
            );
        } else {
            if let Some(history) = web_sys::window().and_then(|window| window.history().ok()) {
                let _ = history.replace_state_with_url(
                    &leptos::wasm_bindgen::JsValue::NULL,
                    "",
                    Some(&url),
                );
            }
            draft.set(Some(query));
        }
    };
    let f = design.form.clone();
    let problem =
        move |field: &'static str| Signal::derive(move || problem_of(&problems.get(), field));
    let fixed = design.fixed_layout.clone();
    let layout = f.layout.clone();
    let cols = column_options(i18n, &columns);
    let col = |name: &'static str, label: String, value: &str| {
        view! { <Choice name label value=value.to_owned() options=cols.clone() problem=problem(name) /> }
    };
    let formats = |name: &'static str, label: String, value: &str| {
        view! { <Text name label value=value.to_owned() problem=problem(name) mono=true /> }
    };
    let time_sources = vec![
        (
            "date_time".to_owned(),
            t_string!(i18n, csv.time_source_date_time).to_string(),
        ),
        (
            "timestamp".to_owned(),
            t_string!(i18n, csv.time_source_timestamp).to_string(),
        ),
    ];
    let when = {
        let date_time = f.time_source != "timestamp";
        view! {
            <Choice name="time_source" label=t_string!(i18n, csv.time_source).to_string() value=f.time_source.clone() options=time_sources.clone() problem=problem("time_source") />
            {if date_time {
                view! {
                    {col("date", t_string!(i18n, csv.date).to_string(), &f.date)}
                    {formats("date_format", t_string!(i18n, csv.date_format).to_string(), &f.date_format)}
                    {col("time", t_string!(i18n, csv.time).to_string(), &f.time)}
                    {formats("time_format", t_string!(i18n, csv.time_format).to_string(), &f.time_format)}
                }.into_any()
            } else {
                view! {
                    {col("timestamp", t_string!(i18n, csv.timestamp).to_string(), &f.timestamp)}
                    {formats("timestamp_format", t_string!(i18n, csv.timestamp_format).to_string(), &f.timestamp_format)}
                }.into_any()
            }}
        }
    };
    let channel_options: Vec<(String, String)> = domain::ingest::Channel::ALL
        .iter()
        .map(|channel| {
            (
                channel.as_str().to_owned(),
                channel.as_str().replace('_', " "),
            )
        })
        .collect();
    let duration_formats = vec![
        (
            "seconds".to_owned(),
            t_string!(i18n, csv.seconds).to_string(),
        ),
        ("hh:mm:ss".to_owned(), "hh:mm:ss".to_owned()),
    ];
    let mapping = match layout.as_str() {
        "agentStatuses" => {
            let end_sources = vec![
                ("none".to_owned(), t_string!(i18n, csv.end_none).to_string()),
                (
                    "date_time".to_owned(),
                    t_string!(i18n, csv.time_source_date_time).to_string(),
                ),
                (
                    "timestamp".to_owned(),
                    t_string!(i18n, csv.time_source_timestamp).to_string(),
                ),
            ];
            let end = match f.end_source.as_str() {
                "timestamp" => view! {
                    {col("end_timestamp", t_string!(i18n, csv.end).to_string(), &f.end_timestamp)}
                    {formats("end_timestamp_format", t_string!(i18n, csv.timestamp_format).to_string(), &f.end_timestamp_format)}
                }.into_any(),
                "date_time" => view! {
                    {col("end_date", t_string!(i18n, csv.date).to_string(), &f.end_date)}
                    {formats("end_date_format", t_string!(i18n, csv.date_format).to_string(), &f.end_date_format)}
                    {col("end_time", t_string!(i18n, csv.time).to_string(), &f.end_time)}
                    {formats("end_time_format", t_string!(i18n, csv.time_format).to_string(), &f.end_time_format)}
                }.into_any(),
                _ => ().into_any(),
            };
            view! {
                {col("agent", t_string!(i18n, csv.agent).to_string(), &f.agent)}
                {col("activity", t_string!(i18n, csv.activity).to_string(), &f.activity)}
                {when}
                <Choice name="end_source" label=t_string!(i18n, csv.end).to_string() value=f.end_source.clone() options=end_sources problem=problem("end_source") />
                {end}
            }.into_any()
        }
        other if f.method == "query" => {
            let layout = if other == "contacts" {
                domain::csv::schema::Layout::Contacts
            } else {
                domain::csv::schema::Layout::Intervals(domain::integration::IntervalLength::Fifteen)
            };
            view! { <QueryField query=f.query.clone() columns=columns.clone() layout problem=problem("query") /> }.into_any()
        }
        other => {
            let intervals = other != "contacts";
            view! {
                {col("queue", t_string!(i18n, csv.queue).to_string(), &f.queue)}
                {when}
                {col("channel", t_string!(i18n, csv.channel).to_string(), &f.channel)}
                <Choice name="fixed_channel" label=t_string!(i18n, csv.channel_fixed).to_string() value=f.fixed_channel.clone() options=channel_options problem=problem("fixed_channel") />
                {intervals.then(|| col("offered", t_string!(i18n, csv.offered).to_string(), &f.offered))}
                {col("answered", if intervals { t_string!(i18n, csv.answered) } else { t_string!(i18n, csv.answered_contact) }.to_string(), &f.answered)}
                {col("handle_time", if intervals { t_string!(i18n, csv.handle_time) } else { t_string!(i18n, csv.duration) }.to_string(), &f.handle_time)}
                <Choice name="handle_time_format" label=t_string!(i18n, csv.handle_time_format).to_string() value=f.handle_time_format.clone() options=duration_formats problem=problem("handle_time_format") />
            }.into_any()
        }
    };
    let encodings: Vec<(String, String)> = domain::csv::encoding::Encoding::ALL
        .iter()
        .map(|e| (e.as_str().to_owned(), e.as_str().to_uppercase()))
        .collect();
    let delimiters: Vec<(String, String)> = ["semicolon", "comma", "tab", "pipe"]
        .iter()
        .map(|d| ((*d).to_owned(), delimiter_text(i18n, d)))
        .collect();
    let layouts: Vec<(String, String)> = ["intervals", "contacts", "agentStatuses"]
        .iter()
        .map(|l| ((*l).to_owned(), layout_text(i18n, l)))
        .collect();
    let interval_options: Vec<(String, String)> = [15, 30, 60]
        .iter()
        .map(|m| {
            (
                m.to_string(),
                t_string!(i18n, csv.interval_minutes, minutes = *m).to_string(),
            )
        })
        .collect();
    let missing_options = vec![
        (
            "zero".to_owned(),
            t_string!(i18n, csv.missing_zero).to_string(),
        ),
        (
            "noData".to_owned(),
            t_string!(i18n, csv.missing_no_data).to_string(),
        ),
    ];
    let (layout_value, interval_value) = match &fixed {
        Some((layout, interval)) => (
            layout.clone(),
            interval.map_or(f.interval.clone(), |m| m.to_string()),
        ),
        None => (f.layout.clone(), f.interval.clone()),
    };
    let locked = fixed.is_some();
    let problem_count = move || problems.get().len();
    let methods = vec![
        (
            "columns".to_owned(),
            t_string!(i18n, csv.method_columns).to_string(),
        ),
        (
            "query".to_owned(),
            t_string!(i18n, csv.method_query).to_string(),
        ),
    ];
    let method = if f.method == "query" {
        "query"
    } else {
        "columns"
    };
    // Switching the method replaces the saved mapping: said before saving.
    let replaces = design
        .saved_method
        .as_deref()
        .is_some_and(|saved| saved != method);
    view! {
        <form method="get" node_ref=form_ref on:change=live class="mt-6 space-y-6" data-test="schema-form">
            <div class="grid gap-6 lg:grid-cols-3">
                <section class=SECTION>
                    <h2 class="text-base font-semibold text-slate-900">{t!(i18n, csv.setup_title)}</h2>
                    <div class="mt-4 space-y-4">
                        <Choice name="encoding" label=t_string!(i18n, csv.encoding).to_string() value=f.encoding.clone() options=encodings problem=problem("encoding") />
                        <Choice name="delimiter" label=t_string!(i18n, csv.delimiter).to_string() value=f.delimiter.clone() options=delimiters problem=problem("delimiter") />
                        <Text name="time_zone" label=t_string!(i18n, csv.time_zone).to_string() value=f.time_zone.clone() problem=problem("time_zone") hint=t_string!(i18n, csv.time_zone_hint).to_string() list="time-zones" />
                        <datalist id="time-zones">
                            {domain::csv::zone::TimeZone::names().into_iter().map(|name| view! { <option value=name></option> }).collect_view()}
                        </datalist>
                        <Choice name="layout" label=t_string!(i18n, csv.data_layout).to_string() value=layout_value options=layouts problem=problem("layout") disabled=locked />
                        {(layout != "contacts" && layout != "agentStatuses").then(|| view! {
                            <Choice name="interval" label=t_string!(i18n, csv.interval).to_string() value=interval_value options=interval_options problem=problem("interval") disabled=locked />
                            <Choice name="missing" label=t_string!(i18n, csv.missing).to_string() value=f.missing.clone() options=missing_options problem=problem("missing") />
                        })}
                        <p class="text-xs text-slate-500" data-test="layout-note">
                            {if locked { t_string!(i18n, csv.layout_locked) } else { t_string!(i18n, csv.layout_fixed) }.to_string()}
                        </p>
                    </div>
                </section>
                <section class=SECTION>
                    <h2 class="text-base font-semibold text-slate-900">{t!(i18n, csv.preprocess_title)}</h2>
                    <div class="mt-4 space-y-4">
                        <label class="flex items-start gap-2 text-sm text-slate-700">
                            <input type="checkbox" name="add_header" value="on" checked=!f.add_header.is_empty() data-test="add_header" class="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600" />
                            <span>{t!(i18n, csv.add_header)}</span>
                        </label>
                        <label class="flex items-start gap-2 text-sm text-slate-700">
                            <input type="checkbox" name="skip_empty" value="on" checked=!f.skip_empty.is_empty() class="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600" />
                            <span>{t!(i18n, csv.skip_empty)}</span>
                        </label>
                        <div class="space-y-1.5">
                            <label for="skip_first" class=LABEL>{t!(i18n, csv.skip_first)}</label>
                            <input id="skip_first" name="skip_first" type="number" min="0" max="1000" value=f.skip_first.clone() class=INPUT data-test="skip_first" />
                            {move || problem("skip_first").get().map(|problem| view! { <p class="text-xs text-red-700" data-test="field-problem">{problem}</p> })}
                        </div>
                        <div class="space-y-1.5">
                            <label for="skip_containing" class=LABEL>{t!(i18n, csv.skip_containing)}</label>
                            <textarea id="skip_containing" name="skip_containing" rows="3" class=format!("{INPUT} font-mono") data-test="skip_containing">{f.skip_containing.clone()}</textarea>
                            {move || problem("skip_containing").get().map(|problem| view! { <p class="text-xs text-red-700" data-test="field-problem">{problem}</p> })}
                        </div>
                    </div>
                </section>
                // A query needs room: the whole width, below the setup.
                <section class=if method == "query" { format!("{SECTION} lg:col-span-3") } else { SECTION.to_owned() }>
                    <h2 class="text-base font-semibold text-slate-900">{t!(i18n, csv.columns_title)}</h2>
                    <p class="mt-1 text-xs text-slate-500">{t!(i18n, csv.format_hint)}</p>
                    <div class="mt-4 space-y-4">
                        {(layout != "agentStatuses").then(|| view! {
                            <Choice name="method" label=t_string!(i18n, csv.method).to_string() value=method.to_owned() options=methods problem=problem("method") />
                        })}
                        {replaces.then(|| view! {
                            <p class="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="alert" data-test="method-replaces">
                                {t!(i18n, csv.method_replaces)}
                            </p>
                        })}
                        {mapping}
                    </div>
                </section>
            </div>
            {move || (problem_count() > 0).then(|| view! {
                <p class="text-sm text-amber-800" role="status" data-test="problem-count">{t_string!(i18n, csv.problems_count, count = problem_count()).to_string()}</p>
            })}
            <div class="flex flex-wrap justify-end gap-3">
                <button type="submit" class=SECONDARY data-test="preview">{t!(i18n, csv.preview_button)}</button>
                {design.may_edit.then(|| view! {
                    <button type="submit" formmethod="post" formaction=format!("/account/integrations/{id}/csv/schema") class=PRIMARY data-test="save-schema">
                        {t!(i18n, csv.save)}
                    </button>
                })}
            </div>
        </form>
    }
    .into_any()
}

/// The SQLite query that maps contact data, with what it reads and what
/// its result must carry beside it.
#[component]
fn QueryField(
    query: String,
    columns: Vec<(String, String)>,
    layout: domain::csv::schema::Layout,
    problem: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let names: Vec<String> = columns.into_iter().map(|(_, name)| name).collect();
    let sql_names = domain::csv::query::sql_names(&names);
    let (required, optional) = domain::csv::query::result_columns(layout);
    let code = |names: Vec<String>| {
        names
            .into_iter()
            .map(|name| view! { <code class="rounded bg-slate-100 px-1 font-mono text-xs text-slate-800">{name}</code>" " })
            .collect_view()
    };
    view! {
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="space-y-1.5 lg:col-span-2">
                <label for="query" class=LABEL>{t!(i18n, csv.query)}</label>
                <textarea id="query" name="query" rows="10" spellcheck="false" class=format!("{INPUT} font-mono text-xs") aria-invalid=move || problem.get().is_some().then_some("true") data-test="query">{query}</textarea>
                {move || problem.get().map(|problem| view! { <p class="text-xs text-red-700" data-test="field-problem">{problem}</p> })}
            </div>
            <div class="space-y-2 text-xs text-slate-600" data-test="query-help">
                <p>{t!(i18n, csv.query_table)}" "{if sql_names.is_empty() { view! { <span>{t!(i18n, csv.query_no_sample)}</span> }.into_any() } else { code(sql_names).into_any() }}</p>
                <p>{t!(i18n, csv.query_required)}" "{code(required.iter().map(|c| (*c).to_owned()).collect())}</p>
                <p>{t!(i18n, csv.query_optional)}" "{code(optional.iter().map(|c| (*c).to_owned()).collect())}</p>
                <p>{t_string!(i18n, csv.query_rules, seconds = domain::csv::query::QUERY_SECONDS, mib = domain::csv::query::QUERY_MEMORY_MIB).to_string()}</p>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn PreviewSection(
    table: Option<Result<TablePreview, String>>,
    rows: Option<RowsPreview>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class=format!("{SECTION} mt-6") data-test="preview-section">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, csv.preview_title)}</h2>
            {match table {
                None => view! { <p class="mt-2 text-sm text-slate-500">{t!(i18n, csv.preview_none)}</p> }.into_any(),
                Some(Err(problem)) => view! { <div class="mt-3"><ErrorAlert message=problem /></div> }.into_any(),
                Some(Ok(table)) => view! { <TableView table /> }.into_any(),
            }}
            {rows.map(|rows| view! { <RowsView rows /> })}
        </section>
    }
    .into_any()
}

#[component]
fn TableView(table: TablePreview) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3 class="mt-4 text-sm font-semibold text-slate-800">{t_string!(i18n, csv.table_title, count = table.total_rows).to_string()}</h3>
        <div class="mt-2 overflow-x-auto rounded-lg border border-slate-200" data-test="table-preview">
            <table class=TABLE>
                <thead class="bg-slate-50">
                    <tr>
                        <th scope="col" class=TH>{t!(i18n, csv.col_line)}</th>
                        {table.columns.iter().map(|(letter, name)| view! {
                            <th scope="col" class=TH>
                                <span class="font-mono text-indigo-700">{letter.clone()}</span>
                                {(name != letter).then(|| view! { <span class="ml-1 normal-case text-slate-700">{name.clone()}</span> })}
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {table.rows.into_iter().map(|(line, cells)| view! {
                        <tr>
                            <td class=format!("{TD} text-slate-400 tabular-nums")>{line}</td>
                            {cells.into_iter().map(|cell| view! { <td class=TD>{cell}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn rows_header(i18n: leptos_i18n::I18nContext<Locale>, kind: RowsKind) -> Vec<String> {
    let line = t_string!(i18n, csv.col_line).to_string();
    let texts = match kind {
        RowsKind::Intervals => vec![
            t_string!(i18n, csv.queue),
            t_string!(i18n, csv.col_channel),
            t_string!(i18n, csv.col_start),
            t_string!(i18n, csv.offered),
            t_string!(i18n, csv.answered),
            t_string!(i18n, csv.col_aht),
        ],
        RowsKind::Contacts => vec![
            t_string!(i18n, csv.queue),
            t_string!(i18n, csv.col_channel),
            t_string!(i18n, csv.col_time),
            t_string!(i18n, csv.answered),
            t_string!(i18n, csv.col_duration),
        ],
        RowsKind::AgentStatuses => vec![
            t_string!(i18n, csv.agent),
            t_string!(i18n, csv.activity),
            t_string!(i18n, csv.col_start),
            t_string!(i18n, csv.col_end),
        ],
    };
    std::iter::once(line)
        .chain(texts.into_iter().map(|text| text.to_string()))
        .collect()
}

/// The rows as they will be imported, or every problem by line and column.
#[component]
pub fn RowsView(rows: RowsPreview) -> impl IntoView {
    let i18n = use_i18n();
    match rows {
        RowsPreview::Read {
            kind,
            rows,
            total_rows,
            queues,
            intervals,
            future_rows,
        } => view! {
            <h3 class="mt-6 text-sm font-semibold text-slate-800">{t!(i18n, csv.rows_title)}</h3>
            <p class="mt-1 text-sm text-emerald-800" data-test="rows-summary">
                {t_string!(i18n, csv.rows_summary, rows = total_rows, queues = queues, intervals = intervals).to_string()}
            </p>
            {(future_rows > 0).then(|| view! {
                <p class="mt-1 text-sm text-sky-800" role="status" data-test="future-rows">{t_string!(i18n, csv.future, count = future_rows).to_string()}</p>
            })}
            <div class="mt-2 overflow-x-auto rounded-lg border border-slate-200" data-test="rows-preview">
                <table class=TABLE>
                    <thead class="bg-slate-50">
                        <tr>{rows_header(i18n, kind).into_iter().map(|text| view! { <th scope="col" class=TH>{text}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100">
                        {rows.into_iter().map(|cells| view! {
                            <tr>{cells.into_iter().map(|cell| view! { <td class=TD>{cell}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any(),
        RowsPreview::Refused { problems, total, in_result } => view! { <ProblemList problems total in_result /> }.into_any(),
    }
}

#[component]
fn ProblemList(problems: Vec<LineProblem>, total: usize, in_result: bool) -> impl IntoView {
    let i18n = use_i18n();
    let more = total.saturating_sub(problems.len());
    view! {
        <h3 class="mt-6 text-sm font-semibold text-red-800" data-test="refused">{t_string!(i18n, csv.refused, count = total).to_string()}</h3>
        <div class="mt-2 overflow-x-auto rounded-lg border border-red-200" data-test="problems">
            <table class=TABLE>
                <thead class="bg-red-50">
                    <tr>
                        <th scope="col" class=TH>{if in_result { t_string!(i18n, csv.col_result_row) } else { t_string!(i18n, csv.col_line) }}</th>
                        <th scope="col" class=TH>{t!(i18n, csv.col_column)}</th>
                        <th scope="col" class=TH>{t!(i18n, csv.col_problem)}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-red-100">
                    {problems.into_iter().map(|problem| view! {
                        <tr data-test="problem">
                            <td class=format!("{TD} tabular-nums")>{(problem.line > 0).then_some(problem.line)}</td>
                            <td class=TD>{problem.column}</td>
                            <td class="px-3 py-1.5 text-slate-700">{problem.detail}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(more > 0).then(|| view! { <p class="mt-2 text-sm text-slate-600">{t_string!(i18n, csv.more_problems, count = more).to_string()}</p> })}
    }
    .into_any()
}

/// A file uploaded by hand: what will be imported, then *Apply*.
#[component]
pub fn CsvUploadPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = integration_id();
    let params = use_params_map();
    let upload = move || {
        params
            .read()
            .get("upload")
            .and_then(|raw| raw.parse::<i64>().ok())
            .unwrap_or(-1)
    };
    let preview = Resource::new(
        move || (id(), upload()),
        |(id, upload)| csv_upload_preview(id, upload),
    );
    let apply = ServerAction::<ApplyCsvUpload>::new();
    view! {
        <Title text=move || t_string!(i18n, csv.upload_title).to_string() />
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(preview) => view! { <UploadView preview id=id() apply /> }.into_any(),
                    Err(failure) => view! {
                        <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &failure) /></div>
                        <A href=format!("/account/integrations/{}", id()) attr:class="mt-4 inline-block text-sm font-medium text-indigo-700">{t!(i18n, csv.back)}</A>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UploadView(
    preview: UploadPreview,
    id: i64,
    apply: ServerAction<ApplyCsvUpload>,
) -> impl IntoView {
    let i18n = use_i18n();
    let UploadPreview {
        integration_name,
        file,
        rows,
        paused,
    } = preview;
    let UploadInfo {
        id: upload,
        name,
        size,
        uploaded_at,
    } = file;
    let crumb = name.clone();
    let readable = matches!(rows, RowsPreview::Read { .. });
    let apply_error = move || match apply.value().get() {
        Some(Err(failure)) => Some(match &failure {
            crate::error::AppError::Conflict(code) => csv_error_text(i18n, code),
            other => app_error_text(i18n, other),
        }),
        _ => None,
    };
    view! {
        <Breadcrumb>
            <li><A href="/account/integrations" attr:class="hover:text-slate-700">{t!(i18n, nav.integrations)}</A></li>
            <li aria-hidden="true">"›"</li>
            <li><A href=format!("/account/integrations/{id}") attr:class="hover:text-slate-700">{integration_name}</A></li>
            <li aria-hidden="true">"›"</li>
            <li aria-current="page" class="font-medium text-slate-700">{crumb}</li>
        </Breadcrumb>
        <h1 class="mt-3 text-2xl font-semibold tracking-tight text-slate-900">{t_string!(i18n, csv.upload_page_title, name = name.clone()).to_string()}</h1>
        <p class="mt-1 text-sm text-slate-600">{file_size(size)}" · "{short_time(&uploaded_at)}</p>
        <section class=format!("{SECTION} mt-6") data-test="upload-preview">
            <RowsView rows />
            {move || apply_error().map(|message| view! { <div class="mt-4"><ErrorAlert message /></div> })}
            {if paused {
                view! { <div class="mt-4"><NoticeAlert message=t_string!(i18n, csv.error_paused).to_string() /></div> }.into_any()
            } else if readable {
                view! {
                    <p class="mt-4 max-w-3xl text-sm text-slate-600">{t!(i18n, csv.apply_body)}</p>
                    <ActionForm action=apply attr:class="mt-4 flex gap-3" attr:data-test="apply-form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="upload" value=upload />
                        <button type="submit" class=PRIMARY data-test="apply" disabled=move || apply.pending().get()>{t!(i18n, csv.apply)}</button>
                        <A href=format!("/account/integrations/{id}") attr:class=SECONDARY>{t!(i18n, edit.cancel)}</A>
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <p class="mt-4 text-sm text-slate-600">{t!(i18n, csv.fix_and_retry)}</p>
                    <A href=format!("/account/integrations/{id}/csv") attr:class=format!("{SECONDARY} mt-3 inline-block")>{t!(i18n, csv.edit_schema)}</A>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// The CSV section of an integration's page: the schema's state, the way
/// to the designer, and a file to import by hand.
#[component]
pub fn CsvSection(id: i64, summary: crate::api::CsvSummary, editable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        match query.get("notice").as_deref() {
            Some("schema_saved") => Some(t_string!(i18n, csv.notice_saved).to_string()),
            Some("imported") => Some(
                t_string!(
                    i18n,
                    csv.notice_imported,
                    rows = query.get("rows").unwrap_or_default()
                )
                .to_string(),
            ),
            _ => None,
        }
    };
    let error = move || {
        query
            .read()
            .get("csv_error")
            .map(|code| csv_error_text(i18n, &code))
    };
    let has_schema = summary.layout.is_some();
    view! {
        <section class=format!("{SECTION} mt-6") data-test="csv">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, csv.section_title)}</h2>
            {move || notice().map(|message| view! { <div class="mt-3" data-test="csv-notice"><NoticeAlert message /></div> })}
            {move || error().map(|message| view! { <div class="mt-3" data-test="csv-error"><ErrorAlert message /></div> })}
            {match (summary.layout.clone(), summary.saved_at.clone()) {
                (Some((layout, interval)), Some(at)) => view! {
                    <p class="mt-2 text-sm text-slate-700" data-test="csv-schema">
                        {t_string!(i18n, csv.section_saved, at = short_time(&at)).to_string()}" "
                        <span class="font-medium">{layout_text(i18n, &layout)}</span>
                        {interval.map(|minutes| format!(" · {}", t_string!(i18n, csv.interval_minutes, minutes = minutes)))}
                    </p>
                }.into_any(),
                _ => view! { <p class="mt-2 max-w-2xl text-sm text-slate-600" data-test="csv-no-schema">{t!(i18n, csv.section_none)}</p> }.into_any(),
            }}
            <A href=format!("/account/integrations/{id}/csv") attr:class=format!("{SECONDARY} mt-4 inline-block") attr:data-test="design-schema">
                {if has_schema { t_string!(i18n, csv.edit_schema) } else { t_string!(i18n, csv.design) }.to_string()}
            </A>
            {(editable && has_schema).then(|| view! {
                <h3 class="mt-6 text-sm font-semibold text-slate-900">{t!(i18n, csv.upload_title)}</h3>
                <p class="mt-1 max-w-2xl text-sm text-slate-600">{t!(i18n, csv.upload_body)}</p>
                <FilePicker action=format!("/account/integrations/{id}/csv/files") button=t_string!(i18n, csv.upload_button).to_string() test_id="upload-form" />
            })}
        </section>
    }
    .into_any()
}
