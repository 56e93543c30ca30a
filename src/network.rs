//! Fully connected networks with hand-written forward and backward passes.
//!
//! One type covers both models of the lesson: the linear model is a network with no hidden
//! layer (3 → 1), the MLP has ReLU hidden layers (3 → 32 → 32 → 1 by default). Parameters
//! live in one flat vector, layer after layer, each layer's weight matrix followed by its
//! biases, so the optimiser sees a single slice. A weight matrix is stored one row per
//! input (`w[i][o]` at `i·outputs + o`), so that the forward pass and the weight gradient
//! run along contiguous outputs: four outputs to a SIMD vector, with no sum reordered
//! (the loops themselves are in [`crate::kernel`]).
//!
//! The products are written as plain loops in a fixed order rather than handed to a BLAS:
//! IEEE arithmetic in a fixed order gives the same bits on every target, while optimised
//! kernels pick fused multiply-adds and blockings by CPU. Batches are small (8 rows), so
//! nothing is lost.
//!
//! The network computes in [`Real`]: f32, or f64 when the crate is built with the `f64`
//! feature. f32 trains the lesson about 1.4 times faster, with 4 SIMD lanes instead of 2,
//! and gives the same closed-form optima and the same mean errors to a small fraction of a
//! standard error (`bench/RESULTS.md`); f64 lets a run be replayed in PyTorch float64 and
//! compared to the last bits. Data, losses and results cross the network's boundary as
//! f64 either way.

use ndarray::ArrayView2;

use crate::kernel;
use crate::rng::LabRng;
use crate::theory::LinearParams;
use crate::world::FEATURES;

pub use crate::kernel::Real;

/// The name of [`Real`], for benchmark reports.
pub const PRECISION: &str = if cfg!(feature = "f64") { "f64" } else { "f32" };

/// A [`Real`] as f64, exactly.
#[allow(clippy::useless_conversion)] // a no-op in the f64 build
pub fn widen(x: Real) -> f64 {
    f64::from(x)
}

/// A fully connected network with ReLU between layers and a linear output.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Widths from input to output, such as [3, 32, 32, 1].
    sizes: Vec<usize>,
    /// Where each layer's parameters are.
    layers: Vec<Layer>,
    /// All weights and biases, layer after layer.
    params: Vec<Real>,
}

/// Where one layer's weights and biases sit in the flat parameter vector.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Layer {
    inputs: usize,
    outputs: usize,
    weights: usize,
    biases: usize,
}

impl Layer {
    /// The layer applied to a batch of `rows` rows.
    fn shape(&self, rows: usize) -> kernel::Shape {
        kernel::Shape {
            rows,
            inputs: self.inputs,
            outputs: self.outputs,
        }
    }
}

impl Network {
    /// A network with the given hidden widths (none for the linear model), initialised as
    /// PyTorch initialises `nn.Linear`: weights and biases uniform in ±1/√fan_in.
    pub fn new(hidden: &[usize], rng: &mut LabRng) -> Network {
        let mut sizes = Vec::with_capacity(hidden.len() + 2);
        sizes.push(FEATURES);
        sizes.extend_from_slice(hidden);
        sizes.push(1);
        let mut layers = Vec::with_capacity(sizes.len() - 1);
        let mut offset = 0;
        for w in sizes.windows(2) {
            layers.push(Layer {
                inputs: w[0],
                outputs: w[1],
                weights: offset,
                biases: offset + w[0] * w[1],
            });
            offset += w[0] * w[1] + w[1];
        }
        let mut params = vec![0.0; offset];
        for layer in &layers {
            // Drawn in PyTorch's order (one output's weights after another), stored by input.
            let bound = 1.0 / libm::sqrt(layer.inputs as f64);
            for o in 0..layer.outputs {
                for i in 0..layer.inputs {
                    params[layer.weights + i * layer.outputs + o] =
                        rng.uniform_in(-bound, bound) as Real;
                }
            }
            for o in 0..layer.outputs {
                params[layer.biases + o] = rng.uniform_in(-bound, bound) as Real;
            }
        }
        Network {
            sizes,
            layers,
            params,
        }
    }

    /// The linear model 3 → 1.
    pub fn linear(rng: &mut LabRng) -> Network {
        Network::new(&[], rng)
    }

