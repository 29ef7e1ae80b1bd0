//! The sign-in, setup, sign-out and language forms. They are plain HTML
//! form posts answered with redirects, so they behave the same with and
//! without JavaScript; a refusal goes back to the form as an error code.

use std::net::SocketAddr;

use app::{i18n::Locale, session::USER_ID_KEY};
use axum::{
    extract::{ConnectInfo, DefaultBodyLimit, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use domain::{
    login::{normalise_email, NotAGuess, RetryAfter, ThrottleKeys},
    setup::{CreateAccountError, Occasion},
    AccountName, EmailAddress, Language, Password, UserId,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower_sessions::{
    cookie::{Cookie, SameSite},
    Session,
};

use super::AppState;
use crate::secrets::password::{self, HashingError};

/// A form of these pages is a few hundred bytes; anything much larger is
/// refused before it is parsed.
const MAX_FORM_BYTES: usize = 16 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/setup", post(set_up))
        .route("/login", post(sign_in))
        .route("/logout", post(sign_out))
        .route("/language", post(choose_language))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// The cookie leptos_i18n reads to pick the page language.
const LANGUAGE_COOKIE: &str = "i18n_pref_locale";
const AFTER_SIGN_IN: &str = "/account/integrations";

/// An error of ours: logged with its cause, shown as a generic message.
fn internal(error: impl std::fmt::Debug) -> Response {
    tracing::error!(?error, "a form request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please try again.",
    )
        .into_response()
}

fn redirect_with(path: &str, query: &[(&str, &str)]) -> Response {
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    Redirect::to(&format!("{path}?{query}")).into_response()
}

/// Only paths on this site, so a crafted link cannot bounce a user
/// elsewhere: a single leading slash, no backslash, no control character
/// (browsers drop tabs and newlines, so `/\t/evil.example` is `//evil…`),
/// and the same once percent-decoded.
fn local_path(next: Option<&str>) -> Option<&str> {
    fn is_local(path: &str) -> bool {
        path.starts_with('/')
            && !path.starts_with("//")
            && !path.chars().any(|c| c == '\\' || c.is_control())
    }
    next.filter(|path| {
        is_local(path)
            && percent_encoding::percent_decode_str(path)
                .decode_utf8()
                .is_ok_and(|decoded| is_local(&decoded))
    })
}

fn language_from_cookie(headers: &HeaderMap) -> Language {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .flatten()
        .find(|cookie| cookie.name() == LANGUAGE_COOKIE)
        .and_then(|cookie| cookie.value().parse().ok())
        .unwrap_or_default()
}

fn language_cookie(language: Language, secure: bool) -> HeaderValue {
    let cookie = Cookie::build((LANGUAGE_COOKIE, language.code()))
        .path("/")
        .max_age(time::Duration::days(365))
        .same_site(SameSite::Lax)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

fn locale_of(language: Language) -> Locale {
    match language {
        Language::En => Locale::en,
        Language::Nl => Locale::nl,
        Language::Fr => Locale::fr,
        Language::De => Locale::de,
    }
}

#[derive(Deserialize)]
pub struct SetupForm {
    account_name: String,
    email: String,
    password: String,
}

pub async fn set_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Response {
    // Once anybody exists, setup is closed: refused before any hashing, so
    // posts to a closed setup cost a lookup of a remembered flag.
    match state.is_set_up().await {
        Ok(true) => return redirect_with("/login", &[("notice", "already_set_up")]),
        Ok(false) => {}
        Err(error) => return internal(error),
    }
    let back = |code: &str| {
        redirect_with(
            "/setup",
            &[
                ("error", code),
                ("account_name", &form.account_name),
                ("email", &form.email),
            ],
        )
    };
    let account_name = match AccountName::parse(&form.account_name) {
        Ok(name) => name,
        Err(error) => return back(account_name_code(&error)),
    };
    let email = match EmailAddress::parse(&form.email) {
        Ok(email) => email,
        Err(error) => return back(email_code(&error)),
    };
    let new_password = match Password::parse(&form.password) {
        Ok(password) => password,
        Err(error) => return back(password_code(&error)),
    };
    let hash = match state.passwords.hash(&new_password).await {
        Ok(hash) => hash,
        Err(error) => return hashing_failed(error),
    };
    let language = language_from_cookie(&headers);
    match state
        .store
        .create_account(&account_name, &email, &hash, language, Occasion::FirstRun)
        .await
    {
        Ok(created) => {
            tracing::info!(
                account = created.account_id.0,
                "first-run setup created an account"
            );
            redirect_with("/login", &[("notice", "set_up"), ("email", email.as_str())])
        }
        Err(CreateAccountError::AlreadySetUp) => {
            redirect_with("/login", &[("notice", "already_set_up")])
        }
        Err(CreateAccountError::DuplicateEmail) => back("email_taken"),
        Err(CreateAccountError::Store(error)) => internal(error),
    }
}

fn account_name_code(error: &domain::account::AccountNameError) -> &'static str {
    use domain::account::AccountNameError::*;
    match error {
        Empty => "account_name_empty",
        TooLong(_) => "account_name_too_long",
        ControlCharacter => "account_name_control",
    }
}

fn email_code(error: &domain::email::EmailError) -> &'static str {
    use domain::email::EmailError::*;
    match error {
        Empty => "email_empty",
        TooLong => "email_too_long",
        Malformed => "email_malformed",
    }
}

fn password_code(error: &domain::password::PasswordError) -> &'static str {
    use domain::password::PasswordError::*;
    match error {
        TooShort => "password_too_short",
        TooLong => "password_too_long",
        Blank => "password_blank",
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// Longer than any real email address or password: refused without a
/// lookup, a count or a hash.
const MAX_EMAIL_BYTES: usize = 320;
const MAX_PASSWORD_BYTES: usize = 4 * Password::MAX_CHARS;

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let invalid = |email: &str| {
        redirect_with(
            "/login",
            &[("error", "invalid_credentials"), ("email", email.trim())],
        )
    };
    if form.email.len() > MAX_EMAIL_BYTES || form.password.len() > MAX_PASSWORD_BYTES {
        return invalid("");
    }
    let address = super::client::address(client.ip(), &headers, &state.settings.trusted_proxies);
    let email_digest = hex::encode(Sha256::digest(normalise_email(&form.email).as_bytes()));
    let keys = ThrottleKeys::new(&email_digest, &address.to_string());
    // Counted before the password is checked, in one step with the check
    // of the limits: parallel guesses cannot slip past the count.
    let attempt = match state
        .store
        .claim_sign_in_attempt(&keys, &state.settings.login_policy)
        .await
    {
        Ok(Ok(attempt)) => attempt,
        Ok(Err(retry_after)) => {
            return too_many_attempts(retry_after, language_from_cookie(&headers))
        }
        Err(error) => return internal(error),
    };

    let user = match verify(&state, &form.email, form.password).await {
        Ok(user) => user,
        Err(HashingError::Busy) => {
            if let Err(error) = state
                .store
                .forget_sign_in_attempt(
                    &keys,
                    attempt,
                    NotAGuess::NotChecked,
                    &state.settings.login_policy,
                )
                .await
            {
                return internal(error);
            }
            return hashing_failed(HashingError::Busy);
        }
        Err(error) => return hashing_failed(error),
    };
    let Some(user_id) = user else {
        return invalid(&form.email);
    };
    if let Err(error) = state
        .store
        .forget_sign_in_attempt(
            &keys,
            attempt,
            NotAGuess::SignedIn,
            &state.settings.login_policy,
        )
        .await
    {
        return internal(error);
    }
    let profile = match state.store.user(user_id).await {
        Ok(Some(profile)) => profile,
        Ok(None) => return internal("a verified user vanished"),
        Err(error) => return internal(error),
    };
    // A new session id on sign-in, so an id planted before cannot ride along.
    if let Err(error) = session.cycle_id().await {
        return internal(error);
    }
    if let Err(error) = session.insert(USER_ID_KEY, user_id.0).await {
        return internal(error);
    }
    let target = local_path(form.next.as_deref()).unwrap_or(AFTER_SIGN_IN);
    let mut response = Redirect::to(target).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        language_cookie(profile.language, state.settings.secure_cookies),
    );
    response
}

async fn verify(
    state: &AppState,
    email: &str,
    candidate: String,
) -> Result<Option<UserId>, HashingError> {
    let credentials = match EmailAddress::parse(email) {
        Ok(email) => state
            .store
            .credentials(&email)
            .await
            .map_err(anyhow::Error::from)?,
        Err(_) => None,
    };
    let (user_id, stored) = match credentials {
        Some(c) => (Some(c.user_id), Some(c.password_hash)),
        None => (None, None),
    };
    let matches = state.passwords.verify(stored, candidate).await?;
    Ok(user_id.filter(|_| matches))
}

/// A full hashing pool is a 503 the client may retry; anything else is ours.
fn hashing_failed(error: HashingError) -> Response {
    match error {
        HashingError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(
                header::RETRY_AFTER,
                password::RETRY_AFTER_SECONDS.to_string(),
            )],
            "Too many sign-ins at once. Please try again in a few seconds.",
        )
            .into_response(),
        HashingError::Failed(error) => internal(error),
    }
}

