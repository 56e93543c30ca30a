//! The experiments of the lesson: each method trains each model on R runs seeded
//! `seed + r`, with the same seeds for every method so that comparisons are paired, and is
//! scored by RMSE on the IID test set (the training domain's s) and the OOD test set.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::{Config, ValidConfig};
use crate::network::Network;
use crate::rng::{LabRng, Stream, run_seed};
use crate::stats::{Summary, rmse};
use crate::theory::{LinearParams, Moments};
use crate::train::{Advance, Augmentation, Monitor, Schedule, Stopped, TrainRngs, Training};
use crate::world::Dataset;

/// How the training data is made robust to the spurious feature, if at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// One training domain, as collected.
    Baseline,
    /// Training data pooled from domains whose spurious factor varies.
    Randomization,
    /// X3 replaced on the fly by values independent of Y.
    Augmentation,
}

impl Method {
    pub const ALL: [Method; 3] = [
        Method::Baseline,
        Method::Randomization,
        Method::Augmentation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Baseline => "baseline",
            Method::Randomization => "randomization",
            Method::Augmentation => "augmentation",
        }
    }

    /// A name for readers, for legends and tables.
    pub fn title(self) -> &'static str {
        match self {
            Method::Baseline => "Baseline",
            Method::Randomization => "Domain randomization",
            Method::Augmentation => "Data augmentation",
        }
    }

    /// Reads a method from its name.
    pub fn parse(name: &str) -> Result<Method, UnknownName> {
        Method::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| UnknownName::new("method", name, Method::ALL.map(Method::name)))
    }
}

/// The model a method trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Linear regression, 3 → 1.
    Linear,
    /// A ReLU network with the configured hidden widths.
    Mlp,
}

impl ModelKind {
    pub const ALL: [ModelKind; 2] = [ModelKind::Linear, ModelKind::Mlp];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear",
            ModelKind::Mlp => "mlp",
        }
    }

    pub fn parse(name: &str) -> Result<ModelKind, UnknownName> {
        ModelKind::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| UnknownName::new("model", name, ModelKind::ALL.map(ModelKind::name)))
    }
}

/// A name that is not one of the allowed ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName {
    pub what: &'static str,
    pub name: String,
    pub allowed: Vec<&'static str>,
}

impl UnknownName {
    fn new<const N: usize>(what: &'static str, name: &str, allowed: [&'static str; N]) -> Self {
        UnknownName {
            what,
            name: name.to_string(),
            allowed: allowed.to_vec(),
        }
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} '{}'; allowed are {}",
            self.what,
            self.name,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownName {}

/// The two test sets of one run. They depend on the run's seed only, never on the method.
#[derive(Clone, Debug, PartialEq)]
pub struct TestSets {
    /// Drawn from the training domain, s = `s_train`.
    pub iid: Dataset,
    /// Drawn from the shifted domain, s = `s_ood`.
    pub ood: Dataset,
}

impl TestSets {
    pub fn generate(config: &ValidConfig, seed: u64) -> TestSets {
        let mut iid_rng = LabRng::new(seed, Stream::IidData);
        let mut ood_rng = LabRng::new(seed, Stream::OodData);
        TestSets {
            iid: Dataset::generate(config.n_test, &[config.s_train], config.noise, &mut iid_rng),
            ood: Dataset::generate(config.n_test, &[config.s_ood], config.noise, &mut ood_rng),
        }
    }
}

/// The spurious factors of the training domains a method uses in the run with this seed.
pub fn training_factors(config: &ValidConfig, method: Method, seed: u64) -> Vec<f64> {
    match method {
        Method::Baseline | Method::Augmentation => vec![config.s_train],
        Method::Randomization => {
            let mut rng = LabRng::new(seed, Stream::Domains);
            (0..config.domains)
                .map(|_| rng.uniform_in(config.s_min, config.s_max))
                .collect()
        }
    }
}

