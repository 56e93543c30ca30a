//! What every figure shares: text sizes, axes with round ticks, the title and legend
//! strip above the plot, the plot frame itself, hatching, jitter and the formatting of
//! numbers. Keeping these in one place makes the figures look like one lesson, and keeps
//! the guards against degenerate data (no values, equal values, huge values) in one spot.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartError;
use super::palette::{GRID, INK};

/// The font family of every text. The SVG backend is built without a font library, so
/// the viewer picks the actual face.
pub const FONT: &str = "sans-serif";
/// Text sizes in plotters' units; the SVG backend writes `size / 1.24` pixels, so the
/// smallest text is 14.5 px at any canvas size.
pub const TITLE_SIZE: f64 = 22.0;
pub const DESC_SIZE: f64 = 19.0;
pub const LABEL_SIZE: f64 = 18.0;

/// The smallest area a single chart is drawn in; below it, labels would cover the data.
pub const MIN_SIZE: (u32, u32) = (480, 300);
/// The smallest area of the data step's grid of nine scatter plots.
pub const MIN_GRID_SIZE: (u32, u32) = (600, 400);

/// Values beyond this magnitude are drawn at the edge of the axis. Diverged training can
/// produce losses near `f64::MAX`, which would break tick placement and pixel arithmetic.
const AXIS_LIMIT: f64 = 1e12;

