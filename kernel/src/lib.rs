//! The loops of training: a layer's forward pass, its weight and input gradients, and
//! Adam's update, with the small loops they are made of (a scaled vector added to
//! another, ReLU, the dot product); and, in wasm with SIMD, the blocks of the ChaCha8
//! stream that every random draw comes from (`chacha8_blocks`).
//!
//! Each is written twice, behind one interface. `portable` is plain loops in a fixed
//! order. `lanes`, used when the crate is built for wasm32 with SIMD and f32, does the same
//! IEEE operations four lanes at a time with `core::arch::wasm32`: lane k of a vector holds
//! element k of a group of four, so every element sees exactly the multiplications,
//! additions and roundings of the portable loop, and the two give the same bits (a browser
//! test compares them). Written out, the lanes also keep a layer's outputs in registers
//! while its inputs or the batch's rows are added, which the auto-vectoriser does not.
//!
//! The loops are a crate of their own so that they can be built for speed inside a page
//! built for size: Cargo sets the optimisation level per crate, and the page's profile
//! builds everything else at `z`, where these loops would lose their registers and run
//! two to three times slower.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod chacha;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use chacha::{BLOCK_WORDS, BUFFER_WORDS, chacha8_blocks};

/// The number type of parameters, activations and gradients.
#[cfg(not(feature = "f64"))]
pub type Real = f32;
/// The number type of parameters, activations and gradients.
#[cfg(feature = "f64")]
pub type Real = f64;

#[cfg(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(feature = "f64")
))]
use lanes as chosen;
#[cfg(not(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(feature = "f64")
)))]
use portable as chosen;

/// `z[o] += w[o] · a` for every o; `z` and `w` have the same length.
#[inline(always)]
fn add_scaled(z: &mut [Real], w: &[Real], a: Real) {
    debug_assert_eq!(z.len(), w.len());
    chosen::add_scaled(z, w, a);
}

/// ReLU of one value: `z` where it is above zero, else +0 (also for −0 and NaN).
#[inline(always)]
fn relu_one(z: Real) -> Real {
    if 0.0 < z { z } else { 0.0 }
}

/// The dot product of two equally long slices, summed in four interleaved partial sums
/// (element j goes to sum j mod 4) that are then added pairwise; a tail shorter than four
/// is added in order. The order is fixed by this code, so the result is the same on every
/// target, and the four independent sums are the four SIMD lanes.
///
/// ```
/// # use spurious_kernel::dot;
/// assert_eq!(dot(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 5]), 15.0);
/// ```
pub fn dot(a: &[Real], b: &[Real]) -> Real {
    debug_assert_eq!(a.len(), b.len());
    let (sums, tail) = chosen::dot_sums(a, b);
    let mut total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for j in tail..a.len().min(b.len()) {
        total += a[j] * b[j];
    }
    total
}

/// The shape of one layer applied to a batch: `x` holds `rows` rows of `inputs` values,
/// the weights `inputs` rows of `outputs` (`w[i][o]` at `i·outputs + o`), and the results
/// `rows` rows of `outputs`.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub rows: usize,
    pub inputs: usize,
    pub outputs: usize,
}

/// A layer's forward pass: `out[r][o] = b[o] + w[0][o]·x[r][0] + w[1][o]·x[r][1] + …`,
/// added in that order, then ReLU when `relu` is set. A layer of one output (its weights
/// contiguous) is instead `b[0] + dot(w, x[r])`.
pub fn layer_forward(
    x: &[Real],
    w: &[Real],
    b: &[Real],
    out: &mut [Real],
    shape: Shape,
    relu: bool,
) {
    let Shape {
        rows,
        inputs,
        outputs,
    } = shape;
    if outputs == 1 {
        for r in 0..rows {
            let z = b[0] + dot(w, &x[r * inputs..(r + 1) * inputs]);
            out[r] = if relu { relu_one(z) } else { z };
        }
        return;
    }
    chosen::layer_forward(x, w, b, out, shape, relu);
}

