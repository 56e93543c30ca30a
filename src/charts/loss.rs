//! Training curves: the loss of every run and their mean, against the epoch. For the
//! linear model a dashed line marks the least-squares loss, the lowest any linear model
//! can reach on the training distribution, so that the reader can tell an unfinished
//! optimisation from a model that has found what the data offers.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{
    Axis, Extent, Frame, LegendItem, Plot, Swatch, dashed_level, header, number, plot,
};
use super::palette::{INK, TRUE_VALUE, method_colour};
use super::{ChartError, Figure, Table};
use crate::experiment::{Method, MethodResult};
use crate::stats;

/// The training loss of the population least-squares optimum, averaged over the runs
/// (randomized domains differ from run to run); `None` where no run has an optimum.
fn least_squares_loss(result: &MethodResult) -> Option<f64> {
    let losses: Vec<f64> = result
        .runs
        .iter()
        .filter_map(|run| run.least_squares.population_loss)
        .filter(|loss| loss.is_finite())
        .collect();
    (!losses.is_empty()).then(|| stats::mean(&losses))
}

fn epochs(results: &[&MethodResult]) -> usize {
    results
        .iter()
        .flat_map(|r| &r.runs)
        .map(|run| run.loss.len())
        .max()
        .unwrap_or(0)
}

/// The mean loss of each epoch over the runs that reached it with a finite loss.
fn mean_curve(result: &MethodResult, epochs: usize) -> Vec<f64> {
    (0..epochs)
        .map(|e| {
            let values: Vec<f64> = result
                .runs
                .iter()
                .filter_map(|run| run.loss.get(e).copied())
                .filter(|v| v.is_finite())
                .collect();
            if values.is_empty() {
                f64::NAN
            } else {
                stats::mean(&values)
            }
        })
        .collect()
}

fn diverged(result: &MethodResult) -> usize {
    result
        .runs
        .iter()
        .filter(|run| run.loss.iter().any(|v| !v.is_finite()))
        .count()
}

/// The epoch axis, 1-based, with whole-number ticks.
fn epoch_axis(epochs: usize) -> Axis {
    let last = epochs.max(1) as f64;
    let pad = (0.02 * (last - 1.0)).max(0.5);
    Axis::whole_numbers(1.0 - pad, last + pad, 8)
}

/// The loss axis: logarithmic, since the loss falls by orders of magnitude in the first
/// epochs and the end of training is what the reader compares with the optimum; linear
/// from zero if a loss is zero.
fn loss_axis<'a>(curves: impl Iterator<Item = &'a [f64]>, reference: Option<f64>) -> Axis {
    let values = curves.flat_map(|c| c.iter().copied());
    let extent = Extent::new().include_all(values).include_all(reference);
    extent
        .log_axis(0.04, 8)
        .unwrap_or_else(|| extent.axis_from_zero(0.06, 6))
}

fn loss_desc(y: &Axis) -> &'static str {
    if y.is_logarithmic() {
        "training loss (MSE, log scale)"
    } else {
        "training loss (MSE)"
    }
}

/// Epochs across, loss up.
fn loss_frame<'a>(x: &'a Axis, y: &'a Axis) -> Frame<'a> {
    Frame {
        x,
        y,
        x_desc: "epoch",
        y_desc: loss_desc(y),
        x_names: None,
        x_grid: true,
    }
}

/// Draws one loss curve, broken where the loss is not finite; isolated points get a dot
/// so that a one-epoch run still shows.
fn draw_curve<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    y: &Axis,
    curve: &[f64],
    style: ShapeStyle,
) -> Result<(), ChartError> {
    let mut segment: Vec<(f64, f64)> = Vec::new();
    for (e, value) in curve.iter().chain([&f64::NAN]).enumerate() {
        if value.is_finite() {
            segment.push(((e + 1) as f64, y.fit(*value)));
            continue;
        }
        match segment.len() {
            0 => {}
            1 => {
                let dot = Circle::new(segment[0], style.stroke_width + 2, style.filled());
                chart.draw_series([dot])?;
            }
            _ => {
                chart.draw_series(LineSeries::new(segment.clone(), style))?;
            }
        }
        segment.clear();
    }
    Ok(())
}

fn diverged_note(count: usize) -> Option<LegendItem> {
    (count > 0).then(|| {
        let runs = if count == 1 { "run" } else { "runs" };
        LegendItem::new(
            Swatch::Note,
            format!("({count} {runs} diverged, drawn until then)"),
        )
    })
}

