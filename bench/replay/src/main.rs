//! Dumps one baseline run of the lab engine as JSON, for bench/replay_torch.py:
//!
//! ```text
//! cargo run --release --manifest-path bench/replay/Cargo.toml -- [linear|mlp] [SEED] > run.json
//! ```
//!
//! The training data, both test sets, the initial parameters (flat, in the engine's
//! layout: per layer a weight matrix stored one row per input, then the biases), the row
//! order of every epoch (the engine's shuffle stream replayed), and what the engine's own
//! training gives: the per-epoch losses, the final parameters and the test RMSEs.

use std::fmt::Write;

use spurious_lab::config::ValidConfig;
use spurious_lab::experiment::{Method, TestSets, training_set};
use spurious_lab::network::Network;
use spurious_lab::rng::{LabRng, Stream};
use spurious_lab::stats::rmse;
use spurious_lab::train::{Schedule, TrainRngs, train};
use spurious_lab::world::Dataset;

fn list<T: std::fmt::Display>(values: impl IntoIterator<Item = T>) -> String {
    let mut out = String::from("[");
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write!(out, "{v}").expect("writing to a string");
    }
    out.push(']');
    out
}

fn dataset(d: &Dataset) -> String {
    format!(
        "{{\"x\":{},\"y\":{}}}",
        list(d.x.iter().copied()),
        list(d.y.iter().copied())
    )
}

fn fail(message: &str) -> ! {
    eprintln!("lab-replay: {message}\nusage: lab-replay [linear|mlp] [SEED]");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = args.first().map_or("mlp", String::as_str);
    if model != "linear" && model != "mlp" {
        fail(&format!("unknown model `{model}`: use linear or mlp"));
    }
    let seed: u64 = match args.get(1).map(|s| s.parse()) {
        None => 1,
        Some(Ok(seed)) => seed,
        Some(Err(_)) => fail(&format!(
            "SEED `{}` is not a whole number from 0 to {}",
            args[1],
            u64::MAX
        )),
    };
    let config = ValidConfig::default();
    let hidden: &[usize] = if model == "linear" {
        &[]
    } else {
        &config.hidden
    };

    let data = training_set(&config, Method::Baseline, seed);
    let tests = TestSets::generate(&config, seed);
    let mut net = Network::new(hidden, &mut LabRng::new(seed, Stream::Init));
    let init = net.params().to_vec();

    // The engine shuffles one index vector in place every epoch, from the identity.
    let mut shuffle = LabRng::new(seed, Stream::Shuffle);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut orders = Vec::with_capacity(config.epochs);
    for _ in 0..config.epochs {
        shuffle.shuffle(&mut order);
        orders.push(list(order.iter().copied()));
    }

    let schedule = Schedule::of(&config);
    let rngs = TrainRngs {
        shuffle: LabRng::new(seed, Stream::Shuffle),
        augment: LabRng::new(seed, Stream::Augment),
    };
    let losses = train(&mut net, &data, &schedule, None, rngs, &mut ()).expect("never stopped");
    let score = |d: &Dataset| rmse(&net.predict(d.x.view()), d.y.as_slice().unwrap_or(&[]));

    println!(
        "{{\"model\":\"{model}\",\"seed\":{seed},\"sizes\":{},\"epochs\":{},\"batch\":{},\"lr\":{},\
         \"step\":{},\"gamma\":{},\"train\":{},\"iid\":{},\"ood\":{},\"init\":{},\"orders\":[{}],\
         \"losses\":{},\"final\":{},\"rmse_iid\":{},\"rmse_ood\":{}}}",
        list(net.sizes().iter().copied()),
        config.epochs,
        config.batch,
        config.lr,
        config.step,
        config.gamma,
        dataset(&data),
        dataset(&tests.iid),
        dataset(&tests.ood),
        list(init),
        orders.join(","),
        list(losses),
        list(net.params().iter().copied()),
        score(&tests.iid),
        score(&tests.ood),
    );
}
