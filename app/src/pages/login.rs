//! `/login`: sign-in. The form posts to the server; a refusal comes back
//! here as an error code with the email address kept.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::forms::{error_text, AuthCard, ErrorAlert, Field, NoticeAlert, SubmitButton},
    i18n::*,
};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let error = param("error");
    let notice = match param("notice").as_str() {
        "signed_out" => Some(t_string!(i18n, login.signed_out).to_string()),
        "set_up" => Some(t_string!(i18n, login.set_up_done).to_string()),
        "already_set_up" => Some(t_string!(i18n, setup.already_done).to_string()),
        _ => None,
    };
    let has_email = !param("email").is_empty();
    view! {
        <Title text=move || t_string!(i18n, login.title).to_string() />
        <AuthCard
            title=t_string!(i18n, login.title).to_string()
            intro=t_string!(i18n, login.intro).to_string()
        >
            <form method="post" action="/login" class="space-y-5" data-test="login-form">
                {notice.map(|message| view! { <NoticeAlert message /> })}
                {(!error.is_empty()).then(|| view! { <ErrorAlert message=error_text(i18n, &error) /> })}
                <input type="hidden" name="next" value=param("next") />
                <Field
                    id="email"
                    kind="email"
                    label=t_string!(i18n, form.email).to_string()
                    value=param("email")
                    autocomplete="username"
                    autofocus=!has_email
                />
                <Field
                    id="password"
                    kind="password"
                    label=t_string!(i18n, form.password).to_string()
                    autocomplete="current-password"
                    autofocus=has_email
                />
                <SubmitButton label=t_string!(i18n, login.submit).to_string() />
            </form>
        </AuthCard>
    }
}
