//! Native modal dialogs (`<dialog>` with `showModal()`): the browser keeps
//! focus inside and closes on Escape; no pop-up blocker is involved.

use leptos::{html, prelude::*};

/// A modal dialog shown while `open` is true. Closing it by Escape or a
/// button sets `open` back to false.
#[component]
pub fn Modal(
    open: RwSignal<bool>,
    /// For tests and styling.
    test_id: &'static str,
    title: Signal<String>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let wanted = open.get();
        if let Some(element) = dialog.get() {
            if wanted && !element.open() {
                let _ = element.show_modal();
            } else if !wanted && element.open() {
                element.close();
            }
        }
    });
    let title_id = format!("{test_id}-title");
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=dialog
            data-test=test_id
            aria-labelledby=labelled_by
            on:close=move |_| open.set(false)
            class="m-auto w-full max-w-lg rounded-2xl border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40"
        >
            <div class="p-6">
                <h2 id=title_id class="text-lg font-semibold text-slate-900">{title}</h2>
                <div class="mt-3">{children()}</div>
            </div>
        </dialog>
    }
}

/// Copies `text` to the clipboard and says so.
#[component]
pub fn CopyButton(
    text: Signal<String>,
    label: String,
    done: String,
    test_id: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let promise = window()
                .navigator()
                .clipboard()
                .write_text(&text.get_untracked());
            leptos::task::spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(true);
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    };
    view! {
        <button
            type="button"
            data-test=test_id
            on:click=on_click
            class="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50"
        >
            {move || if copied.get() { done.clone() } else { label.clone() }}
        </button>
    }
}
