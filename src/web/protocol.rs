//! Messages between the page and its training workers. They cross `postMessage` as plain
//! JavaScript objects (through `serde-wasm-bindgen`), which keeps every f64 exact, NaN
//! included.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::experiment::{Method, ModelKind, RunResult};

/// One training run to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Job {
    pub method: Method,
    pub model: ModelKind,
    pub run: usize,
}

/// What the page asks a worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Request {
    /// Which set of settings the job belongs to; answers for an older one are dropped.
    pub generation: u64,
    pub config: Config,
    pub job: Job,
}

/// What a worker answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Response {
    /// The worker's module has loaded and it takes jobs.
    Ready,
    /// An epoch of a job has finished.
    Epoch {
        generation: u64,
        job: Job,
        epoch: usize,
        loss: f64,
    },
    /// A job has finished.
    Done {
        generation: u64,
        job: Job,
        result: Box<RunResult>,
    },
    /// A job could not be done; the text says why.
    Failed {
        generation: u64,
        job: Job,
        message: String,
    },
}
