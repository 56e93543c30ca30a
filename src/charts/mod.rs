//! One drawing function per figure of the lesson, generic over plotters'
//! `DrawingBackend`: the page draws them on canvas, the command line and the tests render
//! them to SVG. Every figure has a stable id, a title, a caption saying what to look at,
//! and a table with the numbers it shows.
//!
//! The figures are split by kind: `scatter` draws the data step, `loss` the training
//! curves, `bars` the weights, `boxes` the RMSE box plots; `layout` holds what they share
//! and [`palette`] the colours.

mod bars;
mod boxes;
mod layout;
mod loss;
pub mod palette;
mod scatter;

use std::fmt;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::config::ValidConfig;
use crate::experiment::{Method, MethodResult, ModelKind, TestSets, training_set};
use crate::rng::run_seed;
use crate::world::Dataset;

pub use loss::draw_live_loss;
pub use palette::method_colour;

/// The three datasets the data step plots: those of run 0 (the baseline's training set).
#[derive(Clone, Debug, PartialEq)]
pub struct DataSample {
    pub train: Dataset,
    pub iid: Dataset,
    pub ood: Dataset,
}

impl DataSample {
    /// The datasets of run 0 for these settings.
    pub fn new(config: &ValidConfig) -> DataSample {
        let seed = run_seed(config.seed, 0);
        let tests = TestSets::generate(config, seed);
        DataSample {
            train: training_set(config, Method::Baseline, seed),
            iid: tests.iid,
            ood: tests.ood,
        }
    }
}

/// What the figures are drawn from. A figure whose results are missing reports
/// [`ChartError::MissingResults`] instead of drawing something half-empty.
#[derive(Clone, Copy, Debug)]
pub struct ChartInput<'a> {
    pub config: &'a ValidConfig,
    pub data: Option<&'a DataSample>,
    pub results: &'a [MethodResult],
}

/// A figure of the lesson: its stable id (for links, file names and the command line),
/// a short title, and a caption telling the reader what to look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    pub id: &'static str,
    pub title: &'static str,
    pub caption: &'static str,
}

