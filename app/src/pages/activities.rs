//! `/account/activities`: what planners see agents doing. Admins create,
//! change and archive activities (plain form posts, the same with and
//! without JavaScript); the default activity, where unmapped external
//! activities land, stays, and so does one external activities are mapped
//! to.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::forms::{ErrorAlert, NoticeAlert},
    data::{list_activities, ActivityView},
    i18n::*,
    pages::integrations::{
        csv::{PRIMARY, SECONDARY},
        form::app_error_text,
    },
};

const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

const CATEGORIES: [&str; 4] = ["work", "break", "absence", "other"];

fn category_text(i18n: leptos_i18n::I18nContext<Locale>, category: &str) -> String {
    match category {
        "work" => t_string!(i18n, activities.work),
        "break" => t_string!(i18n, activities.break_time),
        "absence" => t_string!(i18n, activities.absence),
        _ => t_string!(i18n, activities.other),
    }
    .to_string()
}

fn message(i18n: leptos_i18n::I18nContext<Locale>, code: &str) -> String {
    match code {
        "created" => t_string!(i18n, activities.created),
        "updated" => t_string!(i18n, activities.updated),
        "archived" => t_string!(i18n, activities.archived),
        "invalid_name" => t_string!(i18n, activities.error_name),
        "invalid_colour" => t_string!(i18n, activities.error_colour),
        "invalid_category" => t_string!(i18n, activities.error_category),
        "default_activity" => t_string!(i18n, activities.error_default),
        "activity_in_use" => t_string!(i18n, activities.error_in_use),
        "unknown_activity" => t_string!(i18n, activities.error_not_found),
        "forbidden" => t_string!(i18n, employees.error_forbidden),
        _ => t_string!(i18n, errors.internal),
    }
    .to_string()
}

#[component]
pub fn ActivitiesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let activities = Resource::new(|| (), |()| list_activities());
    let notice = move || query.read().get("notice").map(|code| message(i18n, &code));
    let error = move || query.read().get("error").map(|code| message(i18n, &code));
    view! {
        <Title text=move || t_string!(i18n, activities.title).to_string() />
        <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, activities.title)}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, activities.intro)}</p>
        <div class="mt-4 space-y-2">
            {move || notice().map(|message| view! { <NoticeAlert message /> })}
            {move || error().map(|message| view! { <ErrorAlert message /> })}
        </div>
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match activities.await {
                    Ok(found) => {
                        let can_manage = found.can_manage;
                        view! {
                            {can_manage.then(|| view! { <NewActivityForm /> })}
                            <ul class="mt-6 divide-y divide-slate-100 rounded-2xl border border-slate-200 bg-white shadow-sm" data-test="activities">
                                {found.activities.into_iter().map(|activity| view! { <ActivityRow activity can_manage /> }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The name, category and colour fields, as a new activity and a change
/// both have them.
#[component]
fn ActivityFields(name: String, category: String, colour: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="min-w-48 flex-1 text-xs font-medium text-slate-600">
            {t!(i18n, activities.name)}
            <input name="name" required maxlength="100" value=name class=INPUT />
        </label>
        <label class="text-xs font-medium text-slate-600">
            {t!(i18n, activities.category)}
            <select name="category" class=INPUT>
                {CATEGORIES.into_iter().map(|c| view! {
                    <option value=c selected=c == category>{category_text(i18n, c)}</option>
                }).collect_view()}
            </select>
        </label>
        <label class="text-xs font-medium text-slate-600">
            {t!(i18n, activities.colour)}
            <input type="color" name="colour" value=colour class="block h-10 w-16 cursor-pointer rounded-lg border border-slate-300 bg-white p-1" />
        </label>
    }
}

#[component]
fn NewActivityForm() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form method="post" action="/account/activities" class="mt-6 flex flex-wrap items-end gap-3 rounded-2xl border border-slate-200 bg-white p-4 shadow-sm" data-test="create-activity">
            <ActivityFields name=String::new() category="work".to_owned() colour="#6366f1".to_owned() />
            <button type="submit" class=PRIMARY>{t!(i18n, activities.create)}</button>
        </form>
    }
}

#[component]
fn ActivityRow(activity: ActivityView, can_manage: bool) -> impl IntoView {
    let i18n = use_i18n();
    let ActivityView {
        id,
        name,
        category,
        colour,
        is_default,
    } = activity;
    let swatch = format!("background-color: {colour}");
    view! {
        <li class="flex flex-wrap items-center gap-3 px-4 py-3" data-test="activity-row">
            <span class="h-4 w-4 shrink-0 rounded-full" style=swatch aria-hidden="true"></span>
            {if can_manage {
                view! {
                    <form method="post" action=format!("/account/activities/{id}") class="flex flex-1 flex-wrap items-end gap-3" data-test="change-activity">
                        <ActivityFields name=name.clone() category=category.clone() colour=colour.clone() />
                        <button type="submit" class=SECONDARY>{t!(i18n, activities.save)}</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <span class="flex-1">
                        <span class="font-medium text-slate-900">{name.clone()}</span>
                        <span class="ml-2 text-sm text-slate-500">{category_text(i18n, &category)}</span>
                    </span>
                }.into_any()
            }}
            {if is_default {
                view! { <span class="rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-inset ring-emerald-200" title=move || t_string!(i18n, activities.default_hint).to_string()>{t!(i18n, activities.default)}</span> }.into_any()
            } else if can_manage {
                view! {
                    <form method="post" action=format!("/account/activities/{id}/archive")>
                        <button type="submit" class="text-sm font-medium text-red-700 hover:underline" data-test="archive-activity">{t!(i18n, activities.archive)}</button>
                    </form>
                }.into_any()
            } else {
                ().into_any()
            }}
        </li>
    }
}
