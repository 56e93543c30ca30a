//! Box plots of RMSE over runs, IID next to OOD: filled boxes for the IID test set,
//! hatched ones for the OOD test set, each run a dot, and a dashed line at 1, the RMSE of
//! the causal model (the noise of Y, which no model can beat for long).
//!
//! The boxes are drawn from [`Summary`] rather than with plotters' box plot element, so
//! that the whiskers follow the Tukey rule the tables report, and runs whose training
//! diverged are counted instead of drawn.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{
    Axis, Extent, Frame, LABEL_SIZE, LegendItem, Plot, Swatch, dashed_level, factor, hatched_box,
    header, jitter, number, outline, pixel, plot, text,
};
use super::palette::{INK, TRUE_VALUE, method_colour};
use super::{ChartError, Figure, Table};
use crate::config::ValidConfig;
use crate::experiment::{MethodResult, RunResult};
use crate::stats::Summary;

/// RMSE of the causal model in every domain: the standard deviation of the noise of Y.
const CAUSAL_RMSE: f64 = 1.0;

/// The two test sets, in the order the boxes stand.
#[derive(Clone, Copy, Debug)]
enum TestSet {
    Iid,
    Ood,
}

impl TestSet {
    const BOTH: [TestSet; 2] = [TestSet::Iid, TestSet::Ood];

    fn name(self) -> &'static str {
        match self {
            TestSet::Iid => "IID test",
            TestSet::Ood => "OOD test",
        }
    }

    fn factor(self, config: &ValidConfig) -> f64 {
        match self {
            TestSet::Iid => config.s_train,
            TestSet::Ood => config.s_ood,
        }
    }

    fn summary(self, result: &MethodResult) -> &Summary {
        match self {
            TestSet::Iid => &result.rmse_iid,
            TestSet::Ood => &result.rmse_ood,
        }
    }

    fn values(self, result: &MethodResult) -> Vec<f64> {
        let pick = |run: &RunResult| match self {
            TestSet::Iid => run.rmse_iid,
            TestSet::Ood => run.rmse_ood,
        };
        result.runs.iter().map(pick).collect()
    }

    fn swatch(self, colour: RGBColor) -> Swatch {
        match self {
            TestSet::Iid => Swatch::Fill(colour),
            TestSet::Ood => Swatch::Hatch(colour),
        }
    }

    fn legend(self, config: &ValidConfig, colour: RGBColor) -> LegendItem {
        let label = format!("{} (s = {})", self.name(), factor(self.factor(config)));
        LegendItem::new(self.swatch(colour), label)
    }
}

/// One box: where it stands, what it summarises and how it is filled.
struct BoxSpec<'a> {
    centre: f64,
    half_width: f64,
    summary: &'a Summary,
    values: Vec<f64>,
    colour: RGBColor,
    set: TestSet,
}

fn draw_box<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    y: &Axis,
    spec: &BoxSpec,
) -> Result<(), ChartError> {
    let s = spec.summary;
    if s.count == 0 {
        return Ok(());
    }
    let (left, right) = (spec.centre - spec.half_width, spec.centre + spec.half_width);
    let (q1, q3) = (y.fit(s.q1), y.fit(s.q3));
    let top_left = pixel(chart, (left, q3));
    let bottom_right = pixel(chart, (right, q1));
    let plain = chart.plotting_area().strip_coord_spec();
    match spec.set {
        TestSet::Iid => {
            chart.draw_series([Rectangle::new(
                [(left, q3), (right, q1)],
                spec.colour.filled(),
            )])?;
            outline(&plain, top_left, bottom_right, spec.colour)?;
        }
        TestSet::Ood => hatched_box(&plain, top_left, bottom_right, spec.colour)?,
    }

    let cap = 0.5 * spec.half_width;
    for (end, from) in [(s.whisker_high, q3), (s.whisker_low, q1)] {
        let end = y.fit(end);
        let stem = vec![(spec.centre, from), (spec.centre, end)];
        let bar = vec![(spec.centre - cap, end), (spec.centre + cap, end)];
        chart.draw_series([stem, bar].map(|w| PathElement::new(w, INK.stroke_width(2))))?;
    }
    let median = vec![(left, y.fit(s.median)), (right, y.fit(s.median))];
    chart.draw_series([PathElement::new(median, INK.stroke_width(3))])?;

    let outliers = s
        .outliers
        .iter()
        .map(|&v| Circle::new((spec.centre, y.fit(v)), 5, INK.stroke_width(1)));
    chart.draw_series(outliers)?;
    let dot_style = INK.mix(0.45).filled();
    let dots = spec
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, &v)| {
            let x = spec.centre + 1.4 * spec.half_width * jitter(i);
            Circle::new((x, y.fit(v)), 3, dot_style)
        });
    chart.draw_series(dots)?;
    Ok(())
}

/// How the RMSE axis is scaled.
#[derive(Clone, Copy, Debug)]
enum Scale {
    /// From zero, so that the boxes of several methods compare by height.
    FromZero,
    /// Around the boxes, at least this wide, so that the spread of one method's runs
    /// shows even when every run lands near the causal model.
    Around(f64),
}

