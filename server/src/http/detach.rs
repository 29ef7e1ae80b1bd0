//! Requests run to completion whether or not their client waits for the
//! answer.
//!
//! When a client goes away, hyper drops the future that serves its
//! request. A future dropped in the middle of a unit of work leaves it
//! half done — with sqlx, a connection dropped during `BEGIN` goes back to
//! the pool inside an open transaction (sqlx issues 2805 and 4393), where
//! the next borrower's statements run, hold its locks, and are never
//! committed. So every request is served on a task of its own that the
//! connection does not own: dropping the connection drops only the wait
//! for the answer.

use axum::{
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use tracing::Instrument;

pub async fn run_to_completion(request: Request, next: Next) -> Response {
    // The request's span goes along, so what the handler logs still names
    // the request it belongs to.
    let work = next.run(request).instrument(tracing::Span::current());
    match tokio::spawn(work).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(?error, "a request's task failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. Please try again.",
            )
                .into_response()
        }
    }
}