/// Every figure, in the order the lesson shows them.
pub const FIGURES: &[Figure] = &[
    Figure {
        id: "data",
        title: "The data: each feature against Y",
        caption: "Rows are the training set, the IID test set and the OOD test set; columns \
                  are X1, X2 and X3 against Y. X1 and X2 relate to Y the same way in every \
                  row, while the tight line of X3 tilts with the domain's s: in the OOD \
                  row it no longer says the same thing about Y.",
    },
    Figure {
        id: "baseline-loss",
        title: "Baseline: training loss",
        caption: "Training loss per epoch, one thin line per run and their mean in bold. It \
                  falls towards the dashed line, the least-squares loss on this training \
                  distribution: the baseline fits its training data well.",
    },
    Figure {
        id: "baseline-weights",
        title: "Baseline: true, learned and least-squares weights",
        caption: "The X3 bar towers over the true weight of 0, and the black least-squares \
                  tick sits higher still: the shortcut comes from the data, not from the \
                  optimiser. The weights of X1 and X2 and the bias shrink to make room for it.",
    },
    Figure {
        id: "baseline-rmse",
        title: "Baseline: RMSE on IID and OOD test data",
        caption: "On IID test data the baseline beats the causal model (dashed line at 1); \
                  on OOD test data, where s has changed, it falls behind it. Leaning on X3 \
                  only pays while the shortcut holds.",
    },
    Figure {
        id: "randomization-loss",
        title: "Domain randomization: training loss",
        caption: "Training loss on data pooled from many domains. It stays higher than the \
                  baseline's, because X3 no longer predicts Y the same way in every domain, \
                  and approaches the dashed least-squares loss.",
    },
    Figure {
        id: "randomization-weights",
        title: "Domain randomization: true, learned and least-squares weights",
        caption: "With training domains whose s varies, the X3 bar shrinks towards its true \
                  0 and the other weights and the bias grow back towards their true values. \
                  The black ticks show where more training would lead.",
    },
    Figure {
        id: "randomization-rmse",
        title: "Domain randomization: RMSE on IID and OOD test data",
        caption: "IID and OOD errors move close to each other and to the causal model's \
                  dashed line: the model no longer depends on the value of s.",
    },
    Figure {
        id: "augmentation-loss",
        title: "Data augmentation: training loss",
        caption: "Training loss with X3 replaced every epoch by values unrelated to Y. With \
                  the shortcut gone the loss cannot drop below the noise of Y, and it \
                  approaches the dashed least-squares loss.",
    },
    Figure {
        id: "augmentation-weights",
        title: "Data augmentation: true, learned and least-squares weights",
        caption: "Once X3 carries no information about Y, the learned weights and bias land \
                  on the grey true values, as the least-squares ticks predict.",
    },
    Figure {
        id: "augmentation-rmse",
        title: "Data augmentation: RMSE on IID and OOD test data",
        caption: "IID and OOD boxes both sit on the causal model's dashed line: a model that \
                  ignores X3 is not hurt when s shifts.",
    },
    Figure {
        id: "summary-box",
        title: "Every method: RMSE over runs",
        caption: "The linear model under every method on the same seeds, IID boxes filled \
                  and OOD boxes hatched. The baseline has the lowest IID error and the \
                  highest OOD error; the fixes give up an IID advantage that came from the \
                  shortcut, and in return hold up under the shift.",
    },
    Figure {
        id: "mlp-loss",
        title: "MLP: training loss of every method",
        caption: "Mean training loss per epoch of the MLP under each method. As with the \
                  linear model, the baseline reaches the lowest loss, because X3 is an easy \
                  shortcut in its training data.",
    },
    Figure {
        id: "mlp-box",
        title: "MLP: RMSE over runs",
        caption: "The same comparison with an MLP. Look at the spread of domain \
                  randomization's OOD box: a flexible model can still read the size of Y \
                  from the size of X3, and some seeds do.",
    },
    Figure {
        id: "mlp-effective-weights",
        title: "MLP: effective weights (mean input gradient)",
        caption: "The MLP has no single weight per feature, so its average input gradient \
                  stands in for one. The baseline MLP leans on X3 like the linear model; \
                  augmentation drives the X3 gradient to the true 0.",
    },
];

/// The figure with this id.
pub fn figure(id: &str) -> Option<&'static Figure> {
    FIGURES.iter().find(|f| f.id == id)
}

/// The size a figure reads best at, in pixels: the data grid needs more room than the
/// single charts.
pub fn default_size(id: &str) -> (u32, u32) {
    match id {
        "data" => (900, 600),
        _ => (720, 440),
    }
}

/// The smallest area a figure is drawn on; below it labels would overlap. A narrower
/// screen draws the figure at this size and shows it scaled down.
pub fn min_size(id: &str) -> (u32, u32) {
    match id {
        "data" => layout::MIN_GRID_SIZE,
        _ => layout::MIN_SIZE,
    }
}

/// Why a figure or its table could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChartError {
    /// No figure has this id.
    UnknownFigure(String),
    /// The figure needs results that the input does not have (not run yet, or stopped).
    MissingResults { figure: &'static str, needs: String },
    /// The drawing area is too small to hold the figure legibly.
    AreaTooSmall { size: (u32, u32), min: (u32, u32) },
    /// The backend failed, as text.
    Drawing(String),
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartError::UnknownFigure(id) => {
                let known: Vec<&str> = FIGURES.iter().map(|f| f.id).collect();
                write!(
                    f,
                    "unknown figure '{id}'; known figures are {}",
                    known.join(", ")
                )
            }
            ChartError::MissingResults { figure, needs } => {
                write!(
                    f,
                    "figure '{figure}' needs the {needs}, which have not been computed"
                )
            }
            ChartError::AreaTooSmall { size, min } => write!(
                f,
                "a {}×{} area is too small for a figure; the smallest is {}×{}",
                size.0, size.1, min.0, min.1
            ),
            ChartError::Drawing(message) => write!(f, "drawing failed: {message}"),
        }
    }
}

