//! `/`: the server sends visitors to setup, sign-in or their integrations;
//! this view only runs for in-app navigation.

use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn Home() -> impl IntoView {
    view! { <Redirect path="/account/integrations" /> }
}
