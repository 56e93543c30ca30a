//! True against learned weights, as grouped bars: the grey true value of each parameter
//! next to what training found (mean over runs, each run a dot), and for the linear model
//! the least-squares optimum as a black tick. When the tick and the bar agree and both
//! miss the grey bar, the data, not the optimiser, is to blame.
//!
//! Runs whose value is not finite (training that diverged) are left out of the mean, as
//! [`Summary`] leaves them out of every statistic.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{Axis, Extent, Frame, LegendItem, Plot, Swatch, header, jitter, number, plot};
use super::palette::{INK, TRUE_VALUE, method_colour};
use super::{ChartError, Figure, Table};
use crate::experiment::{MethodResult, RunResult};
use crate::stats::Summary;
use crate::theory::LinearParams;
use crate::world::FEATURES;

/// The parameters of the linear model, in the order of the bars.
const PARAMETERS: [&str; 4] = ["X1 weight", "X2 weight", "X3 weight", "bias"];
/// The features whose effective weights an MLP has.
const FEATURE_NAMES: [&str; FEATURES] = ["X1", "X2", "X3"];

/// The true value of parameter `k` (weights, then bias).
fn true_value(k: usize) -> f64 {
    let causal = LinearParams::CAUSAL;
    causal.weights.get(k).copied().unwrap_or(causal.bias)
}

/// The learned value of parameter `k` in one run; `None` for the bias of an MLP.
fn learned_in(run: &RunResult, k: usize) -> Option<f64> {
    run.weights.get(k).copied().or(run.bias)
}

/// The learned values of parameter `k` over the runs that have it.
fn learned(result: &MethodResult, k: usize) -> Vec<f64> {
    result
        .runs
        .iter()
        .filter_map(|run| learned_in(run, k))
        .collect()
}

/// The population least-squares value of parameter `k`, averaged over runs whose
/// training domains differ; `None` where no run has an optimum.
fn least_squares(result: &MethodResult, k: usize) -> Option<f64> {
    let values: Vec<f64> = result
        .runs
        .iter()
        .filter_map(|run| run.least_squares.population)
        .map(|p| p.weights.get(k).copied().unwrap_or(p.bias))
        .collect();
    let summary = Summary::of(&values);
    (summary.count > 0).then_some(summary.mean)
}

/// One bar of a group: where it stands, how wide it is, its colour, its height and the
/// dots of the single runs on it.
struct Bar {
    centre: f64,
    half_width: f64,
    colour: RGBColor,
    value: f64,
    runs: Vec<f64>,
}

fn draw_bars<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    y: &Axis,
    bars: &[Bar],
) -> Result<(), ChartError> {
    for bar in bars.iter().filter(|b| b.value.is_finite()) {
        let (left, right) = (bar.centre - bar.half_width, bar.centre + bar.half_width);
        let top = y.fit(bar.value);
        chart.draw_series([Rectangle::new(
            [(left, y.fit(0.0)), (right, top)],
            bar.colour.filled(),
        )])?;
        // A bar of height zero (the true X3 weight) still shows as a stroke on the zero line.
        chart.draw_series([PathElement::new(
            [(left, top), (right, top)],
            bar.colour.stroke_width(3),
        )])?;
    }
    let dot_style = INK.mix(0.75).filled();
    for bar in bars {
        let dots = bar
            .runs
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, v)| {
                let x = bar.centre + 1.2 * bar.half_width * jitter(i);
                Circle::new((x, y.fit(*v)), 3, dot_style)
            });
        chart.draw_series(dots)?;
    }
    Ok(())
}

fn zero_line<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    x: &Axis,
    y: &Axis,
) -> Result<(), ChartError> {
    let line = [(x.low, y.fit(0.0)), (x.high, y.fit(0.0))];
    chart.draw_series([PathElement::new(line, INK.stroke_width(1))])?;
    Ok(())
}

fn value_axis(bars: &[Bar], extra: impl IntoIterator<Item = f64>) -> Axis {
    let values = bars
        .iter()
        .flat_map(|b| b.runs.iter().copied().chain([b.value]));
    Extent::new()
        .include(0.0)
        .include_all(values)
        .include_all(extra)
        .axis(0.08, 6)
}

