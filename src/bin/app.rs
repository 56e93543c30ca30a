//! The page's entry point: mounts the lesson. Built for wasm32 by Trunk; on other targets
//! it only says where the lesson lives.

#[cfg(target_arch = "wasm32")]
fn main() {
    spurious_lab::web::start_app();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the page is built for the browser: run ./scripts/serve.sh");
    std::process::exit(2);
}
