//! A server-rendered bar chart of a queue's intervals: plain SVG, readable
//! without JavaScript, with the same figures in a table for screen readers
//! and for copying.

use leptos::prelude::*;

use crate::data::IntervalView;

/// Drawing units; the SVG scales to its container.
const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 240.0;

/// A round, even number at or above `max`, for the top of the axis: even,
/// so the middle label is a whole count too.
fn axis_top(max: i64) -> i64 {
    let max = max.max(1);
    if max < 10 {
        return (max + 1) / 2 * 2;
    }
    let magnitude = 10_i64.pow(max.ilog10());
    let step = [1, 2, 5, 10]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|step| *step >= max)
        .unwrap_or(10 * magnitude);
    step.max(1)
}

/// Offered (light) and handled (dark) per interval.
#[component]
pub fn IntervalChart(
    intervals: Vec<IntervalView>,
    #[prop(into)] title: String,
    #[prop(into)] description: String,
) -> impl IntoView {
    let top = axis_top(
        intervals
            .iter()
            .map(|i| i.offered.max(i.handled))
            .max()
            .unwrap_or(0),
    );
    let count = intervals.len().max(1) as f64;
    let slot = WIDTH / count;
    let bar = (slot * 0.8).max(0.5);
    let scale = |value: i64| value as f64 / top as f64 * HEIGHT;
    let bars = intervals
        .iter()
        .enumerate()
        .filter(|(_, i)| i.offered > 0 || i.handled > 0)
        .map(|(index, interval)| {
            let x = index as f64 * slot + (slot - bar) / 2.0;
            let offered = scale(interval.offered);
            let handled = scale(interval.handled);
            view! {
                <g>
                    <title>{format!("{} — {} / {}", interval.start, interval.offered, interval.handled)}</title>
                    <rect x=format!("{x:.2}") y=format!("{:.2}", HEIGHT - offered) width=format!("{bar:.2}") height=format!("{offered:.2}") class="fill-indigo-200" />
                    <rect x=format!("{x:.2}") y=format!("{:.2}", HEIGHT - handled) width=format!("{bar:.2}") height=format!("{handled:.2}") class="fill-indigo-600" />
                </g>
            }
        })
        .collect_view();
    let gridlines = [0.25, 0.5, 0.75, 1.0]
        .into_iter()
        .map(|share| {
            let y = HEIGHT - share * HEIGHT;
            view! { <line x1="0" x2=WIDTH.to_string() y1=format!("{y:.1}") y2=format!("{y:.1}") class="stroke-slate-200" stroke-width="1" vector-effect="non-scaling-stroke" /> }
        })
        .collect_view();
    view! {
        <figure class="space-y-2">
            <div class="flex gap-2">
                <div class="flex h-60 flex-col justify-between text-right text-xs text-slate-500" aria-hidden="true">
                    <span>{top}</span><span>{top / 2}</span><span>"0"</span>
                </div>
                <svg
                    role="img"
                    aria-labelledby="chart-title chart-desc"
                    viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                    preserveAspectRatio="none"
                    class="h-60 w-full rounded-lg bg-slate-50"
                    data-test="interval-chart"
                >
                    <title id="chart-title">{title}</title>
                    <desc id="chart-desc">{description}</desc>
                    {gridlines}
                    {bars}
                </svg>
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::axis_top;

    #[test]
    fn the_axis_ends_on_a_round_even_number() {
        assert_eq!(axis_top(0), 2);
        assert_eq!(axis_top(1), 2);
        assert_eq!(axis_top(5), 6);
        assert_eq!(axis_top(7), 8);
        assert_eq!(axis_top(10), 10);
        assert_eq!(axis_top(12), 20);
        assert_eq!(axis_top(48), 50);
        assert_eq!(axis_top(100), 100);
        assert_eq!(axis_top(101), 200);
        for max in 0..5_000 {
            let top = axis_top(max);
            assert!(top >= max && top % 2 == 0, "{max} → {top}");
        }
    }
}

/// The intervals with data as a table, behind the chart: open when short.
#[component]
pub fn IntervalTable(intervals: Vec<IntervalView>) -> impl IntoView {
    use crate::i18n::*;
    let i18n = use_i18n();
    let with_data: Vec<_> = intervals
        .into_iter()
        .filter(|i| i.offered > 0 || i.handled > 0)
        .collect();
    let open_table = with_data.len() <= 12;
    view! {
        <details class="mt-4" open=open_table>
            <summary class="cursor-pointer text-sm font-medium text-indigo-700">{t!(i18n, queues.show_table)}</summary>
            {if with_data.is_empty() {
                view! { <p class="mt-3 text-sm text-slate-600" data-test="no-data">{t!(i18n, queues.no_data)}</p> }.into_any()
            } else {
                view! {
                    <div class="mt-3 overflow-x-auto">
                        <table class="min-w-full divide-y divide-slate-200 text-sm" data-test="interval-table">
                            <caption class="sr-only">{t!(i18n, queues.table_caption)}</caption>
                            <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                                <tr>
                                    <th scope="col" class="px-3 py-2">{t!(i18n, queues.col_interval)}</th>
                                    <th scope="col" class="px-3 py-2 text-right">{t!(i18n, queues.col_offered)}</th>
                                    <th scope="col" class="px-3 py-2 text-right">{t!(i18n, queues.col_handled)}</th>
                                    <th scope="col" class="px-3 py-2 text-right">{t!(i18n, queues.col_abandoned)}</th>
                                    <th scope="col" class="px-3 py-2 text-right">{t!(i18n, queues.col_aht)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {with_data.into_iter().map(|row| view! {
                                    <tr data-test="interval-row">
                                        <th scope="row" class="whitespace-nowrap px-3 py-2 text-left font-normal text-slate-700">{row.start}</th>
                                        <td class="px-3 py-2 text-right tabular-nums">{row.offered}</td>
                                        <td class="px-3 py-2 text-right tabular-nums">{row.handled}</td>
                                        <td class="px-3 py-2 text-right tabular-nums">{row.abandoned}</td>
                                        <td class="px-3 py-2 text-right tabular-nums">{row.average_handle_time.map(|s| format!("{s:.1} s")).unwrap_or_else(|| "—".to_owned())}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </details>
    }
}
