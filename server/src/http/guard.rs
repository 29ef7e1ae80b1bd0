//! Sends page requests where they belong before anything renders: to setup
//! while nobody exists, to sign-in without a session, away from sign-in
//! with one.

use app::session::USER_ID_KEY;
use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use domain::UserId;
use tower_sessions::Session;

use super::AppState;

/// Pages under these prefixes need a signed-in user.
const PROTECTED: &[&str] = &["/account", "/profile"];

pub async fn pages(
    State(state): State<AppState>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let is_protected = PROTECTED
        .iter()
        .any(|prefix| path == *prefix || path.starts_with(&format!("{prefix}/")));
    if path != "/" && path != "/setup" && path != "/login" && !is_protected {
        return next.run(request).await;
    }

    let set_up = match state.is_set_up().await {
        Ok(set_up) => set_up,
        Err(error) => {
            tracing::error!(?error, "cannot tell whether Intake is set up");
            return next.run(request).await;
        }
    };
    if !set_up {
        return if path == "/setup" {
            next.run(request).await
        } else {
            Redirect::to("/setup").into_response()
        };
    }
    let signed_in = signed_in_user(&state, &session).await.is_some();
    match path.as_str() {
        "/setup" => Redirect::to("/login?notice=already_set_up").into_response(),
        "/" | "/login" if signed_in => Redirect::to("/account/integrations").into_response(),
        "/" => Redirect::to("/login").into_response(),
        _ if is_protected && !signed_in => {
            let target = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or(path);
            let query = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
            Redirect::to(&format!("/login?{query}")).into_response()
        }
        _ => next.run(request).await,
    }
}

/// The session's user if it still exists; a stale session is emptied.
async fn signed_in_user(state: &AppState, session: &Session) -> Option<UserId> {
    let user_id = session.get::<i64>(USER_ID_KEY).await.ok().flatten()?;
    match state.store.user(UserId(user_id)).await {
        Ok(Some(profile)) => Some(profile.id),
        Ok(None) => {
            let _ = session.flush().await;
            None
        }
        Err(error) => {
            tracing::error!(?error, "cannot load the signed-in user");
            None
        }
    }
}
