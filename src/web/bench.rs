//! The page's benchmark mode (`?bench=1`): times the pieces of the lesson in the real wasm
//! build, in the same workers the lesson uses, with User Timing marks
//! (`performance.measure`, names starting `spurious-lab:`) so that browser tools see them
//! too. The results are shown in a table and returned by `window.spuriousLab.bench()`.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use yew::Callback;

use super::now;
use super::pool::WorkerPool;
use super::protocol::{Job, Response};
use crate::charts::DataSample;
use crate::config::ValidConfig;
use crate::experiment::{Method, ModelKind};
use crate::flops::{lesson_flops, workload};

/// One timed piece, in milliseconds.
#[derive(Clone, Debug, Serialize)]
struct Timing {
    name: &'static str,
    repetitions: usize,
    median: f64,
    min: f64,
    max: f64,
    flops: Option<f64>,
    gflops: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
struct Report {
    workers: usize,
    /// The number type training computes in.
    precision: &'static str,
    /// "ms" for every timing here.
    unit: &'static str,
    timings: Vec<Timing>,
}

/// Marks the start of a piece for the User Timing API.
fn mark_start(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(&format!("spurious-lab:{name}:start"));
    }
}

/// Measures a piece from its start mark to now, as `spurious-lab:NAME`.
fn measure(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let start = format!("spurious-lab:{name}:start");
        let _ = performance.measure_with_start_mark(&format!("spurious-lab:{name}"), &start);
    }
}

fn summarise(name: &'static str, mut ms: Vec<f64>, flops: Option<f64>) -> Timing {
    ms.sort_by(f64::total_cmp);
    let median = crate::stats::quantile_sorted(&ms, 0.5);
    Timing {
        name,
        repetitions: ms.len(),
        median,
        min: ms.first().copied().unwrap_or(f64::NAN),
        max: ms.last().copied().unwrap_or(f64::NAN),
        flops,
        gflops: flops.map(|f| f / (median / 1000.0) / 1e9),
    }
}

/// The pieces timed in workers, one after the other.
#[derive(Clone, Copy)]
enum Piece {
    Linear,
    Mlp,
    Lesson,
}

struct State {
    config: ValidConfig,
    pool: Option<WorkerPool>,
    /// Pieces still to time, with their repetitions left.
    plan: Vec<(Piece, usize)>,
    started: f64,
    waiting: usize,
    times: Vec<(Piece, f64)>,
    timings: Vec<Timing>,
    workers: usize,
    on_done: Box<dyn Fn(String)>,
}

thread_local! {
    static RESULT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Starts the benchmark; `on_done` gets the report as JSON.
pub fn start(workers: usize, on_done: impl Fn(String) + 'static) {
    let config = ValidConfig::default();
    let mut data_ms = Vec::new();
    for _ in 0..10 {
        mark_start("data");
        let start = now();
        std::hint::black_box(DataSample::new(&config));
        measure("data");
        data_ms.push(now() - start);
    }
    let state = Rc::new(RefCell::new(State {
        config,
        pool: None,
        plan: vec![(Piece::Linear, 5), (Piece::Mlp, 3), (Piece::Lesson, 2)],
        started: 0.0,
        waiting: 0,
        times: Vec::new(),
        timings: vec![summarise(
            "data generation (train, IID, OOD)",
            data_ms,
            None,
        )],
        workers,
        on_done: Box::new(on_done),
    }));
    // The pool's callback keeps the state alive while the benchmark runs; the cycle ends
    // when the last piece drops the pool.
    let held = state.clone();
    let pool = WorkerPool::new(
        workers,
        Callback::from(move |response: Response| receive(&held, response)),
    );
    state.borrow_mut().pool = Some(pool);
}

fn jobs(piece: Piece, config: &ValidConfig) -> Vec<Job> {
    match piece {
        Piece::Linear => vec![Job {
            method: Method::Baseline,
            model: ModelKind::Linear,
            run: 0,
        }],
        Piece::Mlp => vec![Job {
            method: Method::Baseline,
            model: ModelKind::Mlp,
            run: 0,
        }],
        Piece::Lesson => {
            let mut all = Vec::new();
            for run in 0..config.runs {
                for model in [ModelKind::Mlp, ModelKind::Linear] {
                    for method in Method::ALL {
                        all.push(Job { method, model, run });
                    }
                }
            }
            all
        }
    }
}

fn receive(state: &Rc<RefCell<State>>, response: Response) {
    let ready = matches!(response, Response::Ready);
    let finished = matches!(response, Response::Done { .. } | Response::Failed { .. });
    let mut s = state.borrow_mut();
    if ready {
        // Start once every worker has loaded, so that loading is not timed.
        s.waiting += 1;
        if s.waiting == s.workers {
            s.waiting = 0;
            drop(s);
            next(state);
        }
        return;
    }
    if !finished {
        return;
    }
    s.waiting = s.waiting.saturating_sub(1);
    if s.waiting > 0 {
        return;
    }
    let (piece, _) = s.plan[0];
    let elapsed = now() - s.started;
    measure(name_of(piece));
    s.times.push((piece, elapsed));
    s.plan[0].1 -= 1;
    if s.plan[0].1 == 0 {
        let config = s.config.clone();
        let times: Vec<f64> = s.times.drain(..).map(|t| t.1).collect();
        let flops = Some(match piece {
            Piece::Linear => workload(&config, ModelKind::Linear).per_run,
            Piece::Mlp => workload(&config, ModelKind::Mlp).per_run,
            Piece::Lesson => {
                let pairs: Vec<_> = ModelKind::ALL
                    .iter()
                    .flat_map(|&m| Method::ALL.iter().map(move |&x| (x, m)))
                    .collect();
                lesson_flops(&config, &pairs)
            }
        });
        s.timings.push(summarise(name_of(piece), times, flops));
        s.plan.remove(0);
    }
    drop(s);
    next(state);
}

fn name_of(piece: Piece) -> &'static str {
    match piece {
        Piece::Linear => "one linear run (baseline)",
        Piece::Mlp => "one MLP run (baseline)",
        Piece::Lesson => "whole lesson",
    }
}

fn next(state: &Rc<RefCell<State>>) {
    let mut s = state.borrow_mut();
    let Some(&(piece, _)) = s.plan.first() else {
        let report = Report {
            workers: s.workers,
            precision: crate::network::PRECISION,
            unit: "ms",
            timings: s.timings.clone(),
        };
        let json = super::to_json(&report);
        RESULT.with(|r| *r.borrow_mut() = Some(json.clone()));
        s.pool = None;
        (s.on_done)(json);
        return;
    };
    let jobs = jobs(piece, &s.config);
    s.waiting = jobs.len();
    mark_start(name_of(piece));
    s.started = now();
    let pool = s.pool.clone();
    let config = s.config.clone().into_inner();
    drop(s);
    if let Some(pool) = pool {
        pool.submit(&config, jobs.into_iter().map(|job| (0, job)));
    }
}

/// Defines `window.spuriousLab.bench()`, the report as JSON once it is done, else null.
pub fn expose() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(api) = js_sys::Reflect::get(&window, &"spuriousLab".into()) else {
        return;
    };
    let bench = Closure::<dyn Fn() -> JsValue>::new(|| {
        RESULT.with(|r| r.borrow().clone().map_or(JsValue::NULL, JsValue::from))
    });
    let _ = js_sys::Reflect::set(&api, &"bench".into(), bench.as_ref());
    // The function stays defined for the life of the page.
    bench.forget();
}