    /// Layer widths from input to output.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    pub fn params(&self) -> &[Real] {
        &self.params
    }

    pub fn params_mut(&mut self) -> &mut [Real] {
        &mut self.params
    }

    /// The weights and bias of a network without hidden layers (its single output makes
    /// the by-input layout the usual one).
    pub fn linear_params(&self) -> Option<LinearParams> {
        (self.sizes.len() == 2).then(|| LinearParams {
            weights: [0, 1, 2].map(|k| widen(self.params[k])),
            bias: widen(self.params[3]),
        })
    }

    /// Runs the network on the first `rows` rows of `ws.input`; the outputs end up in
    /// `ws.output()`.
    ///
    /// Each output starts at its bias and adds `w[i][o]·a[i]` for i = 0, 1, … in turn:
    /// the order of a plain dot product, computed for all outputs at once.
    pub fn forward(&self, ws: &mut Workspace, rows: usize) {
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, after) = ws.activations.split_at_mut(l + 1);
            let input = &before[l];
            let output = &mut after[0];
            let hidden = l + 1 < self.layers.len();
            let weights = &self.params[layer.weights..layer.biases];
            let biases = &self.params[layer.biases..layer.biases + layer.outputs];
            kernel::layer_forward(input, weights, biases, output, layer.shape(rows), hidden);
        }
    }

    /// Back-propagates the gradient of the loss with respect to the outputs, found in
    /// `ws.output_grad`, after a [`Network::forward`] on the same rows. Writes the
    /// parameter gradient to `ws.grads`, and the input gradient to `ws.input_grad` when
    /// `input_grad` is set (training does not need it).
    pub fn backward(&self, ws: &mut Workspace, rows: usize, input_grad: bool) {
        ws.grads.fill(0.0);
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let weights = &self.params[layer.weights..layer.biases];
            let input = &ws.activations[l];
            let (delta_in_all, delta_out_all) = ws.deltas.split_at_mut(l + 1);
            let delta_out = &delta_out_all[0];
            let delta_in = &mut delta_in_all[l];
            let (grad_w, grad_b) = ws.grads[layer.weights..layer.biases + layer.outputs]
                .split_at_mut(layer.inputs * layer.outputs);
            let shape = layer.shape(rows);
            kernel::layer_gradient(input, delta_out, grad_w, grad_b, shape);
            if l > 0 || input_grad {
                // The input of a hidden layer is a ReLU output: no gradient where it is 0.
                kernel::input_gradient(input, weights, delta_out, delta_in, shape, l > 0);
            }
        }
    }

    /// Predictions for every row of `x`.
    pub fn predict(&self, x: ArrayView2<f64>) -> Vec<f64> {
        let mut ws = Workspace::new(self, PREDICT_CHUNK);
        let mut out = Vec::with_capacity(x.nrows());
        for start in (0..x.nrows()).step_by(PREDICT_CHUNK) {
            let rows = ws.load(x, start);
            self.forward(&mut ws, rows);
            out.extend(ws.output()[..rows].iter().map(|&p| widen(p)));
        }
        out
    }

    /// The mean over the rows of `x` of the gradient of the output with respect to the
    /// input: a network's effective weights. For a linear model these are its weights.
    pub fn mean_input_gradient(&self, x: ArrayView2<f64>) -> [f64; FEATURES] {
        let mut ws = Workspace::new(self, PREDICT_CHUNK);
        let mut total = [0.0; FEATURES];
        for start in (0..x.nrows()).step_by(PREDICT_CHUNK) {
            let rows = ws.load(x, start);
            self.forward(&mut ws, rows);
            ws.output_grad_mut()[..rows].fill(1.0);
            self.backward(&mut ws, rows, true);
            for r in 0..rows {
                for (t, g) in total.iter_mut().zip(&ws.input_grad()[r * FEATURES..]) {
                    *t += widen(*g);
                }
            }
        }
        total.map(|t| t / x.nrows() as f64)
    }
}

/// Rows evaluated at once when predicting.
const PREDICT_CHUNK: usize = 256;

/// Buffers for the forward and backward passes of a batch, allocated once per training
/// run so that the training loop itself allocates nothing.
#[derive(Clone, Debug)]
pub struct Workspace {
    capacity: usize,
    /// Layer inputs and outputs: `activations[0]` is the batch, the last is the output.
    activations: Vec<Vec<Real>>,
    /// Gradients of the loss with respect to each entry of `activations`.
    deltas: Vec<Vec<Real>>,
    /// Gradient with respect to every parameter.
    pub grads: Vec<Real>,
}

impl Workspace {
    /// Buffers for batches of up to `capacity` rows.
    pub fn new(net: &Network, capacity: usize) -> Workspace {
        let buffers = || net.sizes.iter().map(|&s| vec![0.0; s * capacity]).collect();
        Workspace {
            capacity,
            activations: buffers(),
            deltas: buffers(),
            grads: vec![0.0; net.params.len()],
        }
    }

    /// The largest batch these buffers hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The batch input, `capacity` rows of X1, X2, X3.
    pub fn input_mut(&mut self) -> &mut [Real] {
        &mut self.activations[0]
    }

    /// Copies up to `capacity` rows of `x` from `start` into the input; returns how many.
    fn load(&mut self, x: ArrayView2<f64>, start: usize) -> usize {
        let rows = self.capacity.min(x.nrows() - start);
        let input = &mut self.activations[0];
        for r in 0..rows {
            for f in 0..FEATURES {
                input[r * FEATURES + f] = x[[start + r, f]] as Real;
            }
        }
        rows
    }

    /// The network's outputs after a forward pass.
    pub fn output(&self) -> &[Real] {
        self.activations
            .last()
            .expect("a network has an output layer")
    }

    /// Where the gradient of the loss with respect to each output goes before a backward
    /// pass.
    pub fn output_grad_mut(&mut self) -> &mut [Real] {
        self.deltas
            .last_mut()
            .expect("a network has an output layer")
    }

