//! The training worker. It keeps the jobs the page gives it in a queue and trains them in
//! slices of [`SLICE_MS`], reading its messages between slices: a cancelled job is dropped
//! at the end of the slice under way, and the next job starts at once, with the worker's
//! module already loaded. It posts the losses of finished epochs and then the result.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageChannel, MessageEvent, MessagePort};

use super::protocol::{self, Command, Job, PROGRESS_INTERVAL_MS, Request, Response, SLICE_MS};
use crate::experiment::Run;
use crate::train::{Advance, Monitor};

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    if let Ok(value) = protocol::encode(response) {
        // Posting a plain object cannot fail; if the page is gone there is no one to tell.
        let _ = scope.post_message(&value);
    }
}

/// The job being trained.
struct Active {
    run: Run,
    progress: Progress,
}

/// A job's progress messages: the losses of finished epochs are posted at once for the
/// first, then at most one message every [`PROGRESS_INTERVAL_MS`].
struct Progress {
    generation: u64,
    job: Job,
    /// Losses of finished epochs not yet posted.
    unsent: Vec<f64>,
    /// When the last message went, in milliseconds; `None` before the first.
    last_post: Option<f64>,
}

struct State {
    scope: DedicatedWorkerGlobalScope,
    queue: VecDeque<Request>,
    active: Option<Active>,
    /// Whether a slice is already due.
    scheduled: bool,
    /// Posting to this port (of a channel of the worker's own) runs the next slice as a
    /// task of its own, after the messages that arrived meanwhile. (A timer would be
    /// clamped to 4 ms once nested.)
    wake: MessagePort,
}

/// Watches one slice of a run: posts its progress and asks for a pause once the slice is
/// over.
struct Slice<'a> {
    scope: &'a DedicatedWorkerGlobalScope,
    progress: &'a mut Progress,
    deadline: f64,
    batches: u32,
}

/// Batches between two looks at the clock (a call out of wasm).
const CLOCK_EVERY: u32 = 16;

impl Monitor for Slice<'_> {
    fn epoch_done(&mut self, _epoch: usize, loss: f64) {
        let progress = &mut *self.progress;
        progress.unsent.push(loss);
        let now = js_sys::Date::now();
        if progress
            .last_post
            .is_some_and(|last| now - last < PROGRESS_INTERVAL_MS)
        {
            return;
        }
        progress.last_post = Some(now);
        let message = Response::Epochs {
            generation: progress.generation,
            job: progress.job,
            losses: std::mem::take(&mut progress.unsent),
        };
        post(self.scope, &message);
    }

    fn should_pause(&mut self) -> bool {
        self.batches += 1;
        self.batches % CLOCK_EVERY == 0 && js_sys::Date::now() >= self.deadline
    }
}

/// Schedules a slice unless one is due.
fn wake(state: &mut State) {
    if !state.scheduled {
        // Posting to its own channel does not fail while the worker lives; if it did, the
        // next message would try again.
        state.scheduled = state.wake.post_message(&JsValue::NULL).is_ok();
    }
}

/// Handles a message of the page.
fn handle(state: &Rc<RefCell<State>>, data: JsValue) {
    // Only the page posts here, with the same types; there is nothing sensible to answer
    // to anything else.
    let Ok(command) = protocol::decode::<Command>(data) else {
        return;
    };
    let mut state = state.borrow_mut();
    match command {
        Command::Train(request) => {
            state.queue.push_back(request);
            wake(&mut state);
        }
        Command::Cancel { generation, job } => {
            let stale = |g: u64, j: &Job| g == generation && *j == job;
            state.queue.retain(|r| !stale(r.generation, &r.job));
            if state
                .active
                .as_ref()
                .is_some_and(|a| stale(a.progress.generation, &a.progress.job))
            {
                state.active = None;
            }
        }
    }
}

/// Trains for one slice: the job under way, then the next ones while time is left.
fn slice(state: &Rc<RefCell<State>>) {
    let deadline = js_sys::Date::now() + SLICE_MS;
    let scope = {
        let mut state = state.borrow_mut();
        state.scheduled = false;
        state.scope.clone()
    };
    loop {
        let next = {
            let mut state = state.borrow_mut();
            match state.active.take() {
                Some(active) => Some(Ok(active)),
                None => state.queue.pop_front().map(begin),
            }
        };
        let mut active = match next {
            None => return,
            Some(Ok(active)) => active,
            Some(Err(failed)) => {
                post(&scope, &failed);
                continue;
            }
        };
        let mut monitor = Slice {
            scope: &scope,
            progress: &mut active.progress,
            deadline,
            batches: 0,
        };
        let outcome = active.run.advance(&mut monitor);
        let (generation, job) = (active.progress.generation, active.progress.job);
        match outcome {
            Ok(Advance::Paused) => {
                let mut state = state.borrow_mut();
                state.active = Some(active);
                wake(&mut state);
                return;
            }
            Ok(Advance::Finished) => {
                // Epochs still unsent travel with the result, which holds every loss.
                let result = Box::new(active.run.finish());
                post(
                    &scope,
                    &Response::Done {
                        generation,
                        job,
                        result,
                    },
                );
            }
            Err(stopped) => post(
                &scope,
                &Response::Failed {
                    generation,
                    job,
                    message: stopped.to_string(),
                },
            ),
        }
        if js_sys::Date::now() >= deadline {
            let mut state = state.borrow_mut();
            if !state.queue.is_empty() {
                wake(&mut state);
            }
            return;
        }
    }
}

/// Sets up the run of a job, or the answer that says why it cannot run.
fn begin(request: Request) -> Result<Active, Response> {
    let Request {
        generation,
        config,
        job,
    } = request;
    match config.validate() {
        Ok(config) => Ok(Active {
            run: Run::start(&config, job.method, job.model, job.run),
            progress: Progress {
                generation,
                job,
                unsent: Vec::new(),
                last_post: None,
            },
        }),
        Err(error) => Err(Response::Failed {
            generation,
            job,
            message: error.to_string(),
        }),
    }
}

/// Starts listening for jobs; called when the module is loaded in a worker.
pub fn start() {
    // A panic stops the module; the page sees the worker's error event, answers its jobs
    // as failed and starts another. The panic's own text goes to the console.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("the training worker stopped: {info}").into());
    }));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // Every browser that runs WebAssembly workers has message channels; without one the
    // worker stops here, before it is ready, and the page says it did not load.
    let channel = MessageChannel::new()
        .unwrap_or_else(|_| wasm_bindgen::throw_str("the worker cannot open a message channel"));
    let state = Rc::new(RefCell::new(State {
        scope: scope.clone(),
        queue: VecDeque::new(),
        active: None,
        scheduled: false,
        wake: channel.port1(),
    }));
    let on_wake = {
        let state = Rc::clone(&state);
        Closure::<dyn Fn()>::new(move || slice(&state))
    };
    channel
        .port2()
        .set_onmessage(Some(on_wake.as_ref().unchecked_ref()));
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&state, event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handlers live as long as the worker.
    on_wake.forget();
    on_message.forget();
    post(&scope, &Response::Ready);
}