pub(super) fn draw_weights<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    result: &MethodResult,
) -> Result<(), ChartError> {
    let colour = method_colour(result.method);
    let half = 0.17;
    let learned_centre = |k: usize| k as f64 + half + 0.02;
    let mut bars = Vec::new();
    for k in 0..PARAMETERS.len() {
        let runs = learned(result, k);
        bars.push(Bar {
            centre: k as f64 - half - 0.02,
            half_width: half,
            colour: TRUE_VALUE,
            value: true_value(k),
            runs: Vec::new(),
        });
        bars.push(Bar {
            centre: learned_centre(k),
            half_width: half,
            colour,
            value: Summary::of(&runs).mean,
            runs,
        });
    }
    let optimum: Vec<Option<f64>> = (0..PARAMETERS.len())
        .map(|k| least_squares(result, k))
        .collect();
    let x = Axis::categories(PARAMETERS.len());
    let y = value_axis(&bars, optimum.iter().flatten().copied());

    let runs = result.runs.len();
    let mut legend = vec![
        LegendItem::new(Swatch::Fill(TRUE_VALUE), "true value"),
        LegendItem::new(
            Swatch::Fill(colour),
            format!("learned, mean of {runs} runs"),
        ),
        LegendItem::new(Swatch::Dot(INK), "one run"),
    ];
    if optimum.iter().any(Option::is_some) {
        legend.push(LegendItem::new(Swatch::Tick(INK), "least-squares optimum"));
    }
    let body = header(area, figure.title, &legend)?;

    let names = |v: f64| category(&PARAMETERS, v);
    let frame = Frame {
        x: &x,
        y: &y,
        x_desc: "parameter",
        y_desc: "weight",
        x_names: Some(&names),
        x_grid: false,
    };
    let mut chart = plot(&body, &frame)?;
    zero_line(&mut chart, &x, &y)?;
    draw_bars(&mut chart, &y, &bars)?;
    for (k, value) in optimum.iter().enumerate() {
        let Some(value) = value.filter(|v| v.is_finite()) else {
            continue;
        };
        let (centre, reach) = (learned_centre(k), half + 0.05);
        let tick = [
            (centre - reach, y.fit(value)),
            (centre + reach, y.fit(value)),
        ];
        chart.draw_series([PathElement::new(tick, INK.stroke_width(4))])?;
    }
    Ok(())
}

/// The name of the category at tick `v`.
fn category(names: &[&str], v: f64) -> String {
    let index = libm::round(v);
    if index >= 0.0 && (index as usize) < names.len() {
        names[index as usize].to_string()
    } else {
        String::new()
    }
}

pub(super) fn draw_effective_weights<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    results: &[&MethodResult],
) -> Result<(), ChartError> {
    let per_group = results.len() + 1;
    let width = 0.84 / per_group as f64;
    let mut bars = Vec::new();
    for k in 0..FEATURES {
        let left = k as f64 - 0.42 + width / 2.0;
        bars.push(Bar {
            centre: left,
            half_width: 0.44 * width,
            colour: TRUE_VALUE,
            value: true_value(k),
            runs: Vec::new(),
        });
        for (m, result) in results.iter().enumerate() {
            let runs = learned(result, k);
            bars.push(Bar {
                centre: left + (m + 1) as f64 * width,
                half_width: 0.44 * width,
                colour: method_colour(result.method),
                value: Summary::of(&runs).mean,
                runs,
            });
        }
    }
    let x = Axis::categories(FEATURES);
    let y = value_axis(&bars, []);

    let mut legend = vec![LegendItem::new(Swatch::Fill(TRUE_VALUE), "true value")];
    legend.extend(
        results
            .iter()
            .map(|r| LegendItem::new(Swatch::Fill(method_colour(r.method)), r.method.title())),
    );
    legend.push(LegendItem::new(Swatch::Dot(INK), "one run"));
    let body = header(area, figure.title, &legend)?;

    let names = |v: f64| category(&FEATURE_NAMES, v);
    let frame = Frame {
        x: &x,
        y: &y,
        x_desc: "feature",
        y_desc: "effective weight",
        x_names: Some(&names),
        x_grid: false,
    };
    let mut chart = plot(&body, &frame)?;
    zero_line(&mut chart, &x, &y)?;
    draw_bars(&mut chart, &y, &bars)
}

pub(super) fn weights_table(result: &MethodResult) -> Table {
    let mut columns: Vec<String> = ["parameter", "true", "learned (mean)", "learned (std)"]
        .map(String::from)
        .to_vec();
    columns.push("least-squares optimum".to_string());
    columns.extend(result.runs.iter().map(|run| format!("seed {}", run.seed)));
    let rows = (0..PARAMETERS.len())
        .map(|k| {
            let runs = learned(result, k);
            let summary = Summary::of(&runs);
            let mut cells = vec![
                PARAMETERS[k].to_string(),
                number(true_value(k)),
                number(summary.mean),
                number(summary.std),
                least_squares(result, k).map_or_else(String::new, number),
            ];
            let per_run = result.runs.iter().map(|run| learned_in(run, k));
            cells.extend(per_run.map(|v| v.map_or_else(String::new, number)));
            cells
        })
        .collect();
    Table { columns, rows }
}

pub(super) fn effective_weights_table(results: &[&MethodResult]) -> Table {
    let mut columns = vec!["feature".to_string(), "true".to_string()];
    for result in results {
        columns.push(format!("{} (mean)", result.method.title()));
        columns.push(format!("{} (std)", result.method.title()));
    }
    let rows = (0..FEATURES)
        .map(|k| {
            let mut cells = vec![FEATURE_NAMES[k].to_string(), number(true_value(k))];
            for result in results {
                let summary = Summary::of(&learned(result, k));
                cells.push(number(summary.mean));
                cells.push(number(summary.std));
            }
            cells
        })
        .collect();
    Table { columns, rows }
}
