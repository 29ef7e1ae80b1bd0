//! Form fields and messages shared by the sign-in and setup pages.

use leptos::prelude::*;

use crate::i18n::*;

/// A labelled input with an optional hint below it.
#[component]
pub fn Field(
    id: &'static str,
    label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] value: String,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] minlength: Option<usize>,
    #[prop(optional)] maxlength: Option<usize>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described_by = hint.as_ref().map(|_| hint_id.clone());
    view! {
        <div class="space-y-1.5">
            <label for=id class="block text-sm font-medium text-slate-700">
                {label}
            </label>
            <input
                id=id
                name=id
                type=kind
                value=value
                required=true
                autocomplete=autocomplete
                autofocus=autofocus
                minlength=minlength
                maxlength=maxlength
                aria-describedby=described_by
                class="block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30"
            />
            {hint.map(|hint| view! { <p id=hint_id class="text-xs text-slate-500">{hint}</p> })}
        </div>
    }
}

/// The message for an error code carried back to a form in its URL.
pub fn error_text(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    let text = match code {
        "invalid_credentials" => t_string!(i18n, errors.invalid_credentials),
        "email_empty" => t_string!(i18n, errors.email_empty),
        "email_malformed" => t_string!(i18n, errors.email_malformed),
        "email_too_long" => t_string!(i18n, errors.email_too_long),
        "password_too_short" => t_string!(i18n, errors.password_too_short),
        "password_too_long" => t_string!(i18n, errors.password_too_long),
        "password_blank" => t_string!(i18n, errors.password_blank),
        "account_name_empty" => t_string!(i18n, errors.account_name_empty),
        "account_name_too_long" => t_string!(i18n, errors.account_name_too_long),
        "account_name_control" => t_string!(i18n, errors.account_name_control),
        _ => t_string!(i18n, errors.internal),
    };
    text.to_string()
}

/// A red message box announced to screen readers.
#[component]
pub fn ErrorAlert(message: String) -> impl IntoView {
    view! {
        <div
            role="alert"
            data-test="form-error"
            class="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
        >
            {message}
        </div>
    }
}

/// A green confirmation.
#[component]
pub fn NoticeAlert(message: String) -> impl IntoView {
    view! {
        <div
            role="status"
            data-test="form-notice"
            class="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-800"
        >
            {message}
        </div>
    }
}

/// The full-width primary button of a form.
#[component]
pub fn SubmitButton(label: String) -> impl IntoView {
    view! {
        <button
            type="submit"
            class="flex w-full justify-center rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
            {label}
        </button>
    }
}

/// The centred card that holds the sign-in and setup forms.
#[component]
pub fn AuthCard(title: String, intro: String, children: Children) -> impl IntoView {
    view! {
        <div class="flex min-h-screen flex-col">
            <header class="flex items-center justify-between px-6 py-4">
                <div class="flex items-center gap-2 text-lg font-semibold text-slate-900">
                    <crate::components::icons::Logo />
                    <span>"Intake"</span>
                </div>
                <crate::components::language::LanguageSwitcher />
            </header>
            <main class="flex flex-1 items-start justify-center px-4 pb-16 pt-8 sm:pt-16">
                <div class="w-full max-w-md rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">
                    <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
                    <p class="mt-2 text-sm text-slate-600">{intro}</p>
                    <div class="mt-6">{children()}</div>
                </div>
            </main>
        </div>
    }
}