impl std::error::Error for ChartError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(error: DrawingAreaErrorKind<E>) -> Self {
        ChartError::Drawing(error.to_string())
    }
}

/// The numbers a figure shows, as text: for the page's accessible data table and for CSV
/// export. Every row has as many cells as there are columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV (RFC 4180: cells with commas, quotes or line breaks are quoted).
    pub fn to_csv(&self) -> String {
        let line = |cells: &[String]| {
            let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            quoted.join(",") + "\n"
        };
        let mut csv = line(&self.columns);
        for row in &self.rows {
            csv += &line(row);
        }
        csv
    }
}

fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

/// What a figure draws, read from its id.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Data,
    Loss(Method),
    Weights(Method),
    Rmse(Method),
    Boxes(ModelKind),
    MlpLoss,
    MlpWeights,
}

/// The (method, model) pairs whose results a figure shows, and whether it shows the data
/// sample: what a figure must be redrawn for. Unknown ids show nothing.
pub fn inputs_of(id: &str) -> (Vec<(Method, ModelKind)>, bool) {
    let all = |model| Method::ALL.iter().map(|&m| (m, model)).collect();
    match kind_of(id) {
        Ok((Kind::Data, _)) => (Vec::new(), true),
        Ok((Kind::Loss(m) | Kind::Weights(m) | Kind::Rmse(m), _)) => {
            (vec![(m, ModelKind::Linear)], false)
        }
        Ok((Kind::Boxes(model), _)) => (all(model), false),
        Ok((Kind::MlpLoss | Kind::MlpWeights, _)) => (all(ModelKind::Mlp), false),
        Err(_) => (Vec::new(), false),
    }
}

fn kind_of(id: &str) -> Result<(Kind, &'static Figure), ChartError> {
    let unknown = || ChartError::UnknownFigure(id.to_string());
    let figure = figure(id).ok_or_else(unknown)?;
    let kind = match id {
        "data" => Kind::Data,
        "summary-box" => Kind::Boxes(ModelKind::Linear),
        "mlp-box" => Kind::Boxes(ModelKind::Mlp),
        "mlp-loss" => Kind::MlpLoss,
        "mlp-effective-weights" => Kind::MlpWeights,
        _ => {
            let (method, what) = id.split_once('-').ok_or_else(unknown)?;
            let method = Method::parse(method).map_err(|_| unknown())?;
            match what {
                "loss" => Kind::Loss(method),
                "weights" => Kind::Weights(method),
                "rmse" => Kind::Rmse(method),
                _ => return Err(unknown()),
            }
        }
    };
    Ok((kind, figure))
}

/// The results of one method and model, with at least one run.
fn result_of<'a>(
    input: &ChartInput<'a>,
    figure: &'static Figure,
    method: Method,
    model: ModelKind,
) -> Result<&'a MethodResult, ChartError> {
    input
        .results
        .iter()
        .find(|r| r.method == method && r.model == model && !r.runs.is_empty())
        .ok_or_else(|| ChartError::MissingResults {
            figure: figure.id,
            needs: format!("{} results of {}", model.name(), method.name()),
        })
}

/// The results of every method present for one model, in the order of the methods; at
/// least one.
fn results_for<'a>(
    input: &ChartInput<'a>,
    figure: &'static Figure,
    model: ModelKind,
) -> Result<Vec<&'a MethodResult>, ChartError> {
    let mut found: Vec<&MethodResult> = Vec::new();
    for result in input.results {
        let usable = result.model == model && !result.runs.is_empty();
        if usable && found.iter().all(|r| r.method != result.method) {
            found.push(result);
        }
    }
    found.sort_by_key(|r| r.method);
    if found.is_empty() {
        return Err(ChartError::MissingResults {
            figure: figure.id,
            needs: format!("{} results of at least one method", model.name()),
        });
    }
    Ok(found)
}

fn data_of<'a>(
    input: &ChartInput<'a>,
    figure: &'static Figure,
) -> Result<&'a DataSample, ChartError> {
    input.data.ok_or_else(|| ChartError::MissingResults {
        figure: figure.id,
        needs: "data sample (training, IID and OOD sets)".to_string(),
    })
}

