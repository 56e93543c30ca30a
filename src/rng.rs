//! Seeded randomness that gives the same numbers on every platform.
//!
//! The lesson promises that a seed reproduces a figure exactly, in the browser and on the
//! command line. Everything random therefore goes through [`LabRng`], a ChaCha8 stream
//! whose output is specified bit for bit, and the few transcendental functions the
//! samplers need come from `libm`, which is the same code on every target. Samplers are
//! written here rather than taken from `rand_distr` so that their algorithms are fixed by
//! this crate and not by a dependency's release notes.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The independent streams a run draws from. Separate streams keep comparisons paired:
/// the test sets of run `r` are the same whichever method trains on them, and two methods
/// that share training data also share their initial weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Causes and noise of the training set.
    TrainData,
    /// The IID test set.
    IidData,
    /// The OOD test set.
    OodData,
    /// The spurious factors of randomized training domains.
    Domains,
    /// Initial weights and biases.
    Init,
    /// Minibatch order.
    Shuffle,
    /// Augmentation of the spurious feature.
    Augment,
}

impl Stream {
    fn tag(self) -> u64 {
        match self {
            Stream::TrainData => 1,
            Stream::IidData => 2,
            Stream::OodData => 3,
            Stream::Domains => 4,
            Stream::Init => 5,
            Stream::Shuffle => 6,
            Stream::Augment => 7,
        }
    }
}

/// A seeded random number generator with the samplers the lesson needs.
#[derive(Clone, Debug)]
pub struct LabRng {
    inner: ChaCha8Rng,
    /// The second value of the last Box-Muller pair, if it has not been used yet.
    spare_normal: Option<f64>,
}

impl LabRng {
    /// A generator for one stream of one run's seed.
    pub fn new(seed: u64, stream: Stream) -> Self {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(stream.tag());
        LabRng {
            inner,
            spare_normal: None,
        }
    }

    /// A uniform draw from [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.inner.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform draw from [low, high).
    pub fn uniform_in(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    /// A uniform index in `0..n` without modulo bias (Lemire's multiply-and-reject).
    ///
    /// `n` must be at least 1. The arithmetic is 64-bit on every target, so the result
    /// does not depend on the width of `usize`.
    pub fn index(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        let n = n as u64;
        let mut product = u128::from(self.inner.next_u64()) * u128::from(n);
        // The threshold 2^64 mod n is below n, so a low half of at least n is always
        // accepted: the division that finds the threshold is needed only below that.
        if (product as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (product as u64) < threshold {
                product = u128::from(self.inner.next_u64()) * u128::from(n);
            }
        }
        (product >> 64) as usize
    }

    /// A standard normal draw by the Box-Muller transform.
    pub fn normal(&mut self) -> f64 {
        if let Some(spare) = self.spare_normal.take() {
            return spare;
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = libm::sqrt(-2.0 * libm::log(1.0 - self.uniform()));
        let angle = 2.0 * std::f64::consts::PI * self.uniform();
        // One argument reduction for both: libm's sincos gives exactly its sin and cos.
        let (sin, cos) = libm::sincos(angle);
        self.spare_normal = Some(radius * sin);
        radius * cos
    }

    /// Shuffles a slice in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

/// The seed of run `run` of an experiment seeded with `seed`.
pub fn run_seed(seed: u64, run: usize) -> u64 {
    seed.wrapping_add(run as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4)
            .map(|_| LabRng::new(7, Stream::Init).inner.next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut init = LabRng::new(7, Stream::Init);
        let mut shuffle = LabRng::new(7, Stream::Shuffle);
        assert_ne!(init.uniform(), shuffle.uniform());
    }

    #[test]
    fn index_stays_in_range_and_covers_it() {
        let mut rng = LabRng::new(1, Stream::Shuffle);
        let mut seen = [0usize; 5];
        for _ in 0..5000 {
            seen[rng.index(5)] += 1;
        }
        assert!(seen.iter().all(|&c| (900..1100).contains(&c)), "{seen:?}");
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = LabRng::new(3, Stream::Shuffle);
        let mut v: Vec<usize> = (0..100).collect();
        rng.shuffle(&mut v);
        assert_ne!(v, (0..100).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..100).collect::<Vec<_>>());
    }
}
