//! The element-wise loops of training: a scaled vector added to another, ReLU, the dot
//! product and Adam's update.
//!
//! Each is written twice. The portable version is a plain loop in a fixed order. The
//! WebAssembly version, used when the crate is built for wasm32 with SIMD and f32, does
//! the same IEEE operations on four lanes at a time with `core::arch::wasm32`: lane k of a
//! vector holds element k of a group of four, so every element sees exactly the
//! multiplications, additions and roundings of the portable loop, and the two give the
//! same bits. Writing the lanes out, instead of leaving them to the auto-vectoriser, keeps
//! the loops fast when the page is built for size, where the compiler vectorises nothing.

use crate::network::Real;

/// `z[o] += w[o] · a` for every o; `z` and `w` have the same length.
#[inline(always)]
pub fn add_scaled(z: &mut [Real], w: &[Real], a: Real) {
    debug_assert_eq!(z.len(), w.len());
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    ))]
    lanes::add_scaled(z, w, a);
    #[cfg(not(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    )))]
    for (z_o, &w_o) in z.iter_mut().zip(w) {
        *z_o += w_o * a;
    }
}

/// `z[o] += d[o]` for every o; `z` and `d` have the same length.
#[inline(always)]
pub fn add(z: &mut [Real], d: &[Real]) {
    debug_assert_eq!(z.len(), d.len());
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    ))]
    lanes::add(z, d);
    #[cfg(not(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    )))]
    for (z_o, &d_o) in z.iter_mut().zip(d) {
        *z_o += d_o;
    }
}

/// ReLU in place: `z` where it is above zero, else +0 (also for −0 and NaN).
#[inline(always)]
pub fn relu(z: &mut [Real]) {
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    ))]
    lanes::relu(z);
    #[cfg(not(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    )))]
    for z_o in z {
        *z_o = if 0.0 < *z_o { *z_o } else { 0.0 };
    }
}

/// The dot product of two equally long slices, summed in four interleaved partial sums
/// (element j goes to sum j mod 4) that are then added pairwise; a tail shorter than four
/// is added in order. The order is fixed by this code, so the result is the same on every
/// target, and the four independent sums are the four SIMD lanes.
///
/// ```
/// # use spurious_lab::kernel::dot;
/// assert_eq!(dot(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 5]), 15.0);
/// ```
#[inline(always)]
pub fn dot(a: &[Real], b: &[Real]) -> Real {
    debug_assert_eq!(a.len(), b.len());
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    ))]
    let (sums, tail) = lanes::dot_sums(a, b);
    #[cfg(not(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    )))]
    let (sums, tail) = {
        let mut sums = [0.0; 4];
        for (x, y) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
            for k in 0..4 {
                sums[k] += x[k] * y[k];
            }
        }
        (sums, a.len() - a.len() % 4)
    };
    let mut total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for j in tail..a.len().min(b.len()) {
        total += a[j] * b[j];
    }
    total
}

/// The constants of one Adam step, in the parameters' type.
#[derive(Clone, Copy, Debug)]
pub struct AdamStep {
    pub beta1: Real,
    pub beta2: Real,
    pub eps: Real,
    /// √(1 − β₂ᵗ).
    pub bias_correction2_sqrt: Real,
    /// lr / (1 − β₁ᵗ).
    pub step_size: Real,
}

/// Adam's update of every parameter: the moments `m` and `v` follow the gradient `g`,
/// and `p` moves by `step_size · m / (√v / √(1 − β₂ᵗ) + ε)`.
#[inline(always)]
pub fn adam(p: &mut [Real], g: &[Real], m: &mut [Real], v: &mut [Real], step: AdamStep) {
    debug_assert!(p.len() == g.len() && p.len() == m.len() && p.len() == v.len());
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    ))]
    lanes::adam(p, g, m, v, step);
    #[cfg(not(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        not(feature = "f64")
    )))]
    for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m).zip(v) {
        *p = adam_one(*p, g, m, v, step);
    }
}

/// Adam's update of one parameter `p`; returns its new value.
#[inline(always)]
fn adam_one(p: Real, g: Real, m: &mut Real, v: &mut Real, step: AdamStep) -> Real {
    let AdamStep {
        beta1,
        beta2,
        eps,
        bias_correction2_sqrt,
        step_size,
    } = step;
    *m = beta1 * *m + (1.0 - beta1) * g;
    *v = beta2 * *v + (1.0 - beta2) * g * g;
    let denom = v.sqrt() / bias_correction2_sqrt + eps;
    p - step_size * (*m / denom)
}

/// The four-lane versions. Elements are taken four at a time; the last one to three go
/// through the same arithmetic one at a time. Indexing is by plain `usize` in `while` loops,
/// which a build for size inlines, rather than through range slicing and iterator adapters,
/// which it may leave as calls.
#[cfg(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    not(feature = "f64")
))]
mod lanes {
    use core::arch::wasm32::{
        f32x4_add, f32x4_div, f32x4_extract_lane, f32x4_mul, f32x4_pmax, f32x4_splat, f32x4_sqrt,
        f32x4_sub, v128, v128_load, v128_store,
    };

    use super::{AdamStep, adam_one};

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
    pub fn add(z: &mut [f32], d: &[f32]) {
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

    #[inline(always)]
    pub fn relu(z: &mut [f32]) {
        let n = z.len();
        let zero = f32x4_splat(0.0);
        let mut at = 0;
        while at + 4 <= n {
            // pmax(0, z) is `if 0 < z { z } else { 0 }`, lane by lane.
            store(z, at, f32x4_pmax(zero, load(z, at)));
            at += 4;
        }
        while at < n {
            z[at] = if 0.0 < z[at] { z[at] } else { 0.0 };
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

    #[inline(always)]
    pub fn adam(p: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32], step: AdamStep) {
        let n = p.len().min(g.len()).min(m.len()).min(v.len());
        let beta1 = f32x4_splat(step.beta1);
        let beta2 = f32x4_splat(step.beta2);
        let rest1 = f32x4_splat(1.0 - step.beta1);
        let rest2 = f32x4_splat(1.0 - step.beta2);
        let eps = f32x4_splat(step.eps);
        let correction = f32x4_splat(step.bias_correction2_sqrt);
        let step_size = f32x4_splat(step.step_size);
        let mut at = 0;
        while at + 4 <= n {
            let gv = load(g, at);
            let mv = f32x4_add(f32x4_mul(beta1, load(m, at)), f32x4_mul(rest1, gv));
            let vv = f32x4_add(
                f32x4_mul(beta2, load(v, at)),
                f32x4_mul(f32x4_mul(rest2, gv), gv),
            );
            let denom = f32x4_add(f32x4_div(f32x4_sqrt(vv), correction), eps);
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
