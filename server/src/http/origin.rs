//! Refuses state-changing requests that a browser sent from another site
//! (cross-site request forgery), on top of `SameSite=Lax` cookies.

use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::AppState;

pub async fn refuse_cross_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if safe || is_same_origin(&request, state.settings.public_origin.as_deref()) {
        return next.run(request).await;
    }
    tracing::warn!(
        origin = ?request.headers().get(header::ORIGIN),
        path = %request.uri().path(),
        "refused a cross-origin request"
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"errors":[{"code":"cross_origin_request","pointer":"","detail":"requests that change data must come from this site"}]}"#,
    )
        .into_response()
}

/// Whether a browser says the request comes from a page of this site: an
/// `Origin` of this site, or, without one, `Sec-Fetch-Site: same-origin`.
/// A request that says neither (a script, or an old browser) is not.
pub fn is_from_this_site(headers: &axum::http::HeaderMap, public_origin: Option<&str>) -> bool {
    if headers.contains_key(header::ORIGIN) {
        return origin_matches(headers, public_origin);
    }
    headers
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes() == b"same-origin")
}

/// A request without `Origin` comes from a script or an old browser and is
/// let through (API clients authenticate with tokens, not cookies); one with
/// `Origin` must be the public URL's origin (scheme, host and port) when it
/// is configured, and otherwise name the host it was sent to.
fn is_same_origin(request: &Request, public_origin: Option<&str>) -> bool {
    let headers = request.headers();
    if !headers.contains_key(header::ORIGIN) {
        return headers
            .get("sec-fetch-site")
            .is_none_or(|site| site.as_bytes() != b"cross-site");
    }
    origin_matches(headers, public_origin)
}

/// Whether `Origin` names the public URL's origin or, when none is
/// configured, the host the request was sent to.
fn origin_matches(headers: &axum::http::HeaderMap, public_origin: Option<&str>) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    if let Some(public_origin) = public_origin {
        return origin
            .to_str()
            .is_ok_and(|origin| origin.eq_ignore_ascii_case(public_origin));
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let origin = origin.to_str().unwrap_or_default();
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    origin_host.is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host))
}
