//! The page's entry point, built for wasm32 by Trunk: mounts the lesson on the page, or
//! starts training in a Web Worker that loaded the same module. On other targets it only
//! says where the lesson lives.

#[cfg(target_arch = "wasm32")]
fn main() {
    spurious_lab::web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the page is built for the browser: run ./scripts/serve.sh");
    std::process::exit(2);
}
