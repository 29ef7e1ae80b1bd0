//! `/setup`: the first-run page that creates the first account and admin.
//! The form posts to the server, which re-opens this page with an error
//! code and the entered values (never the password) when input is refused.

use domain::Password;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::forms::{error_text, AuthCard, ErrorAlert, Field, SubmitButton},
    i18n::*,
};

#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let error = param("error");
    view! {
        <Title text=move || t_string!(i18n, setup.title).to_string() />
        <AuthCard
            title=t_string!(i18n, setup.title).to_string()
            intro=t_string!(i18n, setup.intro).to_string()
        >
            <form method="post" action="/setup" class="space-y-5" data-test="setup-form">
                {(!error.is_empty()).then(|| view! { <ErrorAlert message=error_text(i18n, &error) /> })}
                <Field
                    id="account_name"
                    label=t_string!(i18n, setup.account_name).to_string()
                    value=param("account_name")
                    autocomplete="organization"
                    hint=t_string!(i18n, setup.account_name_hint).to_string()
                    autofocus=true
                    maxlength=100
                />
                <Field
                    id="email"
                    kind="email"
                    label=t_string!(i18n, form.email).to_string()
                    value=param("email")
                    autocomplete="email"
                />
                <Field
                    id="password"
                    kind="password"
                    label=t_string!(i18n, form.password).to_string()
                    autocomplete="new-password"
                    hint=t_string!(i18n, setup.password_hint).to_string()
                    minlength=Password::MIN_CHARS
                    maxlength=Password::MAX_CHARS
                />
                <SubmitButton label=t_string!(i18n, setup.submit).to_string() />
            </form>
        </AuthCard>
    }
}