/// A black text style of the given size.
pub fn text(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// The plotted range of some values: the smallest and largest finite ones, within
/// ±[`AXIS_LIMIT`].
#[derive(Clone, Copy, Debug)]
pub struct Extent {
    low: f64,
    high: f64,
}

impl Extent {
    pub fn new() -> Extent {
        Extent {
            low: f64::INFINITY,
            high: f64::NEG_INFINITY,
        }
    }

    /// Widens the extent to cover `value`; values that are not finite are ignored.
    pub fn include(mut self, value: f64) -> Extent {
        if value.is_finite() {
            let v = value.clamp(-AXIS_LIMIT, AXIS_LIMIT);
            self.low = self.low.min(v);
            self.high = self.high.max(v);
        }
        self
    }

    pub fn include_all(self, values: impl IntoIterator<Item = f64>) -> Extent {
        values.into_iter().fold(self, Extent::include)
    }

    /// The extent widened symmetrically to at least `span`, without crossing zero if it
    /// did not: box plots of nearly equal runs still show their spread readably.
    pub fn with_min_span(self, span: f64) -> Extent {
        let missing = span - (self.high - self.low);
        if self.low > self.high || missing <= 0.0 {
            return self;
        }
        let mut low = self.low - missing / 2.0;
        if self.low >= 0.0 && low < 0.0 {
            low = 0.0;
        }
        Extent {
            low,
            high: low + span.max(self.high - low),
        }
    }

    /// An axis over the extent with a margin of `pad` times the span at both ends.
    pub fn axis(self, pad: f64, max_ticks: usize) -> Axis {
        self.axis_padded(pad, pad, max_ticks)
    }

    /// An axis over the extent with margins of `below` and `above` times the span.
    pub fn axis_padded(self, below: f64, above: f64, max_ticks: usize) -> Axis {
        let (low, high) = self.widened();
        let span = high - low;
        Axis::new(low - span * below, high + span * above, max_ticks)
    }

    /// An axis whose lower end stays at zero when no value is negative (RMSE, loss), with
    /// a margin of `pad` times the span above.
    pub fn axis_from_zero(self, pad: f64, max_ticks: usize) -> Axis {
        let extent = self.include(0.0);
        if extent.low < 0.0 {
            return extent.axis(pad, max_ticks);
        }
        let (low, high) = extent.widened();
        Axis::new(low, high + (high - low) * pad, max_ticks)
    }

    /// A logarithmic axis over the extent with a margin of `pad` times its decades at both
    /// ends; `None` when a value is zero or negative (or there are none).
    pub fn log_axis(self, pad: f64, max_ticks: usize) -> Option<Axis> {
        if !(self.low > 0.0 && self.low <= self.high) {
            return None;
        }
        let (mut low, mut high) = (libm::log10(self.low), libm::log10(self.high));
        if high - low < 1e-9 {
            (low, high) = (low - 0.2, high + 0.2);
        }
        let margin = (high - low) * pad;
        let (low, high) = (
            libm::pow(10.0, low - margin),
            libm::pow(10.0, high + margin),
        );
        Some(Axis::logarithmic(low, high, max_ticks))
    }

    /// The extent, or a unit range where it is empty or a single value: a zero-width axis
    /// has no ticks and maps everything to one pixel.
    fn widened(self) -> (f64, f64) {
        if self.low > self.high {
            (0.0, 1.0)
        } else if self.high - self.low < 1e-9 * self.high.abs().max(1.0) {
            let half = (0.1 * self.high.abs()).max(0.5);
            (self.low - half, self.high + half)
        } else {
            (self.low, self.high)
        }
    }
}

/// One axis of a plot: its range and round tick values, with labels formatted to the
/// precision of the tick step.
#[derive(Clone, Debug)]
pub struct Axis {
    pub low: f64,
    pub high: f64,
    ticks: Vec<f64>,
    step: f64,
    /// Whether values are placed by their logarithm.
    log: bool,
}

impl Axis {
    /// An axis from `low` to `high` (finite, `low < high`) with at most about `max_ticks`
    /// ticks at multiples of 1, 2, 2.5 or 5 times a power of ten.
    pub fn new(low: f64, high: f64, max_ticks: usize) -> Axis {
        Axis::with_step(low, high, nice_step(high - low, max_ticks.max(2)))
    }

    /// An axis with ticks at whole numbers only (epochs): the step is 1, 2 or 5 times a
    /// power of ten, and the first whole number in range gets a tick as well, so that an
    /// axis of epochs starts at epoch 1.
    pub fn whole_numbers(low: f64, high: f64, max_ticks: usize) -> Axis {
        let mut step = nice_step(high - low, max_ticks.max(2)).max(1.0);
        let magnitude = libm::pow(10.0, libm::floor(libm::log10(step)));
        if (step / magnitude - 2.5).abs() < 1e-9 {
            step *= 2.0;
        }
        let mut axis = Axis::with_step(low, high, step);
        let first = libm::ceil(low);
        if first <= high && axis.ticks.first().is_none_or(|&t| t > first + 0.5) {
            axis.ticks.insert(0, first);
        }
        axis
    }

    fn with_step(low: f64, high: f64, step: f64) -> Axis {
        let first = libm::ceil(low / step - 1e-9) as i64;
        let last = libm::floor(high / step + 1e-9) as i64;
        let ticks = (first..=last).map(|k| k as f64 * step).collect();
        Axis {
            low,
            high,
            ticks,
            step,
            log: false,
        }
    }

    /// A logarithmic axis from `low` to `high` (both positive), for losses that fall by
    /// orders of magnitude: ticks at 1, 2 and 5 times powers of ten, fewer where the
    /// range spans many decades.
    pub fn logarithmic(low: f64, high: f64, max_ticks: usize) -> Axis {
        let first = libm::floor(libm::log10(low)) as i32;
        let last = libm::ceil(libm::log10(high)) as i32;
        let inside = |mantissas: &[f64]| -> Vec<f64> {
            (first..=last)
                .flat_map(|e| mantissas.iter().map(move |m| m * libm::pow(10.0, e.into())))
                .filter(|v| (low..=high).contains(v))
                .collect()
        };
        let mut ticks = inside(&[1.0, 2.0, 5.0]);
        if ticks.len() > max_ticks {
            ticks = inside(&[1.0]);
        }
        if ticks.len() > max_ticks {
            let keep = ticks.len().div_ceil(max_ticks.max(1));
            ticks = ticks.into_iter().step_by(keep).collect();
        }
        if ticks.len() < 2 {
            let linear = Axis::new(low, high, max_ticks);
            ticks = linear.ticks.into_iter().filter(|&t| t > 0.0).collect();
        }
        Axis {
            low,
            high,
            ticks,
            step: f64::NAN,
            log: true,
        }
    }

    pub fn is_logarithmic(&self) -> bool {
        self.log
    }

    /// An axis for categories at 0, 1, …, `count − 1`, with room for half a category on
    /// either side.
    pub fn categories(count: usize) -> Axis {
        let count = count.max(1);
        Axis {
            low: -0.5,
            high: count as f64 - 0.5,
            ticks: (0..count).map(|k| k as f64).collect(),
            step: 1.0,
            log: false,
        }
    }

    pub fn ticks(&self) -> &[f64] {
        &self.ticks
    }

    /// A value moved inside the axis, so that nothing is drawn over the labels.
    pub fn fit(&self, value: f64) -> f64 {
        value.clamp(self.low, self.high)
    }

    /// The label of a tick: as many decimals as the step needs, or scientific notation
    /// for very large or very small steps.
    pub fn label(&self, value: f64) -> String {
        if self.log {
            // Every tick of a logarithmic axis is m · 10^e: write it with its own decimals.
            if !(1e-4..1e5).contains(&value) {
                return format!("{value:.0e}");
            }
            let decimals = decimals_of(value);
            return format!("{value:.decimals$}");
        }
        if value.abs() < self.step * 1e-6 {
            return "0".to_string();
        }
        if self.step >= 1e5 || self.step < 1e-4 {
            return format!("{value:.1e}");
        }
        let decimals = decimals_of(self.step);
        format!("{value:.decimals$}")
    }
}

/// Plotters reads ranges and ticks through this trait. The ticks are the axis' own round
/// values (plotters' algorithm would choose its own), and values far outside the axis map
/// to pixels just outside the plot instead of overflowing `i32`.
impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let fraction = if self.log {
            let position = libm::log10(*value) - libm::log10(self.low);
            position / (libm::log10(self.high) - libm::log10(self.low))
        } else {
            (value - self.low) / (self.high - self.low)
        };
        // Values far outside the axis (or a log of zero) land just outside the plot.
        let fraction = fraction.clamp(-1.0, 2.0);
        let pixels = f64::from(limit.0) + fraction * f64::from(limit.1 - limit.0);
        libm::round(if pixels.is_nan() {
            f64::from(limit.0)
        } else {
            pixels
        }) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Light points are the faint lines between ticks, which these figures leave out.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.low..self.high
    }
}