pub(super) fn draw_loss<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    result: &MethodResult,
) -> Result<(), ChartError> {
    let colour = method_colour(result.method);
    let epochs = epochs(&[result]);
    let mean = mean_curve(result, epochs);
    let reference = least_squares_loss(result);
    let x = epoch_axis(epochs);
    let y = loss_axis(result.runs.iter().map(|r| r.loss.as_slice()), reference);

    let runs = result.runs.len();
    let mut legend = vec![
        LegendItem::new(Swatch::ThinLine(colour), "one run"),
        LegendItem::new(Swatch::Line(colour), format!("mean of {runs} runs")),
    ];
    if let Some(loss) = reference {
        let label = format!("least-squares optimum ({})", number(loss));
        legend.push(LegendItem::new(Swatch::Dashed(INK), label));
    }
    legend.extend(diverged_note(diverged(result)));
    let body = header(area, figure.title, &legend)?;

    let mut chart = plot(&body, &loss_frame(&x, &y))?;
    if let Some(loss) = reference {
        dashed_level(&mut chart, &x, y.fit(loss), INK)?;
    }
    for run in &result.runs {
        draw_curve(&mut chart, &y, &run.loss, colour.mix(0.45).stroke_width(1))?;
    }
    draw_curve(&mut chart, &y, &mean, colour.stroke_width(3))?;
    Ok(())
}

/// The MLP's mean loss per method on one chart, each method in its colour over faint
/// single runs.
pub(super) fn draw_mean_losses<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    results: &[&MethodResult],
) -> Result<(), ChartError> {
    let epochs = epochs(results);
    let means: Vec<Vec<f64>> = results.iter().map(|r| mean_curve(r, epochs)).collect();
    let x = epoch_axis(epochs);
    let runs = results
        .iter()
        .flat_map(|r| &r.runs)
        .map(|run| run.loss.as_slice());
    let y = loss_axis(runs, None);

    let mut legend: Vec<LegendItem> = results
        .iter()
        .map(|r| LegendItem::new(Swatch::Line(method_colour(r.method)), r.method.title()))
        .collect();
    legend.push(LegendItem::new(Swatch::ThinLine(TRUE_VALUE), "one run"));
    legend.extend(diverged_note(results.iter().map(|r| diverged(r)).sum()));
    let body = header(area, figure.title, &legend)?;

    let mut chart = plot(&body, &loss_frame(&x, &y))?;
    for result in results {
        let faint = method_colour(result.method).mix(0.25).stroke_width(1);
        for run in &result.runs {
            draw_curve(&mut chart, &y, &run.loss, faint)?;
        }
    }
    for (result, mean) in results.iter().zip(&means) {
        draw_curve(
            &mut chart,
            &y,
            mean,
            method_colour(result.method).stroke_width(3),
        )?;
    }
    Ok(())
}

pub(super) fn loss_table(result: &MethodResult) -> Table {
    let epochs = epochs(&[result]);
    let mean = mean_curve(result, epochs);
    let reference = least_squares_loss(result);
    let mut columns = vec!["epoch".to_string(), "mean".to_string()];
    columns.extend(result.runs.iter().map(|run| format!("seed {}", run.seed)));
    columns.push("least-squares optimum".to_string());
    let rows = (0..epochs)
        .map(|e| {
            let mut cells = vec![(e + 1).to_string(), number(mean[e])];
            cells.extend(
                result
                    .runs
                    .iter()
                    .map(|run| run.loss.get(e).map_or_else(String::new, |v| number(*v))),
            );
            cells.push(reference.map_or_else(String::new, number));
            cells
        })
        .collect();
    Table { columns, rows }
}

pub(super) fn mean_loss_table(results: &[&MethodResult]) -> Table {
    let epochs = epochs(results);
    let means: Vec<Vec<f64>> = results.iter().map(|r| mean_curve(r, epochs)).collect();
    let mut columns = vec!["epoch".to_string()];
    columns.extend(
        results
            .iter()
            .map(|r| format!("{} (mean)", r.method.title())),
    );
    let rows = (0..epochs)
        .map(|e| {
            let mut cells = vec![(e + 1).to_string()];
            cells.extend(means.iter().map(|m| number(m[e])));
            cells
        })
        .collect();
    Table { columns, rows }
}

/// The loss curves of a step while it trains: each run's epochs so far, thin, in the
/// method's colour, on the axes the finished figure will have.
pub fn draw_live_loss<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    method: Method,
    curves: &[Vec<f64>],
    epochs: usize,
) -> Result<(), ChartError> {
    let colour = method_colour(method);
    let x = epoch_axis(epochs);
    let y = loss_axis(curves.iter().map(Vec::as_slice), None);
    let started = curves.iter().filter(|c| !c.is_empty()).count();
    let legend = [LegendItem::new(
        Swatch::ThinLine(colour),
        format!("{started} of {} runs under way or done", curves.len()),
    )];
    let body = header(area, "Training loss, live", &legend)?;
    let mut chart = plot(&body, &loss_frame(&x, &y))?;
    for curve in curves {
        draw_curve(&mut chart, &y, curve, colour.mix(0.7).stroke_width(2))?;
    }
    Ok(())
}
