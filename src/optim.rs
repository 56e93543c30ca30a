//! The optimiser and schedule of the case study, PyTorch's `Adam` and `StepLR`, step for
//! step.

use crate::kernel::{self, AdamStep};
use crate::network::Real;

/// Adam (Kingma and Ba, 2015) with PyTorch's bias correction:
///
/// ```text
/// m ← β1·m + (1 − β1)·g            m_hat = m / (1 − β1^t)
/// v ← β2·v + (1 − β2)·g²           θ ← θ − lr · m_hat / (√v / √(1 − β2^t) + ε)
/// ```
///
/// The update is worked out in the paper's order, with the same value:
/// `θ ← θ − α_t · m / (√v + ε̂)`, where `α_t = lr · √(1 − β2^t) / (1 − β1^t)` and
/// `ε̂ = ε · √(1 − β2^t)` are the step's scalars. Per parameter that is one square root
/// and one division, where PyTorch's order takes two divisions; the results differ only
/// in the last bits of each step.
#[derive(Clone, Debug)]
pub struct Adam {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    /// β1^t and β2^t after t steps, kept as running products.
    beta1_power: f64,
    beta2_power: f64,
    /// First-moment estimate m, one per parameter.
    m: Vec<Real>,
    /// Second-moment estimate v, one per parameter.
    v: Vec<Real>,
}

impl Adam {
    /// Adam for `count` parameters with the defaults of the literature and of PyTorch:
    /// β = (0.9, 0.999), ε = 1e-8.
    pub fn new(count: usize) -> Adam {
        Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            beta1_power: 1.0,
            beta2_power: 1.0,
            m: vec![0.0; count],
            v: vec![0.0; count],
        }
    }

    /// One update of `params` along `grads` with learning rate `lr`.
    ///
    /// As in PyTorch, the step's scalars (bias corrections, step size) are worked out in
    /// f64 and the per-parameter arithmetic in the parameters' own type.
    pub fn step(&mut self, params: &mut [Real], grads: &[Real], lr: f64) {
        // Running products rather than pow: the same IEEE multiplications on every target,
        // and no transcendental call per step.
        self.beta1_power *= self.beta1;
        self.beta2_power *= self.beta2;
        let bias_correction1 = 1.0 - self.beta1_power;
        let bias_correction2_sqrt = (1.0 - self.beta2_power).sqrt();
        let step = AdamStep {
            beta1: self.beta1 as Real,
            beta2: self.beta2 as Real,
            eps: (self.eps * bias_correction2_sqrt) as Real,
            step_size: (lr * bias_correction2_sqrt / bias_correction1) as Real,
        };
        // IEEE 754 square roots are correctly rounded on every target.
        kernel::adam(params, grads, &mut self.m, &mut self.v, step);
    }
}

/// StepLR: the learning rate of epoch `epoch` (from 0) is `lr · gamma^⌊epoch / step⌋`.
///
/// ```
/// use spurious_lab::optim::step_lr;
/// assert_eq!(step_lr(1e-3, 10, 0.5, 9), 1e-3);
/// assert_eq!(step_lr(1e-3, 10, 0.5, 25), 2.5e-4);
/// ```
pub fn step_lr(lr: f64, step: usize, gamma: f64, epoch: usize) -> f64 {
    lr * libm::pow(gamma, (epoch / step) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::widen;

    /// How close a step must come to the hand computation: a few roundings of the
    /// parameters' type.
    const CLOSE: f64 = if cfg!(feature = "f64") { 2e-15 } else { 1e-6 };

    #[test]
    fn first_adam_steps_match_hand_computation() {
        // Step 1 with g = 0.5: m = 0.05, v = 0.00025, m_hat = 0.5, v_hat = 0.25, so the
        // update is lr · 0.5 / (0.5 + 1e-8).
        let mut adam = Adam::new(1);
        let mut p = [1.0];
        adam.step(&mut p, &[0.5], 0.1);
        let expected = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8);
        assert!((widen(p[0]) - expected).abs() < CLOSE, "{}", p[0]);
        // Step 2 with g = -1: m = 0.9·0.05 − 0.1 = −0.055, v = 0.999·0.00025 + 0.001.
        adam.step(&mut p, &[-1.0], 0.1);
        let m = -0.055 / (1.0 - 0.81);
        let v = (0.999 * 0.00025 + 0.001) / (1.0 - 0.999f64 * 0.999);
        let expected = expected - 0.1 * m / (v.sqrt() + 1e-8);
        assert!(
            (widen(p[0]) - expected).abs() < CLOSE,
            "{} vs {expected}",
            p[0]
        );
    }

    #[test]
    fn adam_first_step_moves_each_parameter_by_about_lr() {
        let mut adam = Adam::new(3);
        let mut p = [0.0, 0.0, 0.0];
        adam.step(&mut p, &[1e-3, -20.0, 0.0], 0.01);
        assert!((widen(p[0]) + 0.01).abs() < 1e-7);
        assert!((widen(p[1]) - 0.01).abs() < CLOSE.max(1e-9));
        assert_eq!(p[2], 0.0);
    }

    #[test]
    fn step_lr_halves_every_step() {
        let lrs: Vec<f64> = (0..30).map(|e| step_lr(1e-3, 10, 0.5, e)).collect();
        assert_eq!(lrs[0], 1e-3);
        assert_eq!(lrs[10], 5e-4);
        assert_eq!(lrs[29], 2.5e-4);
        assert!((step_lr(0.1, 3, 0.1, 7) - 1e-3).abs() < 1e-18);
    }
}