fn nice_step(span: f64, max_ticks: usize) -> f64 {
    let raw = span / (max_ticks - 1) as f64;
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(raw)));
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// Decimals needed to write multiples of `step` exactly, for steps of the form
/// m · 10^e with m in {1, 2, 2.5, 5}.
fn decimals_of(step: f64) -> usize {
    (0..8)
        .find(|&d| {
            let scaled = step * libm::pow(10.0, d as f64);
            (scaled - libm::round(scaled)).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(8)
}

/// A number for a table: three decimals, scientific notation when very large, and the
/// words Rust uses for values that are not finite.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value.abs() >= 1e6 {
        return format!("{value:.3e}");
    }
    let text = format!("{value:.3}");
    if text == "-0.000" {
        "0.000".to_string()
    } else {
        text
    }
}

/// A spurious factor as the reader typed it (settings keep their short form), or with two
/// decimals where it was drawn at random.
pub fn factor(s: f64) -> String {
    let plain = s.to_string();
    if plain.len() <= 6 {
        plain
    } else {
        format!("{s:.2}")
    }
}

/// A deterministic offset in [−0.5, 0.5) for the `index`-th dot of a group, so that dots
/// of equal value stay apart without any randomness in the figures (golden-ratio steps
/// spread any number of dots evenly).
pub fn jitter(index: usize) -> f64 {
    let golden = 0.618_033_988_749_895;
    (index as f64 * golden).fract() - 0.5
}

/// How a legend entry shows what it explains.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    /// A filled box or bar.
    Fill(RGBColor),
    /// A hatched box.
    Hatch(RGBColor),
    /// A bold line.
    Line(RGBColor),
    /// A thin, light line.
    ThinLine(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A dot.
    Dot(RGBColor),
    /// A short horizontal bar.
    Tick(RGBColor),
    /// No symbol: a note.
    Note,
}

/// One entry of a legend.
#[derive(Clone, Debug)]
pub struct LegendItem {
    pub swatch: Swatch,
    pub label: String,
}

impl LegendItem {
    pub fn new(swatch: Swatch, label: impl Into<String>) -> LegendItem {
        LegendItem {
            swatch,
            label: label.into(),
        }
    }
}

const EDGE: i32 = 12;
const SWATCH_WIDTH: i32 = 26;
const LEGEND_ROW: i32 = 24;

