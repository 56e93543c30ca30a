//! The page's state as a reducer: the settings on screen, the results that belong to
//! them, and the reader's predictions. Every action is a verb; the effects that talk to
//! the workers and the address bar live in the app component and follow this state.

use std::collections::BTreeMap;
use std::rc::Rc;

use yew::Reducible;

use super::canvas::Snapshot;
use super::protocol::{Job, Response};
use crate::charts::DataSample;
use crate::config::{Config, ValidConfig};
use crate::experiment::{Method, MethodResult, ModelKind, RunResult, relevant_settings};

/// The steps of the lesson that train something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Baseline,
    Randomization,
    Augmentation,
    Summary,
    Mlp,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Baseline,
        Step::Randomization,
        Step::Augmentation,
        Step::Summary,
        Step::Mlp,
    ];

    /// The (method, model) pairs whose runs the step shows.
    pub fn pairs(self) -> Vec<(Method, ModelKind)> {
        let linear = |m| vec![(m, ModelKind::Linear)];
        match self {
            Step::Baseline => linear(Method::Baseline),
            Step::Randomization => linear(Method::Randomization),
            Step::Augmentation => linear(Method::Augmentation),
            Step::Summary => Method::ALL
                .iter()
                .map(|&m| (m, ModelKind::Linear))
                .collect(),
            Step::Mlp => Method::ALL.iter().map(|&m| (m, ModelKind::Mlp)).collect(),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Step::Baseline => "baseline",
            Step::Randomization => "randomization",
            Step::Augmentation => "augmentation",
            Step::Summary => "summary",
            Step::Mlp => "mlp",
        }
    }
}

/// The runs of one (method, model) pair for the current settings.
#[derive(Clone, Debug, PartialEq)]
pub struct PairRuns {
    /// Identifies these settings; answers of workers for older ones are dropped.
    pub generation: u64,
    pub runs: Vec<Option<RunResult>>,
    /// The losses of the epochs finished so far, per run, while it trains.
    pub live: Vec<Vec<f64>>,
    pub error: Option<String>,
}

impl PairRuns {
    fn new(generation: u64, runs: usize) -> PairRuns {
        PairRuns {
            generation,
            runs: vec![None; runs],
            live: vec![Vec::new(); runs],
            error: None,
        }
    }

    pub fn done(&self) -> usize {
        self.runs.iter().filter(|r| r.is_some()).count()
    }

    pub fn complete(&self) -> bool {
        self.done() == self.runs.len()
    }

    /// The runs not yet finished.
    pub fn pending(&self) -> impl Iterator<Item = usize> + '_ {
        self.runs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_none())
            .map(|(i, _)| i)
    }
}

/// The whole state of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    pub config: ValidConfig,
    /// Problems found in the address, shown once at the top.
    pub notices: Vec<String>,
    /// The last setting a control could not apply, and why.
    pub control_error: Option<(String, String)>,
    /// Runs per requested pair; a pair that is absent has not been asked for.
    pub pairs: BTreeMap<(Method, ModelKind), PairRuns>,
    next_generation: u64,
    /// The reader's guesses, by question id.
    pub predictions: BTreeMap<String, String>,
    /// What the figures are drawn from.
    pub snapshot: Rc<Snapshot>,
}

/// The verbs of the page.
pub enum Action {
    /// Change one setting from a control.
    Set { key: String, value: String },
    /// Start the runs of a step that are not there yet.
    Train(Step),
    /// Stop the runs of a step and forget the unfinished ones.
    Cancel(Step),
    /// The answers of the workers since the last frame, in the order they came.
    Receive(Vec<Response>),
    /// Record the reader's guess for a question.
    Predict { question: String, answer: String },
    /// Back to the lesson's defaults.
    Reset,
}

impl Lesson {
    pub fn new(config: ValidConfig, notices: Vec<String>) -> Lesson {
        let snapshot = Rc::new(Snapshot {
            data: Some(Rc::new(DataSample::new(&config))),
            config: config.clone(),
            results: Vec::new(),
        });
        Lesson {
            config,
            notices,
            control_error: None,
            pairs: BTreeMap::new(),
            next_generation: 1,
            predictions: BTreeMap::new(),
            snapshot,
        }
    }

    /// The jobs that should be running or queued now, with their generation.
    pub fn wanted_jobs(&self) -> Vec<(u64, Job)> {
        // Run 0 of every pair first, then run 1, and so on, so that every figure gets its
        // first run early; the pool gives linear runs to its first worker and MLP runs to
        // the others.
        let mut jobs: Vec<(usize, u64, Job)> = self
            .pairs
            .iter()
            .filter(|(_, p)| p.error.is_none())
            .flat_map(|(&(method, model), p)| {
                p.pending().map(move |run| {
                    let job = Job { method, model, run };
                    (run, p.generation, job)
                })
            })
            .collect();
        jobs.sort_by_key(|&(run, _, job)| (run, job.model, job.method));
        jobs.into_iter().map(|(_, g, job)| (g, job)).collect()
    }