/// The training set a method uses in the run with this seed. Every method draws the
/// causes and noises from the same stream, so only X3 differs between them.
pub fn training_set(config: &ValidConfig, method: Method, seed: u64) -> Dataset {
    let factors = training_factors(config, method, seed);
    let mut rng = LabRng::new(seed, Stream::TrainData);
    Dataset::generate(config.n_train, &factors, config.noise, &mut rng)
}

fn augmentation_of(config: &ValidConfig, method: Method) -> Option<Augmentation> {
    (method == Method::Augmentation).then_some(Augmentation {
        kind: config.augment,
        fraction: config.augment_p,
    })
}

/// The least-squares linear model a method's training aims at, over the population and
/// over the run's own training sample. `None` where the features are linearly dependent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeastSquares {
    pub population: Option<LinearParams>,
    pub sample: Option<LinearParams>,
    /// The training loss of the population optimum: the lowest loss a linear model can
    /// reach on this training distribution.
    pub population_loss: Option<f64>,
}

impl LeastSquares {
    fn of(config: &ValidConfig, method: Method, data: &Dataset) -> LeastSquares {
        let (population, sample) = match augmentation_of(config, method) {
            Some(aug) => (
                Moments::augmented_domain(config.s_train, config.noise, aug.fraction),
                Moments::sample_augmented(data, aug.fraction),
            ),
            None => (
                Moments::pooled(&data.spurious_factors, config.noise),
                Moments::sample(data),
            ),
        };
        let optimum = population.optimum();
        LeastSquares {
            population: optimum,
            sample: sample.optimum(),
            population_loss: optimum.map(|o| population.risk(&o)),
        }
    }
}

/// The outcome of one training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub seed: u64,
    pub rmse_iid: f64,
    pub rmse_ood: f64,
    /// The learned weights of the linear model, or the MLP's effective weights: its mean
    /// input gradient over the IID test set.
    pub weights: [f64; 3],
    /// The learned bias of the linear model; `None` for the MLP.
    pub bias: Option<f64>,
    /// Mean training loss of each epoch.
    pub loss: Vec<f64>,
    /// Spurious factors of the training domains.
    pub training_factors: Vec<f64>,
    /// The least-squares optimum for this run's training data.
    pub least_squares: LeastSquares,
}

/// One training run in progress: its data, its network and where its training is. A Web
/// Worker advances it a slice at a time, reading its messages in between; [`run_one`] does
/// it in one go. Either way gives the same bits.
pub struct Run {
    seed: u64,
    data: Dataset,
    tests: TestSets,
    net: Network,
    training: Training,
    least_squares: LeastSquares,
}

impl Run {
    /// Draws the data and the initial network of run `run` of `method` with `model`.
    pub fn start(config: &ValidConfig, method: Method, model: ModelKind, run: usize) -> Run {
        let seed = run_seed(config.seed, run);
        let data = training_set(config, method, seed);
        let tests = TestSets::generate(config, seed);
        let mut init_rng = LabRng::new(seed, Stream::Init);
        let net = match model {
            ModelKind::Linear => Network::linear(&mut init_rng),
            ModelKind::Mlp => Network::new(&config.hidden, &mut init_rng),
        };
        let training = Training::new(
            &net,
            &data,
            &Schedule::of(config),
            augmentation_of(config, method),
            TrainRngs {
                shuffle: LabRng::new(seed, Stream::Shuffle),
                augment: LabRng::new(seed, Stream::Augment),
            },
        );
        let least_squares = LeastSquares::of(config, method, &data);
        Run {
            seed,
            data,
            tests,
            net,
            training,
            least_squares,
        }
    }

    /// Trains until the run is done or `monitor` asks for a pause or a stop.
    pub fn advance(&mut self, monitor: &mut dyn Monitor) -> Result<Advance, Stopped> {
        self.training.advance(&mut self.net, &self.data, monitor)
    }

