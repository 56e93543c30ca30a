//! Independent runs spread over native threads. Every run is seeded on its own, so the
//! results are the same whatever the number of threads and whatever order they finish in.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::ValidConfig;
use crate::experiment::{Method, MethodResult, ModelKind, RunResult, run_one};
use crate::train::Monitor;

/// Counts finished epochs for a progress display; called from any thread.
pub trait EpochCounter: Sync {
    fn epoch_done(&self);
}

/// A counter that counts nothing.
impl EpochCounter for () {
    fn epoch_done(&self) {}
}

struct Forward<'a>(&'a dyn EpochCounter);

impl Monitor for Forward<'_> {
    fn epoch_done(&mut self, _epoch: usize, _loss: f64) {
        self.0.epoch_done();
    }
}

/// Runs every run of each (method, model) pair on up to `threads` threads and returns
/// one [`MethodResult`] per pair, in the order given.
pub fn run_pairs(
    config: &ValidConfig,
    pairs: &[(Method, ModelKind)],
    threads: usize,
    counter: &dyn EpochCounter,
) -> Vec<MethodResult> {
    let mut jobs: Vec<(usize, usize)> = (0..pairs.len())
        .flat_map(|p| (0..config.runs).map(move |r| (p, r)))
        .collect();
    // The MLP's runs take far longer than the linear model's: start them first so that
    // no thread is left with a long run at the end.
    jobs.sort_by_key(|&(p, r)| (pairs[p].1 != ModelKind::Mlp, r, p));
    let slots: Vec<Mutex<Option<RunResult>>> = (0..jobs.len()).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let worker = || {
        let mut monitor = Forward(counter);
        loop {
            let j = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(p, r)) = jobs.get(j) else { break };
            let (method, model) = pairs[p];
            let result = run_one(config, method, model, r, &mut monitor)
                .expect("a monitor that never stops cannot stop a run");
            *slots[j].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(worker);
        }
        worker();
    });

    let mut runs: Vec<Vec<Option<RunResult>>> =
        pairs.iter().map(|_| vec![None; config.runs]).collect();
    for (slot, &(p, r)) in slots.into_iter().zip(&jobs) {
        runs[p][r] = slot.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    pairs
        .iter()
        .zip(runs)
        .map(|(&(method, model), runs)| {
            let runs = runs
                .into_iter()
                .map(|r| r.expect("every job ran"))
                .collect();
            MethodResult::new(method, model, runs)
        })
        .collect()
}

/// The number of threads worth using here.
pub fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