/// A layer's parameter gradient, added to `grad_w` and `grad_b`: `grad_w[i][o]` gains
/// `d[r][o]·x[r][i]` and `grad_b[o]` gains `d[r][o]`, for r = 0, 1, … in that order.
pub fn layer_gradient(
    x: &[Real],
    d: &[Real],
    grad_w: &mut [Real],
    grad_b: &mut [Real],
    shape: Shape,
) {
    let Shape {
        rows,
        inputs,
        outputs,
    } = shape;
    if outputs == 1 {
        // One output: its weights are contiguous, one vector per row.
        for r in 0..rows {
            grad_b[0] += d[r];
            add_scaled(grad_w, &x[r * inputs..(r + 1) * inputs], d[r]);
        }
        return;
    }
    chosen::layer_gradient(x, d, grad_w, grad_b, shape);
}

/// The gradient with respect to a layer's input: `d_in[r][i] = dot(w[i], d[r])`, the
/// [`dot`] of weight row i with the row's output gradient, or 0 where `relu_input` is set
/// and the input `x[r][i]` is at most 0 (a ReLU output that passed no gradient).
///
/// Masked inputs cost nothing here, which is why this stays a dot product per input: a
/// version with four inputs to a vector (weights transposed into a scratch buffer, same
/// order of sums) measured slower, as it computes the masked half too. A layer of one
/// output is the exception: its dot products have one element each, 0 + w·d, and run
/// four inputs to a vector.
pub fn input_gradient(
    x: &[Real],
    w: &[Real],
    d: &[Real],
    d_in: &mut [Real],
    shape: Shape,
    relu_input: bool,
) {
    let Shape {
        rows,
        inputs,
        outputs,
    } = shape;
    for r in 0..rows {
        let a = &x[r * inputs..(r + 1) * inputs];
        let d_in = &mut d_in[r * inputs..(r + 1) * inputs];
        if outputs == 1 {
            chosen::one_output_gradient(a, w, d[r], d_in, relu_input);
            continue;
        }
        let d_r = &d[r * outputs..(r + 1) * outputs];
        for ((g, &x), w_i) in d_in.iter_mut().zip(a).zip(w.chunks_exact(outputs)) {
            *g = if relu_input && x <= 0.0 {
                0.0
            } else {
                dot(w_i, d_r)
            };
        }
    }
}

/// The constants of one Adam step, in the parameters' type.
#[derive(Clone, Copy, Debug)]
pub struct AdamStep {
    pub beta1: Real,
    pub beta2: Real,
    /// ε · √(1 − β₂ᵗ).
    pub eps: Real,
    /// lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ).
    pub step_size: Real,
}

/// Adam's update of every parameter: the moments `m` and `v` follow the gradient `g`,
/// and `p` moves by `step_size · m / (√v + eps)`: PyTorch's
/// `lr / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)` with both bias corrections folded into
/// the step's two scalars, as Kingma and Ba's paper orders it, which saves a division per
/// parameter.
pub fn adam(p: &mut [Real], g: &[Real], m: &mut [Real], v: &mut [Real], step: AdamStep) {
    debug_assert!(p.len() == g.len() && p.len() == m.len() && p.len() == v.len());
    chosen::adam(p, g, m, v, step);
}

/// Adam's update of one parameter `p`; returns its new value.
#[inline(always)]
fn adam_one(p: Real, g: Real, m: &mut Real, v: &mut Real, step: AdamStep) -> Real {
    let AdamStep {
        beta1,
        beta2,
        eps,
        step_size,
    } = step;
    *m = beta1 * *m + (1.0 - beta1) * g;
    *v = beta2 * *v + (1.0 - beta2) * g * g;
    let denom = v.sqrt() + eps;
    p - step_size * (*m / denom)
}

/// The input gradient of a one-output layer at one input `x` of weight `w`, for output
/// gradient `d`: `dot` of one element (its empty sums, 0, plus w·d), or 0 where
/// `relu_input` is set and `x` is at most 0.
#[inline(always)]
fn one_output_one(x: Real, w: Real, d: Real, relu_input: bool) -> Real {
    if relu_input && x <= 0.0 {
        0.0
    } else {
        0.0 + w * d
    }
}

