//! Headers every answer carries, so a browser never sniffs a type, leaks a
//! private URL to another site, or shows a page of ours inside another
//! site's frame (click-jacking).

use std::sync::LazyLock;

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

/// The policy of every answer that is not a page: no script runs.
static WITHOUT_SCRIPTS: LazyLock<HeaderValue> = LazyLock::new(|| {
    HeaderValue::from_str(&app::security::content_security_policy(None))
        .unwrap_or_else(|_| HeaderValue::from_static("script-src 'none'"))
});

pub async fn protective(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Pages send their own, with the nonce of their scripts.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, WITHOUT_SCRIPTS.clone());
    }
    response
}
