//! The browser entry point: hydrates the server-rendered console.

// The release build lays out each page's hydration future, whose type
// nests every element of the page; a table page nests deeper than the
// default limit of 128 allows (as `app` already says).
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