/// Plain loops, in the order the four-lane versions keep.
#[cfg(not(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(feature = "f64")
)))]
mod portable {
    use super::{AdamStep, Real, Shape, adam_one, one_output_one, relu_one};

    #[inline(always)]
    pub fn add_scaled(z: &mut [Real], w: &[Real], a: Real) {
        for (z_o, &w_o) in z.iter_mut().zip(w) {
            *z_o += w_o * a;
        }
    }

    #[inline(always)]
    fn add(z: &mut [Real], d: &[Real]) {
        for (z_o, &d_o) in z.iter_mut().zip(d) {
            *z_o += d_o;
        }
    }

    /// The four partial sums of `dot`, and where its tail starts.
    #[inline(always)]
    pub fn dot_sums(a: &[Real], b: &[Real]) -> ([Real; 4], usize) {
        let mut sums = [0.0; 4];
        for (x, y) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
            for k in 0..4 {
                sums[k] += x[k] * y[k];
            }
        }
        (sums, a.len().min(b.len()) / 4 * 4)
    }

    #[inline(always)]
    pub fn layer_forward(
        x: &[Real],
        w: &[Real],
        b: &[Real],
        out: &mut [Real],
        shape: Shape,
        relu: bool,
    ) {
        for r in 0..shape.rows {
            let a = &x[r * shape.inputs..(r + 1) * shape.inputs];
            let z = &mut out[r * shape.outputs..(r + 1) * shape.outputs];
            z.copy_from_slice(b);
            for (&a_i, w_i) in a.iter().zip(w.chunks_exact(shape.outputs)) {
                add_scaled(z, w_i, a_i);
            }
            if relu {
                for z_o in z {
                    *z_o = relu_one(*z_o);
                }
            }
        }
    }

    #[inline(always)]
    pub fn layer_gradient(
        x: &[Real],
        d: &[Real],
        grad_w: &mut [Real],
        grad_b: &mut [Real],
        shape: Shape,
    ) {
        let Shape {
            rows,
            inputs,
            outputs,
        } = shape;
        for r in 0..rows {
            let a = &x[r * inputs..(r + 1) * inputs];
            let d_r = &d[r * outputs..(r + 1) * outputs];
            add(grad_b, d_r);
            for (&a_i, g_i) in a.iter().zip(grad_w.chunks_exact_mut(outputs)) {
                add_scaled(g_i, d_r, a_i);
            }
        }
    }

    /// `input_gradient` of a one-output layer for one row: `a` its inputs, `d` its output
    /// gradient.
    #[inline(always)]
    pub fn one_output_gradient(
        a: &[Real],
        w: &[Real],
        d: Real,
        d_in: &mut [Real],
        relu_input: bool,
    ) {
        for ((g, &x), &w) in d_in.iter_mut().zip(a).zip(w) {
            *g = one_output_one(x, w, d, relu_input);
        }
    }

    #[inline(always)]
    pub fn adam(p: &mut [Real], g: &[Real], m: &mut [Real], v: &mut [Real], step: AdamStep) {
        for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
            *p = adam_one(*p, g, m, v, step);
        }
    }
}

/// The four-lane versions. Elements are taken four at a time; the last one to three go
/// through the same arithmetic one at a time.
#[cfg(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(feature = "f64")
))]
mod lanes {
    use core::arch::wasm32::{
        f32x4_add, f32x4_div, f32x4_extract_lane, f32x4_le, f32x4_mul, f32x4_pmax, f32x4_splat,
        f32x4_sqrt, f32x4_sub, v128, v128_bitselect, v128_load, v128_store,
    };

    use super::{AdamStep, Shape, adam_one, one_output_one, relu_one};

    /// Elements `at..at + 4` of `s`.
    #[inline(always)]
    fn load(s: &[f32], at: usize) -> v128 {
        assert!(at + 4 <= s.len());
        // SAFETY: the four floats are inside `s` (checked above); wasm loads need no
        // alignment.
        unsafe { v128_load(s.as_ptr().add(at).cast()) }
    }

