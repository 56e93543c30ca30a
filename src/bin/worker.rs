//! The training worker's entry point, built for wasm32 by Trunk and loaded by the page as
//! a Web Worker.

#[cfg(target_arch = "wasm32")]
fn main() {
    spurious_lab::web::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the training worker runs in the browser only");
    std::process::exit(2);
}