fn too_many_attempts(retry_after: RetryAfter, language: Language) -> Response {
    let seconds = retry_after.seconds();
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (header::RETRY_AFTER, seconds.to_string()),
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        ],
        app::pages::too_many_attempts::render(locale_of(language), seconds),
    )
        .into_response()
}

pub async fn sign_out(session: Session) -> Response {
    if let Err(error) = session.flush().await {
        return internal(error);
    }
    redirect_with("/login", &[("notice", "signed_out")])
}

#[derive(Deserialize)]
pub struct LanguageForm {
    language: String,
    next: Option<String>,
}

pub async fn choose_language(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<LanguageForm>,
) -> Response {
    let Ok(language) = form.language.parse::<Language>() else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            "This language is not available.",
        )
            .into_response();
    };
    match session.get::<i64>(USER_ID_KEY).await {
        Ok(Some(user_id)) => {
            if let Err(error) = state.store.set_language(UserId(user_id), language).await {
                return internal(error);
            }
        }
        Ok(None) => {}
        Err(error) => return internal(error),
    }
    let target = local_path(form.next.as_deref()).unwrap_or("/");
    let mut response = Redirect::to(target).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        language_cookie(language, state.settings.secure_cookies),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        let followed = [
            "/account/integrations",
            "/account/queues?from=2021-12-06&to=2021-12-07",
            "/account/integrations/7#keys",
            "/a%20b",
        ];
        for path in followed {
            assert_eq!(local_path(Some(path)), Some(path), "{path:?}");
        }
        let ignored = [
            "//evil.example.com",
            "https://evil.example.com",
            "evil.example.com",
            "/\\evil.example.com",
            "\\\\evil.example.com",
            "/\t/evil.example.com",
            "/\r\n/evil.example.com",
            "/%2F/evil.example.com",
            "/%2f%2fevil.example.com",
            "%2F%2Fevil.example.com",
            "/%5Cevil.example.com",
            "/%09/evil.example.com",
            "/%0d%0aSet-Cookie:x=y",
            "/%E0%A4%A",
            "",
        ];
        for path in ignored {
            assert_eq!(local_path(Some(path)), None, "{path:?}");
        }
        assert_eq!(local_path(None), None);
    }
}
