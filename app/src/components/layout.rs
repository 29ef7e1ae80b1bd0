//! The frame every signed-in page sits in: top navigation, language
//! switcher, user menu.

use domain::{store::UserProfile, Role};
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use crate::{
    components::{
        icons::{ChevronDownIcon, Logo},
        language::LanguageSwitcher,
    },
    i18n::*,
    session::current_user,
};

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    view! {
        <div class="min-h-screen">
            <header class="border-b border-slate-200 bg-white">
                <div class="mx-auto flex h-16 max-w-6xl items-center gap-8 px-6">
                    <a
                        href="/account/integrations"
                        class="flex items-center gap-2 text-lg font-semibold text-slate-900"
                    >
                        <Logo />
                        <span>"Intake"</span>
                    </a>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            let is_admin = matches!(user.await, Ok(Some(ref u)) if u.role == Role::Admin);
                            view! { <TopNavigation is_admin /> }
                        })}
                    </Suspense>
                    <div class="ml-auto flex items-center gap-2">
                        <LanguageSwitcher />
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                match user.await {
                                    Ok(Some(user)) => view! { <UserMenu user /> }.into_any(),
                                    Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                                    Err(_) => ().into_any(),
                                }
                            })}
                        </Suspense>
                    </div>
                </div>
            </header>
            <main class="mx-auto max-w-6xl px-6 py-8">
                <Outlet />
            </main>
        </div>
    }
}

#[component]
fn TopNavigation(is_admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let link = "rounded-lg px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-700";
    view! {
        <nav aria-label=move || t_string!(i18n, nav.main).to_string() class="flex items-center gap-1">
            <A href="/account/integrations" attr:class=link>{t!(i18n, nav.integrations)}</A>
            <A href="/account/queues" attr:class=link attr:data-test="nav-queues">{t!(i18n, nav.queues)}</A>
            <A href="/account/workloads" attr:class=link attr:data-test="nav-workloads">{t!(i18n, nav.workloads)}</A>
            <A href="/account/employees" attr:class=link attr:data-test="nav-employees">{t!(i18n, nav.employees)}</A>
            <A href="/intraday" attr:class=link attr:data-test="nav-intraday">{t!(i18n, nav.intraday)}</A>
            {is_admin.then(|| view! { <A href="/account/audit" attr:class=link attr:data-test="nav-audit">{t!(i18n, nav.audit)}</A> })}
        </nav>
    }
}

#[component]
fn UserMenu(user: UserProfile) -> impl IntoView {
    let i18n = use_i18n();
    let initial = user
        .email
        .as_str()
        .chars()
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    let role = user.role;
    let role_label = move || match role {
        Role::Admin => t_string!(i18n, nav.role_admin).to_string(),
        Role::Planner => t_string!(i18n, nav.role_planner).to_string(),
    };
    let email = user.email.to_string();
    view! {
        <details class="relative" data-test="user-menu">
            <summary
                class="flex cursor-pointer list-none items-center gap-2 rounded-lg py-1 pl-1 pr-2 hover:bg-slate-100"
                aria-label=move || t_string!(i18n, nav.user_menu).to_string()
            >
                <span class="flex h-8 w-8 items-center justify-center rounded-full bg-indigo-100 text-sm font-semibold text-indigo-700">
                    {initial}
                </span>
                <span class="hidden text-sm text-slate-700 sm:block">{email.clone()}</span>
                <ChevronDownIcon />
            </summary>
            <div class="absolute right-0 z-20 mt-2 w-64 rounded-xl border border-slate-200 bg-white p-1 shadow-lg">
                <div class="border-b border-slate-100 px-3 py-3">
                    <p class="text-xs text-slate-500">{t!(i18n, nav.signed_in_as)}</p>
                    <p class="truncate text-sm font-medium text-slate-900" data-test="user-email">
                        {email}
                    </p>
                    <p class="mt-1 text-xs text-slate-500">
                        {user.account_name.to_string()} " · " {role_label}
                    </p>
                </div>
                <A href="/profile/tokens" attr:class="block rounded-lg px-3 py-2 text-sm text-slate-700 hover:bg-slate-100" attr:data-test="nav-tokens">
                    {t!(i18n, nav.tokens)}
                </A>
                <form method="post" action="/logout" class="p-1">
                    <button
                        type="submit"
                        data-test="sign-out"
                        class="w-full rounded-lg px-3 py-2 text-left text-sm text-slate-700 hover:bg-slate-100"
                    >
                        {t!(i18n, nav.sign_out)}
                    </button>
                </form>
            </div>
        </details>
    }
}