fn rmse_axis(boxes: &[BoxSpec], scale: Scale) -> Axis {
    let mut extent = Extent::new().include(CAUSAL_RMSE);
    for spec in boxes {
        let s = spec.summary;
        extent = extent
            .include_all([s.whisker_low, s.whisker_high, s.q1, s.q3])
            .include_all(s.outliers.iter().copied())
            .include_all(spec.values.iter().copied());
    }
    match scale {
        Scale::FromZero => extent.axis_from_zero(0.08, 6),
        Scale::Around(span) => extent.with_min_span(span).axis(0.08, 6),
    }
}

/// Runs whose IID or OOD RMSE is not finite.
fn diverged(results: &[&MethodResult]) -> usize {
    let runs = results.iter().flat_map(|r| &r.runs);
    runs.filter(|run| !(run.rmse_iid.is_finite() && run.rmse_ood.is_finite()))
        .count()
}

fn common_legend(results: &[&MethodResult]) -> Vec<LegendItem> {
    let mut legend = vec![
        LegendItem::new(Swatch::Dot(INK), "one run"),
        LegendItem::new(Swatch::Dashed(INK), "causal model (RMSE 1)"),
    ];
    let count = diverged(results);
    if count > 0 {
        let runs = if count == 1 { "run" } else { "runs" };
        legend.push(LegendItem::new(
            Swatch::Note,
            format!("({count} {runs} diverged, not shown)"),
        ));
    }
    legend
}

fn draw_boxes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    boxes: &[BoxSpec],
    x: &Axis,
    x_desc: &str,
    names: &dyn Fn(f64) -> String,
    scale: Scale,
) -> Result<(), ChartError> {
    let y = rmse_axis(boxes, scale);
    let frame = Frame {
        x,
        y: &y,
        x_desc,
        y_desc: "RMSE",
        x_names: Some(names),
        x_grid: false,
    };
    let mut chart = plot(area, &frame)?;
    dashed_level(&mut chart, x, CAUSAL_RMSE, INK)?;
    for spec in boxes {
        draw_box(&mut chart, &y, spec)?;
    }
    Ok(())
}

pub(super) fn draw_rmse<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    config: &ValidConfig,
    result: &MethodResult,
) -> Result<(), ChartError> {
    let colour = method_colour(result.method);
    let boxes: Vec<BoxSpec> = TestSet::BOTH
        .iter()
        .enumerate()
        .map(|(i, &set)| BoxSpec {
            centre: i as f64,
            half_width: 0.2,
            summary: set.summary(result),
            values: set.values(result),
            colour,
            set,
        })
        .collect();
    let mut legend: Vec<LegendItem> = TestSet::BOTH
        .iter()
        .map(|s| s.legend(config, colour))
        .collect();
    legend.extend(common_legend(&[result]));
    let body = header(area, figure.title, &legend)?;

    let x = Axis::categories(TestSet::BOTH.len());
    let names = |v: f64| {
        let index = libm::round(v) as usize;
        TestSet::BOTH
            .get(index)
            .map_or_else(String::new, |s| s.name().to_string())
    };
    draw_boxes(&body, &boxes, &x, "test set", &names, Scale::Around(0.5))
}

pub(super) fn draw_summary<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    config: &ValidConfig,
    results: &[&MethodResult],
) -> Result<(), ChartError> {
    let mut boxes = Vec::new();
    for (i, result) in results.iter().enumerate() {
        for (j, &set) in TestSet::BOTH.iter().enumerate() {
            boxes.push(BoxSpec {
                centre: i as f64 - 0.19 + 0.38 * j as f64,
                half_width: 0.16,
                summary: set.summary(result),
                values: set.values(result),
                colour: method_colour(result.method),
                set,
            });
        }
    }
    let mut legend: Vec<LegendItem> = TestSet::BOTH
        .iter()
        .map(|s| s.legend(config, TRUE_VALUE))
        .collect();
    legend.extend(common_legend(results));
    let body = header(area, figure.title, &legend)?;

    // Full method names where they fit under their group, short ones otherwise.
    let style = text(LABEL_SIZE);
    let room = body.dim_in_pixel().0.saturating_sub(120) / results.len().max(1) as u32;
    let mut full = true;
    for result in results {
        full &= body.estimate_text_size(result.method.title(), &style)?.0 + 16 <= room;
    }
    let labels: Vec<&str> = results
        .iter()
        .map(|r| {
            if full {
                r.method.title()
            } else {
                r.method.name()
            }
        })
        .collect();
    let names = |v: f64| {
        let index = libm::round(v) as usize;
        labels
            .get(index)
            .map_or_else(String::new, |s| s.to_string())
    };
    let x = Axis::categories(results.len());
    draw_boxes(&body, &boxes, &x, "method", &names, Scale::FromZero)
}

pub(super) fn rmse_table(config: &ValidConfig, results: &[&MethodResult]) -> Table {
    let columns = [
        "method", "test set", "s", "runs", "diverged", "mean", "std", "min", "q1", "median", "q3",
        "max",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for result in results {
        for set in TestSet::BOTH {
            let s = set.summary(result);
            let mut cells = vec![
                result.method.title().to_string(),
                set.name().to_string(),
                factor(set.factor(config)),
                s.count.to_string(),
                s.non_finite.to_string(),
            ];
            cells.extend([s.mean, s.std, s.min, s.q1, s.median, s.q3, s.max].map(number));
            rows.push(cells);
        }
    }
    Table { columns, rows }
}
