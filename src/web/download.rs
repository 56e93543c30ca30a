//! Saving figures, tables and results as files on the reader's machine. Everything is
//! made in the page (data and object URLs); nothing is sent anywhere.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Saves what `href` points at (a data or object URL) under `filename`.
pub fn url(href: &str, filename: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(element) = document.create_element("a") else {
        return;
    };
    let Ok(anchor) = element.dyn_into::<HtmlAnchorElement>() else {
        return;
    };
    anchor.set_href(href);
    anchor.set_download(filename);
    anchor.click();
}

/// Saves `content` with the given MIME type under `filename`.
pub fn text(content: &str, mime: &str, filename: &str) {
    let parts = js_sys::Array::of1(&content.into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(href) = Url::create_object_url_with_blob(&blob) else {
        return;
    };
    url(&href, filename);
    let _ = Url::revoke_object_url(&href);
}
