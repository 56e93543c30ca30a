//! Messages between the page and its training workers. They cross `postMessage` as plain
//! JavaScript objects (through `serde-wasm-bindgen`), which keeps every f64 exact, NaN
//! included, and every 64-bit integer too: those are `BigInt`s, since a seed may be any
//! u64 and a JavaScript number holds integers exactly only up to 2^53.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

use crate::config::Config;
use crate::experiment::{Method, ModelKind, RunResult};

/// The least time between two progress messages of a worker, in milliseconds: often
/// enough for a smooth live curve, rarely enough that the page redraws little. The first
/// epoch of a run is always reported at once.
pub const PROGRESS_INTERVAL_MS: f64 = 40.0;

/// One training run to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Job {
    pub method: Method,
    pub model: ModelKind,
    pub run: usize,
}

/// What the page tells a worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Train this job after those already given.
    Train(Request),
    /// Drop this job, waiting or under way. It gets no answer; the worker goes on with its
    /// next job within a slice of [`SLICE_MS`].
    Cancel { generation: u64, job: Job },
}

/// How long a worker trains before it reads its messages again, in milliseconds: the
/// longest a cancelled job keeps a core, at the cost of a few hundredths of a millisecond
/// per slice.
pub const SLICE_MS: f64 = 10.0;

/// A job to train.
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
    /// Epochs of a job have finished: `losses` holds the mean loss of each epoch since
    /// the last such message, in order. (A worker sends at most one every
    /// [`PROGRESS_INTERVAL_MS`], so that quick runs do not flood the page.)
    Epochs {
        generation: u64,
        job: Job,
        losses: Vec<f64>,
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

/// A message as the JavaScript value `postMessage` carries.
pub fn encode(message: &impl Serialize) -> Result<JsValue, serde_wasm_bindgen::Error> {
    let serializer =
        serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    message.serialize(&serializer)
}

/// A message back from the value [`encode`] made of it.
pub fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, serde_wasm_bindgen::Error> {
    serde_wasm_bindgen::from_value(value)
}