/// Draws the figure `id` from `input` on `area`, after filling it white.
///
/// Nothing is drawn when the figure is unknown, its results are missing or the area is
/// too small: 480×300 pixels for a chart, 600×400 for the data step's grid.
pub fn draw<DB: DrawingBackend>(
    id: &str,
    input: &ChartInput,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let (kind, figure) = kind_of(id)?;
    let size = area.dim_in_pixel();
    let min = min_size(id);
    if size.0 < min.0 || size.1 < min.1 {
        return Err(ChartError::AreaTooSmall { size, min });
    }
    match kind {
        Kind::Data => {
            let data = data_of(input, figure)?;
            area.fill(&WHITE)?;
            scatter::draw_data(area, figure, input.config, data)
        }
        Kind::Loss(method) => {
            let result = result_of(input, figure, method, ModelKind::Linear)?;
            area.fill(&WHITE)?;
            loss::draw_loss(area, figure, result)
        }
        Kind::MlpLoss => {
            let results = results_for(input, figure, ModelKind::Mlp)?;
            area.fill(&WHITE)?;
            loss::draw_mean_losses(area, figure, &results)
        }
        Kind::Weights(method) => {
            let result = result_of(input, figure, method, ModelKind::Linear)?;
            area.fill(&WHITE)?;
            bars::draw_weights(area, figure, result)
        }
        Kind::MlpWeights => {
            let results = results_for(input, figure, ModelKind::Mlp)?;
            area.fill(&WHITE)?;
            bars::draw_effective_weights(area, figure, &results)
        }
        Kind::Rmse(method) => {
            let result = result_of(input, figure, method, ModelKind::Linear)?;
            area.fill(&WHITE)?;
            boxes::draw_rmse(area, figure, input.config, result)
        }
        Kind::Boxes(model) => {
            let results = results_for(input, figure, model)?;
            area.fill(&WHITE)?;
            boxes::draw_summary(area, figure, input.config, &results)
        }
    }
}

/// Renders the figure `id` to an SVG document of `size` pixels.
pub fn render_svg(id: &str, input: &ChartInput, size: (u32, u32)) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(id, input, &root)?;
        root.present()?;
    }
    Ok(svg)
}

/// Whether the figure `id` can be drawn from `input`: the error [`draw`] and [`table`]
/// would give, found without drawing or building anything.
pub fn ready(id: &str, input: &ChartInput) -> Result<(), ChartError> {
    let (kind, figure) = kind_of(id)?;
    match kind {
        Kind::Data => data_of(input, figure).map(|_| ()),
        Kind::Loss(method) | Kind::Weights(method) | Kind::Rmse(method) => {
            result_of(input, figure, method, ModelKind::Linear).map(|_| ())
        }
        Kind::MlpLoss | Kind::MlpWeights => results_for(input, figure, ModelKind::Mlp).map(|_| ()),
        Kind::Boxes(model) => results_for(input, figure, model).map(|_| ()),
    }
}

/// The numbers the figure `id` shows, three decimals each.
pub fn table(id: &str, input: &ChartInput) -> Result<Table, ChartError> {
    let (kind, figure) = kind_of(id)?;
    Ok(match kind {
        Kind::Data => scatter::data_table(input.config, data_of(input, figure)?),
        Kind::Loss(method) => {
            loss::loss_table(result_of(input, figure, method, ModelKind::Linear)?)
        }
        Kind::MlpLoss => loss::mean_loss_table(&results_for(input, figure, ModelKind::Mlp)?),
        Kind::Weights(method) => {
            bars::weights_table(result_of(input, figure, method, ModelKind::Linear)?)
        }
        Kind::MlpWeights => {
            bars::effective_weights_table(&results_for(input, figure, ModelKind::Mlp)?)
        }
        Kind::Rmse(method) => boxes::rmse_table(
            input.config,
            &[result_of(input, figure, method, ModelKind::Linear)?],
        ),
        Kind::Boxes(model) => boxes::rmse_table(input.config, &results_for(input, figure, model)?),
    })
}