/// Draws a title and a legend above the plot and returns the area left below them. The
/// legend sits outside the plot so that it never covers data, and wraps onto more rows
/// when the figure is narrow.
pub fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[LegendItem],
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let (width, height) = area.dim_in_pixel();
    let (width, height) = (width as i32, height as i32);
    let mut y = 8;
    for line in fit_title(area, title, (width - 2 * EDGE).max(1) as u32)? {
        let (line, style) = line;
        area.draw_text(&line, &style, (EDGE, y))?;
        y += area.estimate_text_size(&line, &style)?.1 as i32 + 4;
    }
    y += 6;

    let label_style = text(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = EDGE;
    for item in legend {
        let label_width = area.estimate_text_size(&item.label, &label_style)?.0 as i32;
        let symbol = match item.swatch {
            Swatch::Note => 0,
            _ => SWATCH_WIDTH + 6,
        };
        let entry = symbol + label_width;
        if x > EDGE && x + entry > width - EDGE {
            x = EDGE;
            y += LEGEND_ROW;
        }
        let middle = y + LEGEND_ROW / 2;
        draw_swatch(area, item.swatch, (x, middle))?;
        area.draw_text(&item.label, &label_style, (x + symbol, middle))?;
        x += entry + 16;
    }
    if !legend.is_empty() {
        y += LEGEND_ROW;
    }
    // A legend too long for the area keeps at least half of it for the plot.
    Ok(area.split_vertically((y + 4).min(height / 2)).1)
}

/// The lines of a title in a narrow figure: the title size if it fits, the label size if
/// that fits, and otherwise the label size wrapped at spaces.
fn fit_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    width: u32,
) -> Result<Vec<(String, TextStyle<'static>)>, ChartError> {
    for size in [TITLE_SIZE, LABEL_SIZE] {
        let style = text(size).pos(Pos::new(HPos::Left, VPos::Top));
        if area.estimate_text_size(title, &style)?.0 <= width {
            return Ok(vec![(title.to_string(), style)]);
        }
    }
    let style = text(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Top));
    let mut lines: Vec<String> = Vec::new();
    for word in title.split(' ') {
        let longer = match lines.last() {
            Some(line) => format!("{line} {word}"),
            None => word.to_string(),
        };
        let fits = area.estimate_text_size(&longer, &style)?.0 <= width;
        match lines.last_mut() {
            Some(line) if fits => *line = longer,
            _ => lines.push(word.to_string()),
        }
    }
    Ok(lines
        .into_iter()
        .map(|line| (line, style.clone()))
        .collect())
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    (x, y): (i32, i32),
) -> Result<(), ChartError> {
    let right = x + SWATCH_WIDTH;
    let (top, bottom) = (y - 8, y + 8);
    match swatch {
        Swatch::Fill(c) => {
            area.draw(&Rectangle::new([(x, top), (right, bottom)], c.filled()))?;
        }
        Swatch::Hatch(c) => hatched_box(area, (x, top), (right, bottom), c)?,
        Swatch::Line(c) => area.draw(&PathElement::new(
            vec![(x, y), (right, y)],
            c.stroke_width(3),
        ))?,
        Swatch::ThinLine(c) => area.draw(&PathElement::new(
            vec![(x, y), (right, y)],
            c.mix(0.5).stroke_width(1),
        ))?,
        Swatch::Dashed(c) => {
            for start in [x, x + 10, x + 20] {
                let end = (start + 6).min(right);
                area.draw(&PathElement::new(
                    vec![(start, y), (end, y)],
                    c.stroke_width(2),
                ))?;
            }
        }
        Swatch::Dot(c) => area.draw(&Circle::new((x + SWATCH_WIDTH / 2, y), 4, c.filled()))?,
        Swatch::Tick(c) => area.draw(&Rectangle::new(
            [(x + 2, y - 2), (right - 2, y + 2)],
            c.filled(),
        ))?,
        Swatch::Note => {}
    }
    Ok(())
}