    /// Finished and total epochs of a step, for its progress bar.
    pub fn progress(&self, step: Step) -> (usize, usize) {
        let epochs = self.config.epochs;
        let mut done = 0;
        let mut total = 0;
        for pair in step.pairs() {
            total += self.config.runs * epochs;
            if let Some(p) = self.pairs.get(&pair) {
                done += p.done() * epochs;
                done += p
                    .runs
                    .iter()
                    .zip(&p.live)
                    .filter(|(r, _)| r.is_none())
                    .map(|(_, l)| l.len())
                    .sum::<usize>();
            }
        }
        (done, total)
    }

    /// Whether every pair of the step has all its runs.
    pub fn complete(&self, step: Step) -> bool {
        step.pairs()
            .iter()
            .all(|p| self.pairs.get(p).is_some_and(PairRuns::complete))
    }

    /// Whether any pair of the step is asked for and unfinished.
    pub fn running(&self, step: Step) -> bool {
        step.pairs().iter().any(|p| {
            self.pairs
                .get(p)
                .is_some_and(|r| !r.complete() && r.error.is_none())
        })
    }

    /// The first error of a step's runs.
    pub fn error(&self, step: Step) -> Option<String> {
        step.pairs()
            .iter()
            .find_map(|p| self.pairs.get(p)?.error.clone())
    }

    /// The finished runs of a pair, summarised.
    pub fn result(&self, method: Method, model: ModelKind) -> Option<MethodResult> {
        let pair = self.pairs.get(&(method, model))?;
        let runs: Vec<RunResult> = pair.runs.iter().flatten().cloned().collect();
        (!runs.is_empty()).then(|| MethodResult::new(method, model, runs))
    }

    fn request(&mut self, pair: (Method, ModelKind)) {
        let generation = self.next_generation;
        self.next_generation += 1;
        self.pairs
            .insert(pair, PairRuns::new(generation, self.config.runs));
    }

    fn refresh_snapshot(&mut self, data: Option<Rc<DataSample>>) {
        let results = self
            .pairs
            .keys()
            .filter_map(|&(method, model)| self.result(method, model))
            .collect();
        let data = data.or_else(|| self.snapshot.data.clone());
        self.snapshot = Rc::new(Snapshot {
            config: self.config.clone(),
            data,
            results,
        });
    }

    fn set(&mut self, key: &str, value: &str) {
        let mut config: Config = self.config.clone().into_inner();
        let checked = config.set(key, value).and_then(|()| config.validate());
        let new = match checked {
            Ok(new) => new,
            Err(error) => {
                self.control_error = Some((key.to_string(), error.to_string()));
                return;
            }
        };
        self.control_error = None;
        if new == self.config {
            return;
        }
        let old = std::mem::replace(&mut self.config, new);
        let stale: Vec<(Method, ModelKind)> = self
            .pairs
            .keys()
            .copied()
            .filter(|&(method, model)| {
                relevant_settings(&old, method, model)
                    != relevant_settings(&self.config, method, model)
            })
            .collect();
        // What was asked for is computed again for the new settings.
        for pair in stale {
            self.request(pair);
        }
        let data_changed = ["seed", "n_train", "n_test", "s_train", "s_ood", "noise"]
            .iter()
            .any(|k| old.get(k) != self.config.get(k));
        let data = data_changed.then(|| Rc::new(DataSample::new(&self.config)));
        self.refresh_snapshot(data);
    }

    fn receive(&mut self, response: Response) {
        let (generation, job) = match &response {
            Response::Ready => return,
            Response::Epochs {
                generation, job, ..
            }
            | Response::Done {
                generation, job, ..
            }
            | Response::Failed {
                generation, job, ..
            } => (*generation, *job),
        };
        let Some(pair) = self.pairs.get_mut(&(job.method, job.model)) else {
            return;
        };
        if pair.generation != generation || job.run >= pair.runs.len() {
            return;
        }
        match response {
            Response::Epochs { losses, .. } => pair.live[job.run].extend(losses),
            Response::Done { result, .. } => {
                pair.runs[job.run] = Some(*result);
                pair.live[job.run].clear();
                self.refresh_snapshot(None);
            }
            Response::Failed { message, .. } => pair.error = Some(message),
            Response::Ready => {}
        }
    }
}

impl Reducible for Lesson {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Set { key, value } => next.set(&key, &value),
            Action::Train(step) => {
                for pair in step.pairs() {
                    let fresh = next.pairs.get(&pair).is_none_or(|p| p.error.is_some());
                    if fresh {
                        next.request(pair);
                    }
                }
            }
            Action::Cancel(step) => {
                for pair in step.pairs() {
                    if next.pairs.get(&pair).is_some_and(|p| !p.complete()) {
                        next.pairs.remove(&pair);
                    }
                }
                next.refresh_snapshot(None);
            }
            Action::Receive(responses) => {
                for response in responses {
                    next.receive(response);
                }
            }
            Action::Predict { question, answer } => {
                next.predictions.insert(question, answer);
            }
            Action::Reset => {
                let requested: Vec<_> = next.pairs.keys().copied().collect();
                let mut fresh = Lesson::new(ValidConfig::default(), Vec::new());
                fresh.predictions = next.predictions.clone();
                fresh.next_generation = next.next_generation;
                for pair in requested {
                    fresh.request(pair);
                }
                next = fresh;
            }
        }
        Rc::new(next)
    }
}
