//! The lesson in the browser: a Yew page over the same engine, with training in Web
//! Workers that run this same module ([`start`] tells the two apart). Only built for
//! wasm32.

mod address;
mod app;
mod bench;
pub mod canvas;
pub mod controls;
mod download;
mod intuition;
mod live;
mod pool;
pub mod protocol;
mod state;
pub mod worker;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub use address::parse_query;

/// The page's clock, in milliseconds since it loaded (0 without a window: the workers time
/// their slices with `Date.now`).
pub(crate) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[wasm_bindgen(inline_js = r#"
export function indented_json(value) {
  const exact = (key, v) =>
    typeof v !== "bigint" ? v : JSON.rawJSON ? JSON.rawJSON(String(v)) : Number(v);
  return JSON.stringify(value, exact, 2);
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn indented_json(value: &JsValue) -> Result<String, JsValue>;
}

/// `value` as the indented JSON the command line prints. The browser's own JSON writer
/// does it, which keeps the page small; 64-bit integers such as seeds stay exact.
pub(crate) fn to_json(value: &impl serde::Serialize) -> String {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible()
        .serialize_large_number_types_as_bigints(true);
    let written = value
        .serialize(&serializer)
        .map_err(JsValue::from)
        .and_then(|value| indented_json(&value));
    written.unwrap_or_else(|error| {
        let text = error.as_string().unwrap_or_else(|| format!("{error:?}"));
        format!("{{\"error\": {text:?}}}")
    })
}

/// Shows a message in the page instead of leaving it blank if the page itself fails.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!(
            "Something went wrong inside the lesson, and it stopped. Reloading the page \
             usually helps; if it does not, the details below say what failed.\n\n{info}"
        );
        web_sys::console::error_1(&message.clone().into());
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(element) = document.get_element_by_id("fatal") {
            element.set_text_content(Some(&message));
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                element.set_hidden(false);
            }
        }
    }));
}

/// Starts what the module is loaded for: the lesson in a page, training in a worker.
pub fn start() {
    if web_sys::window().is_some() {
        start_app();
    } else {
        worker::start();
    }
}

/// Mounts the lesson on `#app`, or runs the benchmark with `?bench=1`.
fn start_app() {
    install_panic_hook();
    address::expose_results();
    if address::page_flag("bench") {
        bench::expose();
        start_bench();
        return;
    }
    let (config, notices) = address::read();
    let lesson = Rc::new(state::Lesson::new(config, notices));
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    let props = app::AppProps { lesson };
    match root {
        Some(root) => {
            yew::Renderer::<app::App>::with_root_and_props(root, props).render();
        }
        None => {
            yew::Renderer::<app::App>::with_props(props).render();
        }
    }
}

/// The benchmark mode: a short explanation, then the report when it is done.
fn start_bench() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = document.get_element_by_id("app") else {
        return;
    };
    root.set_inner_html(
        "<main class=\"bench\"><h1>Spurious Lab benchmark</h1><p id=\"bench-status\">Timing data \
         generation, one linear run, one MLP run and the whole lesson in this browser…</p>\
         <pre id=\"bench-report\"></pre></main>",
    );
    let workers = app::worker_count();
    bench::start(workers, move |json| {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if let Some(status) = document.get_element_by_id("bench-status") {
            status.set_text_content(Some(&format!(
                "Done, with {workers} workers. Times in milliseconds."
            )));
        }
        if let Some(report) = document.get_element_by_id("bench-report") {
            report.set_text_content(Some(&json));
        }
    });
}
