//! The page's address carries its whole state: every setting that differs from the
//! lesson's defaults, under the same keys as the command line's `--set`. A link therefore
//! opens the lesson exactly as it was shared. This module also lets the reader (and the
//! page's end-to-end test) take the results away as JSON.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::canvas::Snapshot;
use crate::config::{Config, ConfigError, KEYS, ValidConfig};
use crate::experiment::Report;

/// Keys of the address that belong to the page rather than to the settings.
const PAGE_KEYS: [&str; 3] = ["step", "embed", "bench"];

fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    js_sys::decode_uri_component(&spaced).map_or(spaced, String::from)
}

/// Reads settings from a query string such as `?s_train=0.3&runs=5`. Every problem is
/// reported in plain words and the setting concerned keeps its default.
pub fn parse_query(query: &str) -> (ValidConfig, Vec<String>) {
    let mut config = Config::default();
    let mut notices = Vec::new();
    for pair in query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode(key), decode(value));
        if PAGE_KEYS.contains(&key.as_str()) {
            continue;
        }
        if let Err(error) = config.set(&key, &value) {
            notices.push(format!(
                "The address asked for something the lesson cannot do, so it was ignored: {error}."
            ));
        }
    }
    // Settings that are fine alone but not together go back to their defaults one by one.
    let defaults = Config::default();
    for _ in 0..KEYS.len() {
        match config.clone().validate() {
            Ok(valid) => return (valid, notices),
            Err(error) => {
                notices.push(format!("The address asked for something the lesson cannot do, so it was ignored: {error}."));
                let key = match &error {
                    ConfigError::Invalid { key, .. } => *key,
                    ConfigError::UnknownKey(_) => break,
                };
                let default = defaults.get(key).unwrap_or_default();
                if config.set(key, &default).is_err() {
                    break;
                }
            }
        }
    }
    (ValidConfig::default(), notices)
}

/// Whether one of the page's own keys is set to 1 in the address, as in `?bench=1`.
pub fn page_flag(key: &str) -> bool {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    query
        .trim_start_matches('?')
        .split('&')
        .any(|p| p == format!("{key}=1"))
}

/// The settings of the current address.
pub fn read() -> (ValidConfig, Vec<String>) {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    parse_query(&query)
}

/// The query string for a configuration: only what differs from the defaults.
pub fn query(config: &Config) -> String {
    let pairs: Vec<String> = config
        .changed_pairs()
        .into_iter()
        .map(|(key, value)| {
            format!(
                "{key}={}",
                String::from(js_sys::encode_uri_component(&value))
            )
        })
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

/// Puts the settings into the address without adding a history entry, keeping the page's
/// own keys and the fragment.
pub fn write(config: &ValidConfig) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let page_keys: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| PAGE_KEYS.iter().any(|k| p.split('=').next() == Some(k)))
        .collect();
    let mut next = query(config);
    for pair in page_keys {
        next.push(if next.is_empty() { '?' } else { '&' });
        next.push_str(pair);
    }
    if next == search {
        return;
    }
    let path = location.pathname().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &JsValue::NULL,
            "",
            Some(&format!("{path}{next}{hash}")),
        );
    }
}

/// The snapshot on screen, and its JSON once someone has asked for it.
type Published = Option<(Rc<Snapshot>, Option<Rc<str>>)>;

thread_local! {
    static PUBLISHED: RefCell<Published> = const { RefCell::new(None) };
}

/// The results of a snapshot as the JSON document `lab run --json` prints.
pub fn results_json(snapshot: &Snapshot) -> String {
    let report = Report {
        config: &snapshot.config,
        results: &snapshot.results,
    };
    super::to_json(&report)
}

/// Makes the latest results available to `window.spuriousLab.results()`.
pub fn publish_results(snapshot: &Rc<Snapshot>) {
    PUBLISHED.with(|p| *p.borrow_mut() = Some((snapshot.clone(), None)));
}

/// Defines `window.spuriousLab.results()`, which returns the results on screen as JSON.
pub fn expose_results() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // Serialised once per snapshot, however often it is asked for.
    let results = Closure::<dyn Fn() -> String>::new(|| {
        PUBLISHED.with(|p| match &mut *p.borrow_mut() {
            Some((snapshot, json)) => json
                .get_or_insert_with(|| results_json(snapshot).into())
                .to_string(),
            None => String::new(),
        })
    });
    let api = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&api, &"results".into(), results.as_ref());
    let _ = js_sys::Reflect::set(&window, &"spuriousLab".into(), &api);
    // The function stays defined for the life of the page.
    results.forget();
}
