//! The console's pages, components and server functions, rendered by the
//! server (feature `ssr`) and hydrated in the browser (feature `hydrate`).

#![recursion_limit = "256"]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod context;
pub mod data;
pub mod error;
pub mod format;
pub mod pages;
pub mod security;
pub mod session;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use crate::i18n::I18nContextProvider;

/// The HTML document every page is rendered into.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::send_page_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The route table of the console, in one place. Console pages render
/// with `SsrMode::Async`: the server sends them whole, so they read and
/// work without JavaScript (no out-of-order streaming to swap in).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();
    view! {
        <I18nContextProvider>
            <Stylesheet id="leptos" href="/pkg/intake.css" />
            <Title formatter=|title: String| format::document_title(&title) />
            <Router>
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home />
                    <Route path=path!("/setup") view=pages::setup::SetupPage />
                    <Route path=path!("/login") view=pages::login::LoginPage />
                    <ParentRoute path=path!("/account") view=components::layout::ConsoleLayout ssr=SsrMode::Async>
                        <Route
                            path=path!("/integrations")
                            view=pages::integrations::list::IntegrationsPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/integrations/new")
                            view=pages::integrations::new::NewIntegrationPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/integrations/:id")
                            view=pages::integrations::edit::EditIntegrationPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/integrations/:id/csv")
                            view=pages::integrations::csv::CsvDesignerPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/integrations/:id/database")
                            view=pages::integrations::database::DatabasePage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/integrations/:id/csv/files/:upload")
                            view=pages::integrations::csv::CsvUploadPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/integrations/:id/mapping")
                            view=pages::integrations::mapping::MappingPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/employees") view=pages::employees::EmployeesPage ssr=SsrMode::Async />
                        <Route path=path!("/employees/:id") view=pages::employee::EmployeePage ssr=SsrMode::Async />
                        <Route path=path!("/activities") view=pages::activities::ActivitiesPage ssr=SsrMode::Async />
                        <Route path=path!("/audit") view=pages::audit::AuditPage ssr=SsrMode::Async />
                        <Route path=path!("/queues") view=pages::queues::list::QueuesPage ssr=SsrMode::Async />
                        <Route path=path!("/queues/:id") view=pages::queues::detail::QueuePage ssr=SsrMode::Async />
                        <Route path=path!("/workloads") view=pages::workloads::WorkloadsPage ssr=SsrMode::Async />
                        <Route path=path!("/workloads/:id") view=pages::workloads::WorkloadPage ssr=SsrMode::Async />
                    </ParentRoute>
                    <ParentRoute path=path!("/intraday") view=components::layout::ConsoleLayout ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::intraday::IntradayPage ssr=SsrMode::Async />
                    </ParentRoute>
                    <ParentRoute path=path!("/profile") view=components::layout::ConsoleLayout ssr=SsrMode::Async>
                        <Route path=path!("/tokens") view=pages::tokens::TokensPage ssr=SsrMode::Async />
                    </ParentRoute>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// Marks the document once the browser has hydrated it, so end-to-end tests
/// (and anyone debugging) can tell a live page from a dead one. Effects only
/// run in the browser.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
