//! The fields an integration is created and edited with, and the messages
//! for what the server refuses.

use domain::integration::{IntegrationName, IntervalLength};
use leptos::prelude::*;

use crate::{error::AppError, i18n::*};

pub fn app_error_text(i18n: leptos_i18n::I18nContext<Locale>, error: &AppError) -> String {
    let text = match error {
        AppError::Invalid { code, .. } => match code.as_str() {
            "name_empty" => t_string!(i18n, add.error_name_empty),
            "name_too_long" => t_string!(i18n, add.error_name_too_long),
            "name_control" => t_string!(i18n, add.error_name_control),
            "data_types" => t_string!(i18n, add.error_data_types),
            "interval" => t_string!(i18n, add.error_interval),
            "invalid_pin" => t_string!(i18n, edit.link_invalid_pin),
            _ => t_string!(i18n, errors.internal),
        },
        AppError::NotFound => t_string!(i18n, add.error_not_found),
        AppError::Forbidden => t_string!(i18n, add.error_forbidden),
        AppError::Conflict(what) if what == "deleted" => t_string!(i18n, add.error_deleted),
        AppError::PinLocked { until } => {
            return t_string!(
                i18n,
                edit.link_locked,
                until = crate::format::short_time(until)
            )
            .to_string();
        }
        AppError::Conflict(_) => t_string!(i18n, add.error_conflict),
        AppError::DuplicateName { .. } => t_string!(i18n, add.duplicate_title),
        AppError::Unauthorized | AppError::Internal | AppError::Request(_) => {
            t_string!(i18n, errors.internal)
        }
    };
    text.to_string()
}

const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 disabled:bg-slate-50 disabled:text-slate-500";

#[component]
pub fn IntegrationFields(
    name: String,
    interval: IntervalLength,
    contacts: bool,
    agent_statuses: bool,
    disabled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="space-y-1.5">
            <label for="name" class="block text-sm font-medium text-slate-700">{t!(i18n, add.name)}</label>
            <input id="name" name="name" type="text" value=name required=true maxlength=IntegrationName::MAX_CHARS disabled=disabled class=INPUT aria-describedby="name-hint" />
            <p id="name-hint" class="text-xs text-slate-500">{t!(i18n, add.name_hint)}</p>
        </div>
        <div class="space-y-1.5">
            <label for="interval" class="block text-sm font-medium text-slate-700">{t!(i18n, add.interval)}</label>
            <select id="interval" name="interval" disabled=disabled class=INPUT>
                {IntervalLength::ALL
                    .into_iter()
                    .map(|length| {
                        let minutes = length.minutes();
                        view! {
                            <option value=minutes selected=length == interval>
                                {t_string!(i18n, add.minutes, n = minutes).to_string()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
        <fieldset class="space-y-2">
            <legend class="text-sm font-medium text-slate-700">{t!(i18n, add.data_types)}</legend>
            <label class="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="contacts" checked=contacts disabled=disabled class="h-4 w-4 rounded border-slate-300 text-indigo-600" />
                {t!(i18n, add.contacts)}
            </label>
            <label class="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="agent_statuses" checked=agent_statuses disabled=disabled class="h-4 w-4 rounded border-slate-300 text-indigo-600" />
                {t!(i18n, add.agent_statuses)}
            </label>
        </fieldset>
    }
}
