//! How an integration's status, kind and data types look everywhere.

use domain::integration::{DataTypes, IntegrationKind, Status};
use leptos::prelude::*;

use crate::i18n::*;

pub fn kind_label(i18n: leptos_i18n::I18nContext<Locale>, kind: IntegrationKind) -> String {
    match kind {
        IntegrationKind::Api => t_string!(i18n, integrations.kind_api),
        IntegrationKind::Csv => t_string!(i18n, integrations.kind_csv),
        IntegrationKind::Database => t_string!(i18n, integrations.kind_database),
        IntegrationKind::OnPremise => t_string!(i18n, integrations.kind_on_premise),
    }
    .to_string()
}

#[component]
pub fn StatusBadge(status: Status, #[prop(optional)] reason: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let (label, classes) = match status {
        Status::AwaitingLink => (
            t_string!(i18n, integrations.status_awaiting_link),
            "bg-amber-50 text-amber-800 ring-amber-600/20",
        ),
        Status::Active => (
            t_string!(i18n, integrations.status_active),
            "bg-emerald-50 text-emerald-700 ring-emerald-600/20",
        ),
        Status::Paused => (
            t_string!(i18n, integrations.status_paused),
            "bg-slate-100 text-slate-700 ring-slate-500/20",
        ),
        Status::Resuming => (
            t_string!(i18n, integrations.status_resuming),
            "bg-sky-50 text-sky-800 ring-sky-600/20",
        ),
        Status::Failing => (
            t_string!(i18n, integrations.status_failing),
            "bg-red-50 text-red-700 ring-red-600/20",
        ),
        Status::Deleted => (
            t_string!(i18n, integrations.status_deleted),
            "bg-slate-50 text-slate-500 ring-slate-400/20",
        ),
    };
    view! {
        <span
            data-test="status"
            data-status=status.as_str()
            title=reason.clone()
            class=format!("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {classes}")
        >
            {label.to_string()}
        </span>
        {reason.map(|reason| view! { <p class="mt-1 text-xs text-red-700">{reason}</p> })}
    }
}

#[component]
pub fn DataTypeLabels(data_types: DataTypes) -> impl IntoView {
    let i18n = use_i18n();
    let label = |text: String| {
        view! {
            <span class="inline-flex items-center rounded-md bg-indigo-50 px-2 py-0.5 text-xs font-medium text-indigo-700">
                {text}
            </span>
        }
    };
    view! {
        <div class="flex flex-wrap gap-1">
            {data_types.contacts().then(|| label(t_string!(i18n, integrations.cap_contacts).to_string()))}
            {data_types.agent_statuses().then(|| label(t_string!(i18n, integrations.cap_agent_status).to_string()))}
        </div>
    }
}