    /// Scores the trained network; meant for after [`Run::advance`] has returned
    /// [`Advance::Finished`].
    pub fn finish(self) -> RunResult {
        let net = &self.net;
        let score =
            |set: &Dataset| rmse(&net.predict(set.x.view()), set.y.as_slice().unwrap_or(&[]));
        let (weights, bias) = match net.linear_params() {
            Some(params) => (params.weights, Some(params.bias)),
            None => (net.mean_input_gradient(self.tests.iid.x.view()), None),
        };
        RunResult {
            seed: self.seed,
            rmse_iid: score(&self.tests.iid),
            rmse_ood: score(&self.tests.ood),
            weights,
            bias,
            loss: self.training.losses().to_vec(),
            training_factors: self.data.spurious_factors.clone(),
            least_squares: self.least_squares,
        }
    }
}

/// Trains one model with one method on the run with index `run`.
pub fn run_one(
    config: &ValidConfig,
    method: Method,
    model: ModelKind,
    run: usize,
    monitor: &mut dyn Monitor,
) -> Result<RunResult, Stopped> {
    let mut run = Run::start(config, method, model, run);
    while run.advance(monitor)? == Advance::Paused {}
    Ok(run.finish())
}

/// All runs of one method and model, with their summaries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodResult {
    pub method: Method,
    pub model: ModelKind,
    pub runs: Vec<RunResult>,
    pub rmse_iid: Summary,
    pub rmse_ood: Summary,
}

impl MethodResult {
    /// Summarises finished runs.
    pub fn new(method: Method, model: ModelKind, runs: Vec<RunResult>) -> MethodResult {
        let iid: Vec<f64> = runs.iter().map(|r| r.rmse_iid).collect();
        let ood: Vec<f64> = runs.iter().map(|r| r.rmse_ood).collect();
        MethodResult {
            method,
            model,
            rmse_iid: Summary::of(&iid),
            rmse_ood: Summary::of(&ood),
            runs,
        }
    }

    /// The mean over runs of each weight and of the bias (`None` for the MLP).
    pub fn mean_params(&self) -> ([f64; 3], Option<f64>) {
        let n = self.runs.len() as f64;
        let mut weights = [0.0; 3];
        for run in &self.runs {
            for (w, r) in weights.iter_mut().zip(run.weights) {
                *w += r / n;
            }
        }
        let bias: Option<Vec<f64>> = self.runs.iter().map(|r| r.bias).collect();
        (weights, bias.map(|b| b.iter().sum::<f64>() / n))
    }
}

/// Runs every run of one method and model, one after the other.
pub fn run_method(
    config: &ValidConfig,
    method: Method,
    model: ModelKind,
    monitor: &mut dyn Monitor,
) -> Result<MethodResult, Stopped> {
    let runs = (0..config.runs)
        .map(|run| run_one(config, method, model, run, monitor))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MethodResult::new(method, model, runs))
}

/// The settings that a method and model's results depend on: `config` with every other
/// setting put back to its default. Two configurations with equal relevant settings give
/// the same results for that pair, so the page keeps them when an unrelated control moves.
pub fn relevant_settings(config: &Config, method: Method, model: ModelKind) -> Config {
    let defaults = Config::default();
    let mut relevant = config.clone();
    if method != Method::Randomization {
        relevant.domains = defaults.domains;
        relevant.s_min = defaults.s_min;
        relevant.s_max = defaults.s_max;
    }
    if method != Method::Augmentation {
        relevant.augment = defaults.augment;
        relevant.augment_p = defaults.augment_p;
    }
    if model != ModelKind::Mlp {
        relevant.hidden = defaults.hidden;
    }
    relevant
}

/// The JSON document of `lab run --json`, of `results.json` and of the page's results
/// download: the settings and every result.
#[derive(Serialize)]
pub struct Report<'a> {
    pub config: &'a ValidConfig,
    pub results: &'a [MethodResult],
}
