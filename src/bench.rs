//! `lab bench`: wall-clock timings of the pieces of the lesson, repeated, with their
//! median and spread, and the throughput they imply against the counted workload.

use std::time::Instant;

use serde::Serialize;

use crate::config::ValidConfig;
use crate::experiment::{Method, ModelKind, TestSets, run_one, training_set};
use crate::flops::{lesson_flops, workload};
use crate::parallel::run_pairs;

/// Timings of one piece, in seconds.
#[derive(Clone, Debug, Serialize)]
pub struct Timing {
    pub name: &'static str,
    pub repetitions: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Counted floating-point operations of one repetition, where they are counted.
    pub flops: Option<f64>,
    /// `flops / median`, in GFLOP/s.
    pub gflops: Option<f64>,
}

fn time(
    name: &'static str,
    repetitions: usize,
    flops: Option<f64>,
    mut work: impl FnMut(),
) -> Timing {
    let mut seconds: Vec<f64> = (0..repetitions.max(1))
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64()
        })
        .collect();
    seconds.sort_by(f64::total_cmp);
    let median = crate::stats::quantile_sorted(&seconds, 0.5);
    Timing {
        name,
        repetitions: seconds.len(),
        median,
        min: seconds[0],
        max: seconds[seconds.len() - 1],
        flops,
        gflops: flops.map(|f| f / median / 1e9),
    }
}

/// The benchmark report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub threads: usize,
    /// The number type training computes in: "f32", or "f64" with the `f64` feature.
    pub precision: &'static str,
    pub timings: Vec<Timing>,
}

/// Times data generation, one linear run, one MLP run and the whole lesson.
pub fn run(config: &ValidConfig, repetitions: usize, threads: usize) -> Report {
    let seed = config.seed;
    let pairs: Vec<(Method, ModelKind)> = ModelKind::ALL
        .iter()
        .flat_map(|&model| Method::ALL.iter().map(move |&method| (method, model)))
        .collect();
    let linear = workload(config, ModelKind::Linear).per_run;
    let mlp = workload(config, ModelKind::Mlp).per_run;
    let timings = vec![
        time(
            "data generation (train, IID, OOD)",
            repetitions * 4,
            None,
            || {
                std::hint::black_box(training_set(config, Method::Baseline, seed));
                std::hint::black_box(TestSets::generate(config, seed));
            },
        ),
        time(
            "one linear run (baseline)",
            repetitions * 4,
            Some(linear),
            || {
                std::hint::black_box(run_one(
                    config,
                    Method::Baseline,
                    ModelKind::Linear,
                    0,
                    &mut (),
                ))
                .ok();
            },
        ),
        time("one MLP run (baseline)", repetitions, Some(mlp), || {
            std::hint::black_box(run_one(
                config,
                Method::Baseline,
                ModelKind::Mlp,
                0,
                &mut (),
            ))
            .ok();
        }),
        time(
            "whole lesson",
            repetitions.div_ceil(2),
            Some(lesson_flops(config, &pairs)),
            || {
                std::hint::black_box(run_pairs(config, &pairs, threads, &()));
            },
        ),
    ];
    Report {
        threads,
        precision: crate::network::PRECISION,
        timings,
    }
}