/// Draws a box with a white ground, diagonal hatching and an outline, in pixels of `area`.
/// Hatching tells the OOD box from the filled IID box without a second colour, and
/// survives printing in grey.
pub fn hatched_box<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (left, top): (i32, i32),
    (right, bottom): (i32, i32),
    colour: RGBColor,
) -> Result<(), ChartError> {
    let (left, right) = (left.min(right), left.max(right));
    let (top, bottom) = (top.min(bottom), top.max(bottom));
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        WHITE.filled(),
    ))?;
    let spacing = 7;
    // Lines x + y = c, which run from lower left to upper right on screen.
    let mut c = left + top + spacing;
    while c < right + bottom {
        let from_x = left.max(c - bottom);
        let to_x = right.min(c - top);
        if from_x < to_x {
            let line = vec![(from_x, c - from_x), (to_x, c - to_x)];
            area.draw(&PathElement::new(line, colour.stroke_width(2)))?;
        }
        c += spacing;
    }
    outline(area, (left, top), (right, bottom), colour)
}

/// A rectangle outline two pixels wide (the SVG backend draws outlined rectangles one
/// pixel wide whatever the style says).
pub fn outline<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (left, top): (i32, i32),
    (right, bottom): (i32, i32),
    colour: RGBColor,
) -> Result<(), ChartError> {
    let corners = vec![
        (left, top),
        (right, top),
        (right, bottom),
        (left, bottom),
        (left, top),
    ];
    area.draw(&PathElement::new(corners, colour.stroke_width(2)))?;
    Ok(())
}

/// The plot every figure draws in: f64 coordinates with round ticks.
pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// The axes, axis titles and tick labels of a plot.
pub struct Frame<'a> {
    pub x: &'a Axis,
    pub y: &'a Axis,
    pub x_desc: &'a str,
    pub y_desc: &'a str,
    /// Labels of the x ticks, for categorical axes; `None` writes the tick values.
    pub x_names: Option<&'a dyn Fn(f64) -> String>,
    /// Vertical grid lines through the x ticks (off for categories).
    pub x_grid: bool,
}

const MARGIN_TOP: u32 = 8;
const MARGIN_BOTTOM: u32 = 4;

/// Builds a plot filling `area` and draws its grid, axes and labels.
pub fn plot<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    frame: &Frame,
) -> Result<Plot<'a, DB>, ChartError> {
    let tick_style = text(LABEL_SIZE);
    let mut widest = 0;
    for &tick in frame.y.ticks() {
        widest = widest.max(
            area.estimate_text_size(&frame.y.label(tick), &tick_style)?
                .0,
        );
    }
    let y_desc_width = if frame.y_desc.is_empty() { 0 } else { 26 };
    let x_label_height = if frame.x_desc.is_empty() { 30 } else { 52 };
    let mut chart = ChartBuilder::on(area)
        .margin_top(MARGIN_TOP)
        .margin_right(18)
        .margin_left(6)
        .margin_bottom(MARGIN_BOTTOM)
        .x_label_area_size(x_label_height)
        .y_label_area_size(widest + 14 + y_desc_width)
        .build_cartesian_2d(frame.x.clone(), frame.y.clone())?;

    // A y title longer than the axis loses its parenthesis ("training loss (MSE)" becomes
    // "training loss") rather than run over the tick labels.
    let axis_height = area
        .dim_in_pixel()
        .1
        .saturating_sub(x_label_height + MARGIN_TOP + MARGIN_BOTTOM);
    let desc_style = text(DESC_SIZE);
    let mut y_desc = frame.y_desc;
    if area.estimate_text_size(y_desc, &desc_style)?.0 > axis_height {
        y_desc = y_desc.split(" (").next().unwrap_or(y_desc);
    }

    let x_label = |v: &f64| match frame.x_names {
        Some(names) => names(*v),
        None => frame.x.label(*v),
    };
    let y_label = |v: &f64| frame.y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(GRID.stroke_width(1))
        .axis_style(INK.stroke_width(1))
        .set_all_tick_mark_size(4)
        .label_style(tick_style.clone())
        .axis_desc_style(desc_style.clone())
        .x_label_formatter(&x_label)
        .y_label_formatter(&y_label);
    if !frame.x_desc.is_empty() {
        mesh.x_desc(frame.x_desc);
    }
    if !y_desc.is_empty() {
        mesh.y_desc(y_desc);
    }
    if !frame.x_grid {
        mesh.disable_x_mesh();
    }
    mesh.draw()?;
    Ok(chart)
}

