//! A pool of training workers. Jobs wait in a queue and go to whichever worker is free,
//! first run first, so the first result of a step arrives as early as possible and the
//! figures refine as the rest stream in. A job is cancelled by telling its worker, which
//! drops it at the end of its current slice of training (`protocol::SLICE_MS`) and goes on
//! with the next: the worker stays loaded, so new settings never wait for a module.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};
use yew::Callback;

use super::protocol::{self, Command, Job, Request, Response};
use crate::config::Config;
use crate::experiment::ModelKind;

/// The worker's script (`static/worker.js`): it waits for [`module_message`] and loads the
/// module it names.
const WORKER_SCRIPT: &str = "./static/worker.js";

#[wasm_bindgen]
extern "C" {
    /// `import.meta` of the module's JavaScript glue.
    type ImportMeta;
    #[wasm_bindgen(thread_local_v2, js_namespace = import, js_name = meta)]
    static IMPORT_META: ImportMeta;
    #[wasm_bindgen(method, getter)]
    fn url(this: &ImportMeta) -> String;
}

/// The first message to a new worker: where this module's JavaScript glue is, and the
/// compiled module itself, so that the worker runs the page's own code without
/// downloading or compiling it again.
fn module_message() -> Result<JsValue, JsValue> {
    let message = js_sys::Object::new();
    let glue = IMPORT_META.with(ImportMeta::url);
    js_sys::Reflect::set(&message, &"glue".into(), &glue.into())?;
    js_sys::Reflect::set(&message, &"module".into(), &wasm_bindgen::module())?;
    Ok(message.into())
}

#[derive(Clone)]
struct Queued {
    generation: u64,
    config: Config,
    job: Job,
}

struct Slot {
    /// Which worker this is, for its messages to find it wherever it sits.
    id: u64,
    worker: Worker,
    ready: bool,
    /// The jobs posted to it and not yet answered, oldest (the one running) first.
    busy: Vec<Queued>,
    /// Keeps the message handler alive as long as the worker.
    _on_message: Closure<dyn Fn(MessageEvent)>,
    /// Keeps the error handler alive as long as the worker.
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

struct Inner {
    slots: Vec<Option<Slot>>,
    next_id: u64,
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
            next_id: 0,
            queue: VecDeque::new(),
            on_response,
            failure: None,
        }));
        for index in 0..size.max(1) {
            let slot = start_worker(&inner);
            inner.borrow_mut().slots[index] = slot;
        }
        WorkerPool { inner }
    }

    /// Why workers could not be started, if they could not.
    pub fn failure(&self) -> Option<String> {
        self.inner.borrow().failure.clone()
    }

    /// Queues jobs, each with its generation, behind those already waiting, and starts
    /// what can start. Jobs given together are queued together before any is handed out,
    /// so that each worker can pick the kind it prefers.
    pub fn submit(&self, config: &Config, jobs: impl IntoIterator<Item = (u64, Job)>) {
        {
            let mut inner = self.inner.borrow_mut();
            for (generation, job) in jobs {
                inner.queue.push_back(Queued {
                    generation,
                    config: config.clone(),
                    job,
                });
            }
        }
        dispatch(&self.inner);
    }

    /// Drops the queued jobs for which `cancel(generation, job)` is true and tells the
    /// workers to drop those they hold.
    pub fn cancel(&self, cancel: impl Fn(u64, &Job) -> bool) {
        let mut freed = false;
        {
            let mut inner = self.inner.borrow_mut();
            inner.queue.retain(|q| !cancel(q.generation, &q.job));
            for slot in inner.slots.iter_mut().flatten() {
                let Slot { worker, busy, .. } = slot;
                busy.retain(|q| {
                    if !cancel(q.generation, &q.job) {
                        return true;
                    }
                    let command = Command::Cancel {
                        generation: q.generation,
                        job: q.job,
                    };
                    if let Ok(value) = protocol::encode(&command) {
                        // Should this fail, the job's answers are dropped as stale anyway.
                        let _ = worker.post_message(&value);
                    }
                    freed = true;
                    false
                });
            }
        }
        // The page also asks this of finished jobs; only a freed place calls for handing
        // out jobs.
        if freed {
            dispatch(&self.inner);
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        for slot in self.slots.iter().flatten() {
            slot.worker.terminate();
        }
    }
}

impl Inner {
    /// Where the worker with this id sits.
    fn index_of(&self, id: u64) -> Option<usize> {
        self.slots
            .iter()
            .position(|slot| slot.as_ref().is_some_and(|s| s.id == id))
    }

    /// The worker with this id.
    fn slot_mut(&mut self, id: u64) -> Option<&mut Slot> {
        let index = self.index_of(id)?;
        self.slots[index].as_mut()
    }
}

