//! The data step: a grid of scatter plots, one row per dataset (training, IID test, OOD
//! test) and one column per feature against Y. Each column shares its x axis and every
//! panel shares the y axis, so that the reader sees the cloud of X3 tilt from row to row
//! while X1 and X2 stay put.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{Axis, Extent, Frame, LABEL_SIZE, Plot, factor, header, number, plot, text};
use super::palette::DATA_POINT;
use super::{ChartError, DataSample, Figure, Table};
use crate::config::ValidConfig;
use crate::world::{Dataset, FEATURES};

/// Points drawn per panel. Rows are independent draws, so the first ones are a fair
/// sample, and more would only hide each other.
const POINTS_PER_PANEL: usize = 500;
/// The extra height of a plot that names its x axis.
const X_DESC_HEIGHT: i32 = 22;

/// One row of the grid.
struct Row<'a> {
    name: &'static str,
    set: &'a Dataset,
    /// The spurious factor of the set, as text.
    s: String,
}

fn rows<'a>(config: &ValidConfig, data: &'a DataSample) -> [Row<'a>; 3] {
    [
        Row {
            name: "Training set",
            set: &data.train,
            s: factors(&data.train.spurious_factors),
        },
        Row {
            name: "IID test set",
            set: &data.iid,
            s: factor(config.s_train),
        },
        Row {
            name: "OOD test set",
            set: &data.ood,
            s: factor(config.s_ood),
        },
    ]
}

/// The spurious factors of a set's domains: one value, or their range.
fn factors(values: &[f64]) -> String {
    match values {
        [] => "unknown".to_string(),
        [s] => factor(*s),
        _ => {
            let low = values.iter().copied().fold(f64::INFINITY, f64::min);
            let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{low:.2} to {high:.2} ({} domains)", values.len())
        }
    }
}

/// The first plotted points of one feature against Y. A hand-made dataset with fewer
/// columns or targets than rows gives fewer points rather than a panic.
fn points(set: &Dataset, feature: usize) -> Vec<(f64, f64)> {
    (0..set.x.nrows().min(set.y.len()).min(POINTS_PER_PANEL))
        .filter_map(|i| Some((*set.x.get((i, feature))?, *set.y.get(i)?)))
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect()
}

/// Correlation of a feature with Y over the whole set; NaN where it has no such column.
fn correlation(set: &Dataset, feature: usize) -> f64 {
    if feature < set.x.ncols() && set.x.nrows() == set.y.len() {
        set.correlation(feature)
    } else {
        f64::NAN
    }
}

pub(super) fn draw_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    figure: &Figure,
    config: &ValidConfig,
    data: &DataSample,
) -> Result<(), ChartError> {
    let rows = rows(config, data);
    let columns: Vec<Vec<Vec<(f64, f64)>>> = (0..FEATURES)
        .map(|feature| rows.iter().map(|row| points(row.set, feature)).collect())
        .collect();
    let all_points = || columns.iter().flatten().flatten();
    let x_axes: Vec<Axis> = columns
        .iter()
        .map(|column| {
            let xs = column.iter().flatten().map(|p| p.0);
            Extent::new().include_all(xs).axis(0.04, 5)
        })
        .collect();

    let grid = header(area, figure.title, &[])?;
    // The bottom row also carries the feature names, so it gets their height on top.
    let (_, height) = grid.dim_in_pixel();
    let row_height = (height as i32 - X_DESC_HEIGHT) / rows.len() as i32;
    let breaks: Vec<i32> = (1..rows.len() as i32).map(|r| r * row_height).collect();
    // Headroom above the clouds keeps the corner label off the points; short rows get
    // fewer ticks so that their labels do not touch.
    let y_ticks = if row_height < 160 { 3 } else { 5 };
    let ys = all_points().map(|p| p.1);
    let y = Extent::new()
        .include_all(ys)
        .axis_padded(0.04, 0.22, y_ticks);
    let row_areas = grid.split_by_breakpoints([] as [i32; 0], breaks);
    let row_title_style = text(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    for (r, (row, row_area)) in rows.iter().zip(&row_areas).enumerate() {
        let (title_area, panels_area) = row_area.split_vertically(22);
        let title = format!("{}, s = {}", row.name, row.s);
        title_area.draw_text(&title, &row_title_style, (12, 11))?;

        let panels = panels_area.split_evenly((1, FEATURES));
        for (feature, panel) in panels.iter().enumerate() {
            let x_desc = format!("X{}", feature + 1);
            let frame = Frame {
                x: &x_axes[feature],
                y: &y,
                x_desc: if r + 1 == rows.len() { &x_desc } else { "" },
                y_desc: if feature == 0 { "Y" } else { "" },
                x_names: None,
                x_grid: true,
            };
            let mut chart = plot(panel, &frame)?;
            let style = DATA_POINT.mix(0.3).filled();
            let x = &x_axes[feature];
            let dots = columns[feature][r]
                .iter()
                .map(|&(px, py)| Circle::new((x.fit(px), y.fit(py)), 2, style));
            chart.draw_series(dots)?;
            corner_label(&chart, correlation(row.set, feature))?;
        }
    }
    Ok(())
}

/// Writes the correlation in the upper corner the cloud leaves empty: the left one when
/// the feature rises with Y, the right one when it falls.
fn corner_label<DB: DrawingBackend>(chart: &Plot<'_, DB>, corr: f64) -> Result<(), ChartError> {
    let plain = chart.plotting_area().strip_coord_spec();
    let (width, _) = plain.dim_in_pixel();
    let label = format!("corr {}", corr_text(corr));
    let rising = corr >= 0.0 || corr.is_nan();
    let (x, h_pos) = if rising {
        (6, HPos::Left)
    } else {
        (width as i32 - 6, HPos::Right)
    };
    let style = text(LABEL_SIZE).pos(Pos::new(h_pos, VPos::Top));
    plain.draw_text(&label, &style, (x, 5))?;
    Ok(())
}

fn corr_text(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        "n/a".to_string()
    }
}

pub(super) fn data_table(config: &ValidConfig, data: &DataSample) -> Table {
    let mut columns = vec!["dataset".to_string(), "s".to_string(), "n".to_string()];
    columns.extend((1..=FEATURES).map(|j| format!("corr(X{j}, Y)")));
    let rows = rows(config, data)
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.name.to_string(),
                row.s.clone(),
                row.set.len().to_string(),
            ];
            cells.extend((0..FEATURES).map(|j| number(correlation(row.set, j))));
            cells
        })
        .collect();
    Table { columns, rows }
}