/// A horizontal dashed line across the whole plot at height `y`.
pub fn dashed_level<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    x: &Axis,
    y: f64,
    colour: RGBColor,
) -> Result<(), ChartError> {
    let line = DashedLineSeries::new([(x.low, y), (x.high, y)], 8, 6, colour.stroke_width(2));
    chart.draw_series(line)?;
    Ok(())
}

/// Pixel coordinates of a data point relative to the plotting area, for drawing on
/// [`DrawingArea::strip_coord_spec`] of the plotting area.
pub fn pixel<DB: DrawingBackend>(chart: &Plot<'_, DB>, point: (f64, f64)) -> (i32, i32) {
    let (x, y) = chart.backend_coord(&point);
    let (x0, y0) = chart.plotting_area().get_base_pixel();
    (x - x0, y - y0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        let axis = Axis::new(-0.37, 4.2, 6);
        assert_eq!(axis.ticks(), &[0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(axis.label(2.0), "2");
        let fine = Axis::new(0.0, 0.5, 6);
        assert_eq!(
            fine.ticks(),
            &[0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5]
        );
        assert_eq!(fine.label(fine.ticks()[3]), "0.3");
        let quarter = Axis::new(0.0, 1.0, 5);
        assert_eq!(quarter.label(0.25), "0.25");
    }

    #[test]
    fn epochs_get_whole_ticks_from_one() {
        assert_eq!(
            Axis::whole_numbers(0.42, 30.58, 8).ticks(),
            &[1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]
        );
        assert_eq!(Axis::whole_numbers(0.5, 3.5, 8).ticks(), &[1.0, 2.0, 3.0]);
        assert_eq!(Axis::whole_numbers(0.5, 1.5, 8).ticks(), &[1.0]);
    }

    #[test]
    fn logarithmic_ticks_thin_out_over_many_decades() {
        let loss = Axis::logarithmic(0.15, 16.0, 7);
        assert_eq!(loss.ticks(), &[0.2, 0.5, 1.0, 2.0, 5.0, 10.0]);
        assert_eq!(loss.label(0.2), "0.2");
        assert_eq!(loss.label(10.0), "10");
        let wide = Axis::logarithmic(1e-3, 1e12, 6);
        assert!(wide.ticks().len() <= 6 && wide.ticks().len() >= 2);
        let narrow = Axis::logarithmic(0.95, 1.05, 6);
        assert!(narrow.ticks().len() >= 2);
        assert!(
            Extent::new()
                .include(0.0)
                .include(2.0)
                .log_axis(0.05, 6)
                .is_none()
        );
        assert!(Extent::new().include(2.0).log_axis(0.05, 6).is_some());
    }

    #[test]
    fn degenerate_extents_get_a_width() {
        let empty = Extent::new().axis(0.05, 6);
        assert!(empty.low < empty.high);
        let single = Extent::new().include(2.0).axis(0.05, 6);
        assert!(single.low < 2.0 && single.high > 2.0);
        let huge = Extent::new()
            .include(f64::MAX)
            .include(f64::NAN)
            .axis(0.05, 6);
        assert!(huge.high.is_finite() && !huge.ticks().is_empty());
        let zero = Extent::new()
            .include(3.0)
            .include(5.0)
            .axis_from_zero(0.1, 6);
        assert_eq!(zero.low, 0.0);
        let narrow = Extent::new()
            .include(0.98)
            .include(1.02)
            .with_min_span(0.4)
            .axis(0.0, 6);
        assert!((narrow.low - 0.8).abs() < 1e-12 && (narrow.high - 1.2).abs() < 1e-12);
        let near_zero = Extent::new().include(0.05).with_min_span(0.4).axis(0.0, 6);
        assert_eq!((near_zero.low, near_zero.high), (0.0, 0.4));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(-0.0001), "0.000");
        assert_eq!(number(4.0), "4.000");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(2.5e7), "2.500e7");
        assert_eq!(factor(0.2), "0.2");
        assert_eq!(factor(0.123456789), "0.12");
    }

    #[test]
    fn jitter_stays_within_half() {
        for i in 0..100 {
            assert!((-0.5..0.5).contains(&jitter(i)));
        }
    }
}
