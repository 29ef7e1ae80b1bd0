//! `/profile/tokens`: the user's personal access tokens, each shown once.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{list_tokens, CreateToken, RevokeToken},
    components::{
        dialog::{CopyButton, Modal},
        forms::ErrorAlert,
    },
    format::short_time,
    i18n::*,
    pages::integrations::form::app_error_text,
};

const INPUT: &str = "block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

#[component]
pub fn TokensPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    let secret_open = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Ok(_))) {
            secret_open.set(true);
        }
    });
    let secret = Signal::derive(move || match create.value().get() {
        Some(Ok(created)) => created.secret,
        _ => String::new(),
    });
    let create_error = move || match create.value().get() {
        Some(Err(error)) => Some(app_error_text(i18n, &error)),
        _ => None,
    };
    view! {
        <Title text=move || t_string!(i18n, tokens.title).to_string() />
        <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, tokens.title)}</h1>
        <p class="mt-1 max-w-2xl text-sm text-slate-600">{t!(i18n, tokens.intro)}</p>
        <section class="mt-6 max-w-xl rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, tokens.new_title)}</h2>
            <ActionForm action=create attr:class="mt-4 space-y-4" attr:data-test="token-form">
                {move || create_error().map(|message| view! { <ErrorAlert message /> })}
                <div class="space-y-1.5">
                    <label for="token-name" class="block text-sm font-medium text-slate-700">{t!(i18n, tokens.name)}</label>
                    <input id="token-name" name="name" type="text" required=true maxlength=100 class=INPUT />
                </div>
                <div class="space-y-1.5">
                    <label for="token-expiry" class="block text-sm font-medium text-slate-700">{t!(i18n, tokens.expiry)}</label>
                    <select id="token-expiry" name="expires_in_days" class=INPUT>
                        <option value="30">{t_string!(i18n, tokens.days, n = 30).to_string()}</option>
                        <option value="90" selected=true>{t_string!(i18n, tokens.days, n = 90).to_string()}</option>
                        <option value="365">{t_string!(i18n, tokens.days, n = 365).to_string()}</option>
                        <option value="never">{t!(i18n, tokens.never_expires)}</option>
                    </select>
                </div>
                <div class="flex justify-end">
                    <button type="submit" data-test="create-token" class="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
                        {t!(i18n, tokens.create)}
                    </button>
                </div>
            </ActionForm>
        </section>
        <Suspense fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(list) if list.is_empty() => view! { <p class="mt-6 text-sm text-slate-500" data-test="no-tokens">{t!(i18n, tokens.none)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="mt-6 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                            <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="token-table">
                                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                    <tr>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, tokens.name)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, tokens.created)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, tokens.last_used)}</th>
                                        <th scope="col" class="px-4 py-3">{t!(i18n, tokens.expires)}</th>
                                        <th scope="col" class="px-4 py-3"><span class="sr-only">{t!(i18n, tokens.revoke)}</span></th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|token| view! {
                                        <tr data-test="token-row">
                                            <td class="px-4 py-3">
                                                <p class="font-medium text-slate-900">{token.name}</p>
                                                <p class="font-mono text-xs text-slate-500">{token.display_prefix}"…"</p>
                                            </td>
                                            <td class="px-4 py-3 text-slate-600">{short_time(&token.created_at)}</td>
                                            <td class="px-4 py-3 text-slate-600">{token.last_used_at.as_deref().map_or_else(|| t_string!(i18n, integrations.never).to_string(), short_time)}</td>
                                            <td class="px-4 py-3 text-slate-600">{token.expires_at.as_deref().map_or_else(|| t_string!(i18n, tokens.never_expires).to_string(), short_time)}</td>
                                            <td class="px-4 py-3 text-right">
                                                <ActionForm action=revoke>
                                                    <input type="hidden" name="id" value=token.id />
                                                    <button type="submit" data-test="revoke-token" class="text-sm font-medium text-red-700 hover:text-red-900">{t!(i18n, tokens.revoke)}</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Suspense>
        <Modal open=secret_open test_id="token-dialog" title=Signal::derive(move || t_string!(i18n, tokens.dialog_title).to_string())>
            <p class="text-sm text-amber-800">{t!(i18n, edit.key_dialog_warning)}</p>
            <div class="mt-4 flex items-center gap-2">
                <input type="text" readonly=true data-test="new-token" prop:value=secret aria-label=move || t_string!(i18n, tokens.dialog_title).to_string() class="block w-full rounded-lg border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm" />
                <CopyButton text=secret label=t_string!(i18n, edit.copy).to_string() done=t_string!(i18n, edit.copied).to_string() test_id="copy-token" />
            </div>
            <div class="mt-6 flex justify-end">
                <button type="button" data-test="close-token" class="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-semibold text-white" on:click=move |_| secret_open.set(false)>
                    {t!(i18n, edit.key_done)}
                </button>
            </div>
        </Modal>
    }
}