    #[inline(always)]
    fn store(s: &mut [f32], at: usize, x: v128) {
        assert!(at + 4 <= s.len());
        // SAFETY: as in `load`, and `s` is borrowed mutably.
        unsafe { v128_store(s.as_mut_ptr().add(at).cast(), x) }
    }

    #[inline(always)]
    pub fn add_scaled(z: &mut [f32], w: &[f32], a: f32) {
        let n = z.len().min(w.len());
        let a4 = f32x4_splat(a);
        let mut at = 0;
        while at + 4 <= n {
            store(z, at, f32x4_add(load(z, at), f32x4_mul(load(w, at), a4)));
            at += 4;
        }
        while at < n {
            z[at] += w[at] * a;
            at += 1;
        }
    }

    #[inline(always)]
    fn add(z: &mut [f32], d: &[f32]) {
        let n = z.len().min(d.len());
        let mut at = 0;
        while at + 4 <= n {
            store(z, at, f32x4_add(load(z, at), load(d, at)));
            at += 4;
        }
        while at < n {
            z[at] += d[at];
            at += 1;
        }
    }

    /// The four partial sums of `dot`, and where its tail starts.
    #[inline(always)]
    pub fn dot_sums(a: &[f32], b: &[f32]) -> ([f32; 4], usize) {
        let n = a.len().min(b.len());
        let mut sums = f32x4_splat(0.0);
        let mut at = 0;
        while at + 4 <= n {
            sums = f32x4_add(sums, f32x4_mul(load(a, at), load(b, at)));
            at += 4;
        }
        let sums = [
            f32x4_extract_lane::<0>(sums),
            f32x4_extract_lane::<1>(sums),
            f32x4_extract_lane::<2>(sums),
            f32x4_extract_lane::<3>(sums),
        ];
        (sums, at)
    }

    /// `V` vectors of `s` from `at`.
    #[inline(always)]
    fn load_n<const V: usize>(s: &[f32], at: usize) -> [v128; V] {
        core::array::from_fn(|k| load(s, at + 4 * k))
    }

    #[inline(always)]
    fn store_n<const V: usize>(s: &mut [f32], at: usize, x: [v128; V]) {
        for (k, x) in x.into_iter().enumerate() {
            store(s, at + 4 * k, x);
        }
    }

    /// `layer_forward` for the outputs `o..o + 4V` of row `r`, held in registers while the
    /// inputs are added.
    #[inline(always)]
    fn forward_block<const V: usize>(
        x: &[f32],
        w: &[f32],
        b: &[f32],
        out: &mut [f32],
        shape: Shape,
        relu: bool,
        (r, o): (usize, usize),
    ) {
        let mut acc: [v128; V] = load_n(b, o);
        for i in 0..shape.inputs {
            let a = f32x4_splat(x[r * shape.inputs + i]);
            let w_i: [v128; V] = load_n(w, i * shape.outputs + o);
            for k in 0..V {
                acc[k] = f32x4_add(acc[k], f32x4_mul(w_i[k], a));
            }
        }
        if relu {
            let zero = f32x4_splat(0.0);
            for z in &mut acc {
                *z = f32x4_pmax(zero, *z);
            }
        }
        store_n(out, r * shape.outputs + o, acc);
    }

    #[inline(always)]
    pub fn layer_forward(
        x: &[f32],
        w: &[f32],
        b: &[f32],
        out: &mut [f32],
        shape: Shape,
        relu: bool,
    ) {
        let outputs = shape.outputs;
        for r in 0..shape.rows {
            let mut o = 0;
            while o + 32 <= outputs {
                forward_block::<8>(x, w, b, out, shape, relu, (r, o));
                o += 32;
            }
            while o + 4 <= outputs {
                forward_block::<1>(x, w, b, out, shape, relu, (r, o));
                o += 4;
            }
            while o < outputs {
                let mut z = b[o];
                for i in 0..shape.inputs {
                    z += w[i * outputs + o] * x[r * shape.inputs + i];
                }
                out[r * outputs + o] = if relu { relu_one(z) } else { z };
                o += 1;
            }
        }
    }