/// Starts a worker; `None` (with the reason kept for the page) if the browser refuses.
fn start_worker(inner: &Rc<RefCell<Inner>>) -> Option<Slot> {
    let id = {
        let mut state = inner.borrow_mut();
        state.next_id += 1;
        state.next_id
    };
    let weak = Rc::downgrade(inner);
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(inner) = weak.upgrade() else { return };
        let Ok(response) = protocol::decode::<Response>(event.data()) else {
            return;
        };
        let finished = matches!(response, Response::Done { .. } | Response::Failed { .. });
        let on_response = {
            let mut state = inner.borrow_mut();
            if let Some(slot) = state.slot_mut(id) {
                if matches!(response, Response::Ready) {
                    slot.ready = true;
                }
                if let Response::Done {
                    generation, job, ..
                }
                | Response::Failed {
                    generation, job, ..
                } = &response
                {
                    let answered = slot
                        .busy
                        .iter()
                        .position(|q| q.generation == *generation && q.job == *job);
                    if let Some(i) = answered {
                        slot.busy.remove(i);
                    }
                }
            }
            state.on_response.clone()
        };
        if matches!(response, Response::Ready) || finished {
            dispatch(&inner);
        }
        on_response.emit(response);
    });
    let weak = Rc::downgrade(inner);
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        if let Some(inner) = weak.upgrade() {
            let message = event
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(web_sys::ErrorEvent::message)
                .unwrap_or_default();
            replace_failed(&inner, id, &message);
        }
    });
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let started = Worker::new_with_options(WORKER_SCRIPT, &options).and_then(|worker| {
        worker.post_message(&module_message()?)?;
        Ok(worker)
    });
    match started {
        Ok(worker) => {
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Some(Slot {
                id,
                worker,
                ready: false,
                busy: Vec::new(),
                _on_message: on_message,
                _on_error: on_error,
            })
        }
        Err(error) => {
            let text = error.as_string().unwrap_or_else(|| format!("{error:?}"));
            inner.borrow_mut().failure = Some(format!("the training worker did not start: {text}"));
            None
        }
    }
}

/// Handles an error thrown inside worker `id`, after which its module cannot be trusted:
/// the jobs it held are answered as failed, with the reason, and a fresh worker takes its
/// place. A worker that fails before it is ready is not replaced (its script or module
/// does not load, and a new one would fail the same way); the reason is kept for the page.
fn replace_failed(inner: &Rc<RefCell<Inner>>, id: u64, message: &str) {
    let failed = {
        let mut state = inner.borrow_mut();
        let Some(index) = state.index_of(id) else {
            return;
        };
        let ready = state.slots[index].as_ref().is_some_and(|s| s.ready);
        if !ready {
            state.failure = Some(format!("the training worker did not load: {message}"));
            return;
        }
        state.slots[index].take().map(|slot| (index, slot))
    };
    let Some((index, slot)) = failed else { return };
    slot.worker.terminate();
    let replacement = start_worker(inner);
    let on_response = {
        let mut state = inner.borrow_mut();
        state.slots[index] = replacement;
        state.on_response.clone()
    };
    for q in &slot.busy {
        on_response.emit(Response::Failed {
            generation: q.generation,
            job: q.job,
            message: format!(
                "the training worker stopped with an error ({message}); training this step \
                 again, or reloading the page, starts afresh"
            ),
        });
    }
    dispatch(inner);
}

/// How many jobs a worker holds at once: the one it trains and the next, so that it
/// starts the next the moment it finishes, however busy the page's main thread is. (More
/// would make a worker's share of the queue less even.)
const DEPTH: usize = 2;

/// Hands queued jobs to ready workers, a first job to each before a second to any. The
/// first worker takes linear runs first (milliseconds each) and the others MLP runs
/// (hundreds of milliseconds), each falling back on the other kind when its own is done:
/// a change of settings then redraws the linear steps at once while the MLP's first runs
/// are already under way.
fn dispatch(inner: &Rc<RefCell<Inner>>) {
    let mut state = inner.borrow_mut();
    let Inner { slots, queue, .. } = &mut *state;
    for depth in 1..=DEPTH {
        for (index, slot) in slots.iter_mut().enumerate() {
            let Some(slot) = slot.as_mut() else { continue };
            if !slot.ready || slot.busy.len() >= depth {
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
                return;
            };
            let command = Command::Train(Request {
                generation: next.generation,
                config: next.config.clone(),
                job: next.job,
            });
            let posted = protocol::encode(&command)
                .is_ok_and(|value| slot.worker.post_message(&value).is_ok());
            if posted {
                slot.busy.push(next);
            } else {
                // Left for another worker, or for this one's next turn.
                queue.push_front(next);
            }
        }
    }
}