    /// The gradient with respect to the inputs after a backward pass.
    pub fn input_grad(&self) -> &[Real] {
        &self.deltas[0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;
    use ndarray::Array2;

    /// Mean squared error of the network on a batch, as the training loop computes it.
    fn batch_loss(net: &Network, x: &Array2<f64>, y: &[f64]) -> f64 {
        let predictions = net.predict(x.view());
        predictions
            .iter()
            .zip(y)
            .map(|(p, t)| (p - t) * (p - t))
            .sum::<f64>()
            / y.len() as f64
    }

    fn random_batch(rows: usize, rng: &mut LabRng) -> (Array2<f64>, Vec<f64>) {
        let x = Array2::from_shape_fn((rows, FEATURES), |_| rng.normal());
        let y = (0..rows).map(|_| 3.0 + rng.normal()).collect();
        (x, y)
    }

    fn analytic_gradient(net: &Network, x: &Array2<f64>, y: &[f64]) -> Vec<f64> {
        let rows = y.len();
        let mut ws = Workspace::new(net, rows);
        ws.load(x.view(), 0);
        net.forward(&mut ws, rows);
        for (r, &target) in y.iter().enumerate() {
            let error = ws.output()[r] - target as Real;
            ws.output_grad_mut()[r] = 2.0 * error / rows as Real;
        }
        net.backward(&mut ws, rows, false);
        ws.grads.iter().map(|&g| widen(g)).collect()
    }

    /// Finite-difference step and tolerance for the precision the network computes in.
    const H: f64 = if cfg!(feature = "f64") { 1e-6 } else { 3e-3 };
    const TOLERANCE: f64 = if cfg!(feature = "f64") { 1e-6 } else { 1e-2 };

    #[test]
    fn parameter_gradients_match_finite_differences() {
        let mut rng = LabRng::new(11, Stream::Init);
        for hidden in [vec![], vec![5], vec![6, 4]] {
            let net = Network::new(&hidden, &mut rng);
            let (x, y) = random_batch(7, &mut rng);
            let analytic = analytic_gradient(&net, &x, &y);
            for (k, &exact) in analytic.iter().enumerate() {
                let mut plus = net.clone();
                plus.params_mut()[k] += H as Real;
                let mut minus = net.clone();
                minus.params_mut()[k] -= H as Real;
                let up = batch_loss(&plus, &x, &y);
                let down = batch_loss(&minus, &x, &y);
                // The step actually taken, after rounding to the parameters' type.
                let h = widen(plus.params()[k]) - widen(net.params()[k]);
                let h_down = widen(net.params()[k]) - widen(minus.params()[k]);
                let numeric = (up - down) / (h + h_down);
                let scale = 1.0f64.max(numeric.abs());
                assert!(
                    (exact - numeric).abs() < TOLERANCE * scale,
                    "hidden {hidden:?}, parameter {k}: analytic {exact} numeric {numeric}"
                );
            }
        }
    }

    #[test]
    fn input_gradient_matches_finite_differences() {
        let mut rng = LabRng::new(12, Stream::Init);
        let net = Network::new(&[8, 8], &mut rng);
        let (x, _) = random_batch(20, &mut rng);
        let analytic = net.mean_input_gradient(x.view());
        let h = H;
        for f in 0..FEATURES {
            let mut plus = x.clone();
            plus.column_mut(f).mapv_inplace(|v| v + h);
            let mut minus = x.clone();
            minus.column_mut(f).mapv_inplace(|v| v - h);
            let up: f64 = net.predict(plus.view()).iter().sum();
            let down: f64 = net.predict(minus.view()).iter().sum();
            let numeric = (up - down) / (2.0 * h * x.nrows() as f64);
            assert!(
                (analytic[f] - numeric).abs() < TOLERANCE,
                "feature {f}: {analytic:?} vs {numeric}"
            );
        }
    }

    #[test]
    fn linear_effective_weights_are_its_weights() {
        let mut rng = LabRng::new(13, Stream::Init);
        let net = Network::linear(&mut rng);
        let (x, _) = random_batch(30, &mut rng);
        let params = net.linear_params().unwrap();
        let grad = net.mean_input_gradient(x.view());
        for (g, w) in grad.iter().zip(params.weights) {
            assert!((g - w).abs() < 1e-15);
        }
    }

    #[test]
    fn initialisation_follows_pytorch_bounds() {
        let mut rng = LabRng::new(14, Stream::Init);
        let net = Network::new(&[32, 32], &mut rng);
        assert_eq!(net.params().len(), 3 * 32 + 32 + 32 * 32 + 32 + 32 + 1);
        let first = &net.params()[..3 * 32 + 32];
        // Rounding to the parameters' type keeps a draw within its rounded bound.
        let bound = (1.0 / 3.0f64.sqrt()) as Real;
        assert!(first.iter().all(|p| p.abs() <= bound));
        assert!(first.iter().any(|p| p.abs() > 0.9 * bound));
        let second = &net.params()[3 * 32 + 32..3 * 32 + 32 + 32 * 32 + 32];
        let bound = (1.0 / 32.0f64.sqrt()) as Real;
        assert!(second.iter().all(|p| p.abs() <= bound));
    }
}
