//! The arithmetic of the lesson's workload, counted from the shapes of the models: the
//! floating-point operations of the forward pass, the backward pass and the optimiser
//! step, per sample and per batch. Divided by a machine's throughput it gives the fastest
//! the lesson could possibly run there, the yardstick of the benchmarks.

use serde::Serialize;

use crate::config::ValidConfig;
use crate::experiment::{Method, ModelKind};
use crate::world::FEATURES;

/// Operations counted for one training run and for the whole lesson.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Workload {
    /// Forward and backward pass and loss, per training sample.
    pub per_sample: f64,
    /// Adam's update of every parameter, per batch.
    pub per_step: f64,
    /// Predictions on both test sets and the mean input gradient, per run.
    pub evaluation: f64,
    /// Everything one run does.
    pub per_run: f64,
}

/// Floating-point operations of Adam's update of one parameter: two moment updates
/// (3 and 4), the square root, ε, the division of m by it, the step size and the
/// subtraction. (In PyTorch's order, a division by √(1 − β2^t) makes 13.)
const ADAM_PER_PARAMETER: f64 = 12.0;

/// Counts one training run of `model` with the configured sizes.
///
/// A dense layer with `i` inputs and `o` outputs costs 2·i·o (multiply and add) plus `o`
/// for the ReLU forward; backward 2·i·o for the weight gradient, `o` for the bias
/// gradient and, below the top layer, 2·i·o for the input gradient and `i` for the ReLU
/// mask. The loss and its gradient cost 5 per sample.
pub fn workload(config: &ValidConfig, model: ModelKind) -> Workload {
    let hidden: &[usize] = match model {
        ModelKind::Linear => &[],
        ModelKind::Mlp => &config.hidden,
    };
    let mut sizes = vec![FEATURES];
    sizes.extend_from_slice(hidden);
    sizes.push(1);
    let layers: Vec<(f64, f64)> = sizes
        .windows(2)
        .map(|w| (w[0] as f64, w[1] as f64))
        .collect();
    let last = layers.len() - 1;
    let forward: f64 = layers
        .iter()
        .enumerate()
        .map(|(l, &(i, o))| 2.0 * i * o + if l < last { o } else { 0.0 })
        .sum();
    let backward: f64 = layers
        .iter()
        .enumerate()
        .map(|(l, &(i, o))| 2.0 * i * o + o + if l > 0 { 2.0 * i * o + i } else { 0.0 })
        .sum();
    let parameters: f64 = layers.iter().map(|&(i, o)| i * o + o).sum();
    let per_sample = forward + backward + 5.0;
    let per_step = ADAM_PER_PARAMETER * parameters;
    let samples = config.n_train as f64 * config.epochs as f64;
    let steps = config.n_train.div_ceil(config.batch) as f64 * config.epochs as f64;
    let input_gradient = forward + backward + 2.0 * FEATURES as f64;
    let evaluation = config.n_test as f64 * (2.0 * forward + input_gradient);
    Workload {
        per_sample,
        per_step,
        evaluation,
        per_run: samples * per_sample + steps * per_step + evaluation,
    }
}

/// Floating-point operations of every run of the given pairs.
pub fn lesson_flops(config: &ValidConfig, pairs: &[(Method, ModelKind)]) -> f64 {
    pairs
        .iter()
        .map(|&(_, model)| config.runs as f64 * workload(config, model).per_run)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_models_cost_what_their_shapes_say() {
        let config = ValidConfig::default();
        let linear = workload(&config, ModelKind::Linear);
        // Forward 6, backward 6 + 1, loss 5.
        assert_eq!(linear.per_sample, 18.0);
        assert_eq!(linear.per_step, 12.0 * 4.0);
        let mlp = workload(&config, ModelKind::Mlp);
        // Forward 2·(96 + 1024 + 32) + 64 ReLUs = 2368; backward 2·1152 + 65 weight and
        // bias gradients, plus 2·(1024 + 32) + 64 input gradients and masks = 4545.
        assert_eq!(mlp.per_sample, 2368.0 + 4545.0 + 5.0);
        assert_eq!(mlp.per_step, 12.0 * 1217.0);
        let steps = 625.0 * 30.0;
        assert!(
            (mlp.per_run - (150_000.0 * 6918.0 + steps * 14604.0 + mlp.evaluation)).abs() < 1.0
        );
    }
}
