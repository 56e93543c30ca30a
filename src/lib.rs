//! Spurious Lab: an interactive lesson on spurious correlations and out-of-distribution
//! failure.
//!
//! This crate holds the whole lesson below the browser: the synthetic world ([`world`]),
//! the models and their training ([`network`], [`optim`], [`train`]), the experiments that
//! compare the methods over seeded runs ([`experiment`]), the closed-form answers they are
//! checked against ([`theory`]), and one drawing function per figure ([`charts`]). None of
//! it depends on the web, so the native command line `lab` and the tests run the same code
//! the page runs.

#[cfg(not(target_arch = "wasm32"))]
pub mod bench;
pub mod charts;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod config;
pub mod experiment;
pub mod flops;
pub use spurious_kernel as kernel;
pub mod network;
pub mod optim;
#[cfg(not(target_arch = "wasm32"))]
pub mod parallel;
pub mod rng;
pub mod stats;
pub mod theory;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod world;
