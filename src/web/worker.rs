//! The training worker: it takes one [`Request`] at a time, trains, and posts the loss of
//! every epoch and then the result. The page cancels a job by terminating the worker.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::protocol::{Job, PROGRESS_INTERVAL_MS, Request, Response};
use crate::experiment::run_one;
use crate::train::Monitor;

fn post(scope: &DedicatedWorkerGlobalScope, response: &Response) {
    if let Ok(value) = serde_wasm_bindgen::to_value(response) {
        // Posting a plain object cannot fail; if the page is gone there is no one to tell.
        let _ = scope.post_message(&value);
    }
}

/// Posts the losses of finished epochs: the first at once, then at most one message every
/// [`PROGRESS_INTERVAL_MS`]. Epochs still unsent at the end travel with the result.
struct PostEpochs<'a> {
    scope: &'a DedicatedWorkerGlobalScope,
    generation: u64,
    job: Job,
    unsent: Vec<f64>,
    /// When the last message went, in milliseconds; `None` before the first.
    last_post: Option<f64>,
}

impl Monitor for PostEpochs<'_> {
    fn epoch_done(&mut self, _epoch: usize, loss: f64) {
        self.unsent.push(loss);
        let now = js_sys::Date::now();
        if self
            .last_post
            .is_some_and(|last| now - last < PROGRESS_INTERVAL_MS)
        {
            return;
        }
        self.last_post = Some(now);
        let message = Response::Epochs {
            generation: self.generation,
            job: self.job,
            losses: std::mem::take(&mut self.unsent),
        };
        post(self.scope, &message);
    }
}

fn handle(scope: &DedicatedWorkerGlobalScope, data: JsValue) {
    let request: Request = match serde_wasm_bindgen::from_value(data) {
        Ok(request) => request,
        // Only the page posts here, with the same types; nothing sensible to answer.
        Err(_) => return,
    };
    let Request {
        generation,
        config,
        job,
    } = request;
    let response = match config.validate() {
        Ok(config) => {
            let mut monitor = PostEpochs {
                scope,
                generation,
                job,
                unsent: Vec::new(),
                last_post: None,
            };
            match run_one(&config, job.method, job.model, job.run, &mut monitor) {
                Ok(result) => Response::Done {
                    generation,
                    job,
                    result: Box::new(result),
                },
                Err(stopped) => Response::Failed {
                    generation,
                    job,
                    message: stopped.to_string(),
                },
            }
        }
        Err(error) => Response::Failed {
            generation,
            job,
            message: error.to_string(),
        },
    };
    post(scope, &response);
}

/// Starts listening for jobs; called by the worker binary's `main`.
pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let listener = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        handle(&listener, event.data());
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&scope, &Response::Ready);
}