    /// `layer_gradient`'s weights `w[i][o..o + 4V]`, held in registers while the rows are
    /// added.
    #[inline(always)]
    fn gradient_block<const V: usize>(
        x: &[f32],
        d: &[f32],
        grad_w: &mut [f32],
        shape: Shape,
        (i, o): (usize, usize),
    ) {
        let at = i * shape.outputs + o;
        let mut acc: [v128; V] = load_n(grad_w, at);
        for r in 0..shape.rows {
            let a = f32x4_splat(x[r * shape.inputs + i]);
            let d_r: [v128; V] = load_n(d, r * shape.outputs + o);
            for k in 0..V {
                acc[k] = f32x4_add(acc[k], f32x4_mul(d_r[k], a));
            }
        }
        store_n(grad_w, at, acc);
    }

    #[inline(always)]
    pub fn layer_gradient(
        x: &[f32],
        d: &[f32],
        grad_w: &mut [f32],
        grad_b: &mut [f32],
        shape: Shape,
    ) {
        let Shape {
            rows,
            inputs,
            outputs,
        } = shape;
        for r in 0..rows {
            add(grad_b, &d[r * outputs..(r + 1) * outputs]);
        }
        for i in 0..inputs {
            let mut o = 0;
            while o + 32 <= outputs {
                gradient_block::<8>(x, d, grad_w, shape, (i, o));
                o += 32;
            }
            while o + 4 <= outputs {
                gradient_block::<1>(x, d, grad_w, shape, (i, o));
                o += 4;
            }
            while o < outputs {
                let mut g = grad_w[i * outputs + o];
                for r in 0..rows {
                    g += d[r * outputs + o] * x[r * inputs + i];
                }
                grad_w[i * outputs + o] = g;
                o += 1;
            }
        }
    }

    /// `input_gradient` of a one-output layer for one row: `a` its inputs, `d` its output
    /// gradient.
    #[inline(always)]
    pub fn one_output_gradient(a: &[f32], w: &[f32], d: f32, d_in: &mut [f32], relu_input: bool) {
        let n = a.len().min(w.len()).min(d_in.len());
        let zero = f32x4_splat(0.0);
        let d4 = f32x4_splat(d);
        let mut at = 0;
        while at + 4 <= n {
            let mut g = f32x4_add(zero, f32x4_mul(load(w, at), d4));
            if relu_input {
                g = v128_bitselect(zero, g, f32x4_le(load(a, at), zero));
            }
            store(d_in, at, g);
            at += 4;
        }
        while at < n {
            d_in[at] = one_output_one(a[at], w[at], d, relu_input);
            at += 1;
        }
    }

    #[inline(always)]
    pub fn adam(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], step: AdamStep) {
        let n = p.len().min(g.len()).min(m.len()).min(v.len());
        let beta1 = f32x4_splat(step.beta1);
        let beta2 = f32x4_splat(step.beta2);
        let rest1 = f32x4_splat(1.0 - step.beta1);
        let rest2 = f32x4_splat(1.0 - step.beta2);
        let eps = f32x4_splat(step.eps);
        let step_size = f32x4_splat(step.step_size);
        let mut at = 0;
        while at + 4 <= n {
            let gv = load(g, at);
            let mv = f32x4_add(f32x4_mul(beta1, load(m, at)), f32x4_mul(rest1, gv));
            let vv = f32x4_add(
                f32x4_mul(beta2, load(v, at)),
                f32x4_mul(f32x4_mul(rest2, gv), gv),
            );
            let denom = f32x4_add(f32x4_sqrt(vv), eps);
            let pv = f32x4_sub(load(p, at), f32x4_mul(step_size, f32x4_div(mv, denom)));
            store(m, at, mv);
            store(v, at, vv);
            store(p, at, pv);
            at += 4;
        }
        while at < n {
            p[at] = adam_one(p[at], g[at], &mut m[at], &mut v[at], step);
            at += 1;
        }
    }
}
