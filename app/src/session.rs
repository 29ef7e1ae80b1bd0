//! Who is signed in, as the pages learn it.

use domain::store::UserProfile;
use leptos::prelude::*;

use crate::error::AppError;

/// The session key under which the signed-in user's id is kept.
pub const USER_ID_KEY: &str = "user_id";

/// The signed-in user, or `None` for a visitor. A user deleted or locked
/// since signing in counts as signed out.
#[server(prefix = "/_fn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<UserProfile>, AppError> {
    use domain::UserId;
    use tower_sessions::Session;

    use crate::context::ServerContext;

    let session: Session = leptos_axum::extract()
        .await
        .map_err(|_| AppError::Internal)?;
    let user_id = session.get::<i64>(USER_ID_KEY).await.map_err(|error| {
        tracing::error!(?error, "cannot read the session");
        AppError::Internal
    })?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let context = expect_context::<ServerContext>();
    Ok(context.store.user(UserId(user_id)).await?)
}

/// The signed-in user as the rules see them, for server functions.
#[cfg(feature = "ssr")]
pub async fn actor() -> Result<domain::actor::Actor, AppError> {
    let user = current_user().await?.ok_or(AppError::Unauthorized)?;
    Ok(domain::actor::Actor {
        user_id: user.id,
        account_id: user.account_id,
        role: user.role,
        email: user.email,
    })
}
