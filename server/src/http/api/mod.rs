//! The versioned management API. Its route table is data, so the
//! authorisation tests walk every route and a new one cannot escape them.

mod error;
mod extract;
mod integrations;
pub mod openapi;

use axum::{http::Method, routing::MethodRouter, Router};

use super::AppState;

/// One route: method, path (axum syntax) and handler.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, handler: MethodRouter<AppState>) -> ApiRoute {
    ApiRoute {
        method,
        path,
        handler,
    }
}

/// Every route of `/api/v1`, as a table of contents.
pub fn routes() -> Vec<ApiRoute> {
    use axum::routing::{delete, get, patch, post};
    vec![
        route(Method::GET, "/integrations", get(integrations::list)),
        route(Method::POST, "/integrations", post(integrations::create)),
        route(Method::GET, "/integrations/{id}", get(integrations::get)),
        route(
            Method::PATCH,
            "/integrations/{id}",
            patch(integrations::update),
        ),
        route(
            Method::DELETE,
            "/integrations/{id}",
            delete(integrations::delete),
        ),
        route(
            Method::POST,
            "/integrations/{id}/pause",
            post(integrations::pause),
        ),
        route(
            Method::POST,
            "/integrations/{id}/resume",
            post(integrations::resume),
        ),
        route(
            Method::POST,
            "/integrations/{id}/api-key",
            post(integrations::generate_api_key),
        ),
    ]
}

/// Method and path of every route, for tests and documentation.
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes().into_iter().map(|r| (r.method, r.path)).collect()
}

pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for api_route in routes() {
        router = router.route(api_route.path, api_route.handler);
    }
    router
        .method_not_allowed_fallback(error::method_not_allowed)
        .fallback(error::not_found)
}
