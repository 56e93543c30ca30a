//! A pool of training workers. Jobs wait in a queue and go to whichever worker is free,
//! first run first, so the first result of a step arrives as early as possible and the
//! figures refine as the rest stream in. A job is cancelled by terminating its worker and
//! starting a fresh one in its place.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};
use yew::Callback;

use super::protocol::{Job, Request, Response};
use crate::config::Config;
use crate::experiment::ModelKind;

/// The script Trunk writes to load the worker's wasm module.
const WORKER_SCRIPT: &str = "./worker_loader.js";

struct Queued {
    generation: u64,
    config: Config,
    job: Job,
}

struct Slot {
    worker: Worker,
    ready: bool,
    busy: Option<(u64, Job)>,
    /// Keeps the message handler alive as long as the worker.
    _on_message: Closure<dyn Fn(MessageEvent)>,
}

struct Inner {
    slots: Vec<Option<Slot>>,
    queue: VecDeque<Queued>,
    on_response: Callback<Response>,
    /// Set when a worker could not be started, for the page to show.
    failure: Option<String>,
}

/// A set of Web Workers that train runs; cheap to clone, all clones share the workers.
#[derive(Clone)]
pub struct WorkerPool {
    inner: Rc<RefCell<Inner>>,
}

impl PartialEq for WorkerPool {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl WorkerPool {
    /// Starts `size` workers; every answer of theirs is passed to `on_response`.
    pub fn new(size: usize, on_response: Callback<Response>) -> WorkerPool {
        let inner = Rc::new(RefCell::new(Inner {
            slots: (0..size.max(1)).map(|_| None).collect(),
            queue: VecDeque::new(),
            on_response,
            failure: None,
        }));
        for index in 0..size.max(1) {
            start_worker(&inner, index);
        }
        WorkerPool { inner }
    }

    /// Why workers could not be started, if they could not.
    pub fn failure(&self) -> Option<String> {
        self.inner.borrow().failure.clone()
    }

    /// Queues jobs behind those already waiting, and starts what can start.
    pub fn submit(&self, generation: u64, config: &Config, jobs: impl IntoIterator<Item = Job>) {
        {
            let mut inner = self.inner.borrow_mut();
            for job in jobs {
                inner.queue.push_back(Queued {
                    generation,
                    config: config.clone(),
                    job,
                });
            }
        }
        dispatch(&self.inner);
    }

    /// Drops the queued jobs for which `cancel(generation, job)` is true and stops those
    /// running.
    pub fn cancel(&self, cancel: impl Fn(u64, &Job) -> bool) {
        let stale: Vec<usize> = {
            let mut inner = self.inner.borrow_mut();
            inner.queue.retain(|q| !cancel(q.generation, &q.job));
            inner
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, slot)| {
                    let (generation, job) = slot.as_ref()?.busy?;
                    cancel(generation, &job).then_some(i)
                })
                .collect()
        };
        for index in stale {
            let old = self.inner.borrow_mut().slots[index].take();
            if let Some(slot) = old {
                slot.worker.terminate();
            }
            start_worker(&self.inner, index);
        }
        dispatch(&self.inner);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        for slot in self.slots.iter().flatten() {
            slot.worker.terminate();
        }
    }
}

fn start_worker(inner: &Rc<RefCell<Inner>>, index: usize) {
    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(inner) = weak.upgrade() else { return };
        let Ok(response) = serde_wasm_bindgen::from_value::<Response>(event.data()) else {
            return;
        };
        let finished = matches!(response, Response::Done { .. } | Response::Failed { .. });
        let on_response = {
            let mut state = inner.borrow_mut();
            if let Some(slot) = state.slots[index].as_mut() {
                if matches!(response, Response::Ready) {
                    slot.ready = true;
                }
                if finished {
                    slot.busy = None;
                }
            }
            state.on_response.clone()
        };
        if matches!(response, Response::Ready) || finished {
            dispatch(&inner);
        }
        on_response.emit(response);
    });
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Classic);
    match Worker::new_with_options(WORKER_SCRIPT, &options) {
        Ok(worker) => {
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            inner.borrow_mut().slots[index] = Some(Slot {
                worker,
                ready: false,
                busy: None,
                _on_message: on_message,
            });
        }
        Err(error) => {
            let text = error.as_string().unwrap_or_else(|| format!("{error:?}"));
            inner.borrow_mut().failure = Some(format!("the training worker did not start: {text}"));
        }
    }
}

/// Hands queued jobs to ready, idle workers. The first worker takes linear runs first
/// (milliseconds each) and the others MLP runs (hundreds of milliseconds), each falling
/// back on the other kind when its own is done: a change of settings then redraws the
/// linear steps at once while the MLP's first runs are already under way.
fn dispatch(inner: &Rc<RefCell<Inner>>) {
    let mut state = inner.borrow_mut();
    let Inner { slots, queue, .. } = &mut *state;
    for (index, slot) in slots.iter_mut().enumerate() {
        let Some(slot) = slot.as_mut() else { continue };
        if !slot.ready || slot.busy.is_some() {
            continue;
        }
        let wants_linear = index == 0;
        let preferred = queue
            .iter()
            .position(|q| (q.job.model == ModelKind::Linear) == wants_linear);
        let Some(next) = preferred
            .or((!queue.is_empty()).then_some(0))
            .and_then(|i| queue.remove(i))
        else {
            break;
        };
        let request = Request {
            generation: next.generation,
            config: next.config,
            job: next.job,
        };
        if let Ok(value) = serde_wasm_bindgen::to_value(&request) {
            if slot.worker.post_message(&value).is_ok() {
                slot.busy = Some((next.generation, next.job));
            }
        }
    }
}
