//! `/intraday`: every mapped employee with the activity they are in now,
//! longest in their activity first. With JavaScript the board listens for
//! changes over a WebSocket, or server-sent events where WebSockets are
//! blocked, or reads itself every two seconds where both are; it says
//! which, and when it last heard from the server. Without JavaScript,
//! *Refresh* reloads it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    components::forms::ErrorAlert,
    data::{intraday_board, BoardAgentView},
    format::{in_status, short_time},
    i18n::*,
    pages::integrations::form::app_error_text,
};

/// How the board hears about changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Server-rendered, or not connected yet.
    Connecting,
    WebSocket,
    /// Server-sent events: WebSockets are blocked.
    Events,
    /// Reading itself every two seconds: both are blocked.
    Polling,
    /// The connection was lost; trying again.
    Reconnecting,
}

#[component]
pub fn IntradayPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let activity = Memo::new(move |_| {
        query
            .read()
            .get("activity")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let team = Memo::new(move |_| query.read().get("team").unwrap_or_default());
    let board = Resource::new(
        move || (activity.get(), team.get()),
        |(activity, team)| intraday_board(activity, team),
    );
    let mode = RwSignal::new(Mode::Connecting);
    // When the server was last heard from (RFC 3339), if after the board.
    let heard_at = RwSignal::new(None::<String>);
    // Seconds since the board was read, so times in activity go on.
    let elapsed = RwSignal::new(0_i64);
    // Set once hydrated: before, the page is what the server rendered.
    let hydrated = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        Effect::new(move |_| hydrated.set(true));
        live::connect(board, mode, heard_at, elapsed);
    }
    view! {
        <Title text=move || t_string!(i18n, intraday.title).to_string() />
        <div class="flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{t!(i18n, intraday.title)}</h1>
                <p class="mt-1 max-w-3xl text-sm text-slate-600">{t!(i18n, intraday.intro)}</p>
            </div>
            <form method="get" action="/intraday" class="flex items-end gap-2" data-test="intraday-filter">
                <label class="text-sm font-medium text-slate-700">
                    {t!(i18n, intraday.filter)}
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let activities = board.await.map(|b| b.activities).unwrap_or_default();
                            let chosen = activity.get_untracked();
                            view! {
                                <select name="activity" class="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm">
                                    <option value="0" selected=chosen == 0>{t!(i18n, intraday.all)}</option>
                                    {activities.into_iter().map(|a| view! {
                                        <option value=a.id.to_string() selected=chosen == a.id>{a.name}</option>
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                </label>
                <label class="text-sm font-medium text-slate-700">
                    {t!(i18n, intraday.team)}
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let teams = board.await.map(|b| b.teams).unwrap_or_default();
                            let chosen = team.get_untracked();
                            view! {
                                <select name="team" class="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm" data-test="team-filter">
                                    <option value="" selected=chosen.is_empty()>{t!(i18n, intraday.all_teams)}</option>
                                    {teams.into_iter().map(|name| {
                                        let selected = chosen == name;
                                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                                    }).collect_view()}
                                </select>
                            }
                        })}
                    </Transition>
                </label>
                <button type="submit" class="rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50">
                    {t!(i18n, intraday.show)}
                </button>
            </form>
        </div>
        <Transition fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(found) if found.total == 0 => view! {
                        <div class="mt-6 rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center" data-test="intraday-empty">
                            <h2 class="text-base font-semibold text-slate-900">{t!(i18n, intraday.empty_title)}</h2>
                            <p class="mx-auto mt-2 max-w-xl text-sm text-slate-600">{t!(i18n, intraday.empty_body)}</p>
                            <a href="/api/docs" class="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline">{t!(i18n, intraday.api_reference)}</a>
                        </div>
                    }.into_any(),
                    Ok(found) => {
                        let shown = found.agents.len();
                        let total = found.total;
                        let read_at = found.at.clone();
                        let at = move || short_time(&heard_at.get().filter(|h| *h > read_at).unwrap_or_else(|| read_at.clone()));
                        view! {
                            <div class="mt-6 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
                                <span>{t_string!(i18n, intraday.count, shown = shown, total = total).to_string()}</span>
                                <span class="flex items-center gap-3" data-test="intraday-updated">
                                    <span class="inline-flex items-center gap-1.5">
                                        <span class=move || match mode.get() {
                                            Mode::WebSocket | Mode::Events => "h-2 w-2 rounded-full bg-emerald-500",
                                            Mode::Polling => "h-2 w-2 rounded-full bg-amber-500",
                                            Mode::Connecting | Mode::Reconnecting => "h-2 w-2 rounded-full bg-slate-400",
                                        } aria-hidden="true"></span>
                                        {move || t_string!(i18n, intraday.last_update, time = at()).to_string()}
                                    </span>
                                    <span data-test="intraday-mode" data-mode=move || format!("{:?}", mode.get()).to_lowercase()>
                                        {move || match mode.get() {
                                            Mode::WebSocket => view! { <span class="font-medium text-emerald-700">{t!(i18n, intraday.mode_live)}</span> }.into_any(),
                                            Mode::Events => view! { <span class="text-slate-600">{t!(i18n, intraday.mode_events)}</span> }.into_any(),
                                            Mode::Polling => view! { <span class="text-slate-600">{t!(i18n, intraday.mode_polling)}</span> }.into_any(),
                                            Mode::Reconnecting => view! { <span class="font-medium text-amber-700" role="status">{t!(i18n, intraday.mode_reconnecting)}</span> }.into_any(),
                                            Mode::Connecting if hydrated.get() => view! { <span class="text-slate-500">{t!(i18n, intraday.mode_connecting)}</span> }.into_any(),
                                            Mode::Connecting => view! { <a href="" class="font-medium text-indigo-700 hover:underline">{t!(i18n, intraday.refresh)}</a> }.into_any(),
                                        }}
                                    </span>
                                </span>
                            </div>
                            <div class="mt-3 overflow-x-auto rounded-2xl border border-slate-200 bg-white shadow-sm">
                                <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="intraday-table">
                                    <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                        <tr>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_employee)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_activity)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_in_status)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_since)}</th>
                                            <th scope="col" class="px-4 py-3">{t!(i18n, intraday.col_integration)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {found.agents.into_iter().map(|agent| view! { <AgentRow agent elapsed /> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <div class="mt-6"><ErrorAlert message=app_error_text(i18n, &error) /></div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AgentRow(agent: BoardAgentView, elapsed: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let activity = match (agent.activity, agent.external_activity) {
        (Some(activity), external) => view! {
            <span class="inline-flex items-center gap-2">
                <span class="h-3 w-3 shrink-0 rounded-full" style=format!("background-color: {}", activity.colour) aria-hidden="true"></span>
                <span class="font-medium text-slate-900" data-test="agent-activity">{activity.name}</span>
                {external.map(|id| view! {
                    <span class="text-xs text-slate-500">{t_string!(i18n, intraday.external, id = id).to_string()}</span>
                })}
            </span>
        }.into_any(),
        (None, _) => view! { <span class="text-slate-500" data-test="agent-activity">{t!(i18n, intraday.none)}</span> }.into_any(),
    };
    view! {
        <tr data-test="agent-row">
            <td class="px-4 py-3">
                <span class="font-medium text-slate-900">{agent.name}</span>
                {agent.team.map(|team| view! { <span class="block text-xs text-slate-500">{team}</span> })}
            </td>
            <td class="px-4 py-3">{activity}</td>
            <td class="whitespace-nowrap px-4 py-3 tabular-nums text-slate-700">{move || agent.seconds_in_status.map(|seconds| in_status(seconds + elapsed.get()))}</td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{agent.since.as_deref().map(short_time)}</td>
            <td class="px-4 py-3 text-slate-600">{agent.integration_name}</td>
        </tr>
    }
}

/// The hydrated board's connection: a WebSocket first; server-sent events
/// when it cannot open; reading every two seconds when neither can. A
/// lost connection is tried again with growing waits, and the board reads
/// itself again once it is back, since changes may have passed meanwhile.
#[cfg(feature = "hydrate")]
mod live {
    use std::{cell::Cell, rc::Rc, time::Duration};

    use leptos::{
        prelude::*,
        wasm_bindgen::{closure::Closure, JsCast},
    };

    use super::Mode;
    use crate::data::BoardView;

    type Board = Resource<Result<BoardView, crate::error::AppError>>;

    const POLL: Duration = Duration::from_secs(2);
    /// The server says something every 10 s; silence this long means the
    /// connection is gone even if the socket has not noticed.
    const SILENCE_MS: f64 = 25_000.0;
    const LONGEST_WAIT: Duration = Duration::from_secs(30);

    #[derive(Clone, Copy)]
    struct Live {
        board: Board,
        mode: RwSignal<Mode>,
        heard_at: RwSignal<Option<String>>,
        /// When the server was last heard from (ms since the epoch).
        heard: StoredValue<f64>,
        /// A reading is due soon: changes that arrive together read once.
        reading: StoredValue<bool>,
        /// Tries since the connection was last open.
        tries: StoredValue<u32>,
        /// The page is gone: stop.
        gone: StoredValue<bool>,
        /// Closes the connection open now.
        close: StoredValue<Option<Box<dyn Fn()>>, LocalStorage>,
    }

    pub fn connect(
        board: Board,
        mode: RwSignal<Mode>,
        heard_at: RwSignal<Option<String>>,
        elapsed: RwSignal<i64>,
    ) {
        let live = Live {
            board,
            mode,
            heard_at,
            heard: StoredValue::new(js_sys_now()),
            reading: StoredValue::new(false),
            tries: StoredValue::new(0),
            gone: StoredValue::new(false),
            close: StoredValue::new_local(None),
        };
        // Times in activity count on between readings.
        Effect::new(move |_| {
            if board.get().is_some() {
                elapsed.set(0);
            }
        });
        if let Ok(ticks) = set_interval_with_handle(
            move || {
                elapsed.update(|seconds| *seconds += 1);
                if matches!(live.mode.get_untracked(), Mode::WebSocket | Mode::Events)
                    && js_sys_now() - live.heard.get_value() > SILENCE_MS
                {
                    live.mode.set(Mode::Reconnecting);
                }
            },
            Duration::from_secs(1),
        ) {
            on_cleanup(move || {
                live.gone.set_value(true);
                ticks.clear();
                live.close.with_value(|close| {
                    if let Some(close) = close {
                        close();
                    }
                });
            });
        }
        Effect::new(move |started: Option<()>| {
            if started.is_none() {
                open_socket(live);
            }
        });
    }

    fn js_sys_now() -> f64 {
        leptos::web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.time_origin() + p.now())
    }

    fn address(path: &str, websocket: bool) -> Option<String> {
        let location = leptos::web_sys::window()?.location();
        let host = location.host().ok()?;
        let secure = location.protocol().ok()? == "https:";
        Some(match (websocket, secure) {
            (true, true) => format!("wss://{host}{path}"),
            (true, false) => format!("ws://{host}{path}"),
            (false, _) => path.to_owned(),
        })
    }

    /// What a message says: a change to show, or only that the server is there.
    fn heard(live: Live, data: &str) {
        live.heard.set_value(js_sys_now());
        let message: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
        if let Some(at) = message["at"].as_str() {
            live.heard_at.set(Some(at.to_owned()));
        }
        if matches!(message["type"].as_str(), Some("agents" | "reload")) {
            read_soon(live);
        }
    }

    fn read_soon(live: Live) {
        if live.reading.get_value() {
            return;
        }
        live.reading.set_value(true);
        set_timeout(
            move || {
                live.reading.set_value(false);
                live.board.refetch();
            },
            Duration::from_millis(100),
        );
    }

    /// Waits longer after each failed try: 1 s, 2 s, 4 s … up to 30 s.
    fn again(live: Live, open: fn(Live)) {
        if live.gone.get_value() {
            return;
        }
        let tries = live.tries.get_value();
        live.tries.set_value(tries + 1);
        let wait = Duration::from_secs(1 << tries.min(5)).min(LONGEST_WAIT);
        set_timeout(move || open(live), wait);
    }

    fn opened(live: Live, mode: Mode) {
        let was_lost = live.mode.get_untracked() == Mode::Reconnecting;
        live.tries.set_value(0);
        live.heard.set_value(js_sys_now());
        live.mode.set(mode);
        if was_lost {
            read_soon(live);
        }
    }

    fn open_socket(live: Live) {
        if live.gone.get_value() {
            return;
        }
        let Some(url) = address("/api/v1/intraday/live", true) else {
            return poll(live);
        };
        let Ok(socket) = leptos::web_sys::WebSocket::new(&url) else {
            return open_events(live);
        };
        let ever_open = Rc::new(Cell::new(false));
        let on_open = {
            let ever_open = ever_open.clone();
            Closure::<dyn FnMut()>::new(move || {
                ever_open.set(true);
                opened(live, Mode::WebSocket);
            })
        };
        let on_message = Closure::<dyn FnMut(leptos::web_sys::MessageEvent)>::new(
            move |event: leptos::web_sys::MessageEvent| {
                if let Some(data) = event.data().as_string() {
                    heard(live, &data);
                }
            },
        );
        let on_close = Closure::<dyn FnMut()>::new(move || {
            if live.gone.get_value() {
                return;
            }
            if ever_open.get() {
                live.mode.set(Mode::Reconnecting);
                again(live, open_socket);
            } else {
                // Never opened: a proxy or a policy blocks WebSockets.
                open_events(live);
            }
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        on_open.forget();
        on_message.forget();
        on_close.forget();
        live.close.set_value(Some(Box::new(move || {
            let _ = socket.close();
        })));
    }

    fn open_events(live: Live) {
        if live.gone.get_value() {
            return;
        }
        let Ok(events) = leptos::web_sys::EventSource::new("/api/v1/intraday/events") else {
            return poll(live);
        };
        let ever_open = Rc::new(Cell::new(false));
        let on_open = {
            let ever_open = ever_open.clone();
            Closure::<dyn FnMut()>::new(move || {
                ever_open.set(true);
                opened(live, Mode::Events);
            })
        };
        let on_message = Closure::<dyn FnMut(leptos::web_sys::MessageEvent)>::new(
            move |event: leptos::web_sys::MessageEvent| {
                if let Some(data) = event.data().as_string() {
                    heard(live, &data);
                }
            },
        );
        let on_error = {
            let events = events.clone();
            Closure::<dyn FnMut()>::new(move || {
                if live.gone.get_value() {
                    events.close();
                } else if !ever_open.get() {
                    events.close();
                    poll(live);
                } else {
                    // The browser reconnects by itself.
                    live.mode.set(Mode::Reconnecting);
                }
            })
        };
        events.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        for kind in ["hello", "agents", "reload", "ping"] {
            let _ =
                events.add_event_listener_with_callback(kind, on_message.as_ref().unchecked_ref());
        }
        events.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_open.forget();
        on_message.forget();
        on_error.forget();
        live.close.set_value(Some(Box::new(move || events.close())));
    }

    fn poll(live: Live) {
        live.mode.set(Mode::Polling);
        if let Ok(handle) = set_interval_with_handle(move || live.board.refetch(), POLL) {
            live.close.set_value(Some(Box::new(move || handle.clear())));
        }
    }
}
