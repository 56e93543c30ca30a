//! Seeded randomness that gives the same numbers on every platform.
//!
//! The lesson promises that a seed reproduces a figure exactly, in the browser and on the
//! command line. Everything random therefore goes through [`LabRng`], a ChaCha8 stream
//! whose output is specified bit for bit (`rand_chacha`'s `ChaCha8Rng`; in the browser,
//! where that crate has only scalar code, the same words computed four blocks at a time in
//! wasm SIMD by the kernel crate), and the few transcendental functions the
//! samplers need come from `libm`, which is the same code on every target. Samplers are
//! written here rather than taken from `rand_distr` so that their algorithms are fixed by
//! this crate and not by a dependency's release notes.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use spurious_kernel::{BLOCK_WORDS, BUFFER_WORDS, chacha8_blocks};

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

/// The ChaCha8 stream of one seed and stream number, 64 bits at a time: `rand_chacha`'s
/// own generator, which uses SIMD on x86-64.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[derive(Clone, Debug)]
struct ChaCha8Stream(ChaCha8Rng);

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
impl ChaCha8Stream {
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        ChaCha8Stream(rng)
    }

    fn next_u64(&mut self) -> u64 {
        rand::Rng::next_u64(&mut self.0)
    }
}

/// The same stream in wasm with SIMD, where `rand_chacha` computes its blocks in scalar
/// code: the kernel's four-lane blocks, read the way `ChaCha8Rng` reads its buffer (two
/// words at a time, the low one first). A browser test compares the two word for word.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[derive(Clone, Debug)]
struct ChaCha8Stream {
    key: [u32; 8],
    stream: u64,
    /// The first block of the next refill.
    counter: u64,
    buffer: [u32; BUFFER_WORDS],
    /// The next unread word of `buffer`; always even, as only pairs are read.
    next: usize,
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl ChaCha8Stream {
    fn new(seed: u64, stream: u64) -> Self {
        // The key is `rand_core`'s expansion of a u64 seed, taken from the reference
        // itself so that the two cannot drift apart.
        let bytes = ChaCha8Rng::seed_from_u64(seed).get_seed();
        let key = core::array::from_fn(|i| {
            u32::from_le_bytes([
                bytes[4 * i],
                bytes[4 * i + 1],
                bytes[4 * i + 2],
                bytes[4 * i + 3],
            ])
        });
        ChaCha8Stream {
            key,
            stream,
            counter: 0,
            buffer: [0; BUFFER_WORDS],
            next: BUFFER_WORDS,
        }
    }

    fn next_u64(&mut self) -> u64 {
        if self.next == BUFFER_WORDS {
            chacha8_blocks(&self.key, self.counter, self.stream, &mut self.buffer);
            self.counter = self
                .counter
                .wrapping_add((BUFFER_WORDS / BLOCK_WORDS) as u64);
            self.next = 0;
        }
        let (low, high) = (self.buffer[self.next], self.buffer[self.next + 1]);
        self.next += 2;
        (u64::from(high) << 32) | u64::from(low)
    }
}

/// A seeded random number generator with the samplers the lesson needs.
#[derive(Clone, Debug)]
pub struct LabRng {
    inner: ChaCha8Stream,
    /// The second value of the last Box-Muller pair, if it has not been used yet.
    spare_normal: Option<f64>,
}

impl LabRng {
    /// A generator for one stream of one run's seed.
    pub fn new(seed: u64, stream: Stream) -> Self {
        LabRng {
            inner: ChaCha8Stream::new(seed, stream.tag()),
            spare_normal: None,
        }
    }

    /// The next 64 bits of the stream: the same as `ChaCha8Rng::seed_from_u64(seed)` with
    /// `set_stream` to this stream's number gives from its `next_u64`.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
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
        let (mut high, mut low) = wide_product(self.inner.next_u64(), n);
        // The threshold 2^64 mod n is below n, so a low half of at least n is always
        // accepted: the division that finds the threshold is needed only below that.
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                (high, low) = wide_product(self.inner.next_u64(), n);
            }
        }
        high as usize
    }

    /// A standard normal draw by the Box-Muller transform.
    pub fn normal(&mut self) -> f64 {
        if let Some(spare) = self.spare_normal.take() {
            return spare;
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        // IEEE square roots are correctly rounded everywhere; the standard one is a single
        // instruction in wasm too, where libm's is software.
        let radius = (-2.0 * libm::log(1.0 - self.uniform())).sqrt();
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

/// The 128-bit product `r · n` as its high and low 64-bit halves. For `n` below 2^32, the
/// lesson's case, it is put together from two 64-bit products: wasm32 has no 64 × 64 → 128
/// multiplication and would otherwise call a software routine for every index.
fn wide_product(r: u64, n: u64) -> (u64, u64) {
    if n > u64::from(u32::MAX) {
        let product = u128::from(r) * u128::from(n);
        return ((product >> 64) as u64, product as u64);
    }
    const LOW: u64 = 0xFFFF_FFFF;
    // r = a·2^32 + b, so r·n = (a·n)·2^32 + b·n, each product below 2^64.
    let upper = (r >> 32) * n;
    let lower = (r & LOW) * n;
    let middle = (upper & LOW) + (lower >> 32);
    (
        (upper >> 32) + (middle >> 32),
        (middle << 32) | (lower & LOW),
    )
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
    fn wide_product_is_the_128_bit_product() {
        let mut rng = LabRng::new(9, Stream::Shuffle);
        // Each bound itself and a random n up to it, on both sides of 2^32.
        let bounds = [
            1u64,
            2,
            3,
            5000,
            1 << 31,
            u64::from(u32::MAX),
            1 << 32,
            u64::MAX,
        ];
        for _ in 0..10_000 {
            let r = rng.inner.next_u64();
            for &bound in &bounds {
                for n in [bound, 1 + rng.inner.next_u64() % bound] {
                    let exact = u128::from(r) * u128::from(n);
                    let (high, low) = wide_product(r, n);
                    assert_eq!(
                        (high, low),
                        ((exact >> 64) as u64, exact as u64),
                        "{r} · {n}"
                    );
                }
            }
        }
        for (r, n) in [(u64::MAX, u64::from(u32::MAX)), (u64::MAX, 1), (0, 7)] {
            let exact = u128::from(r) * u128::from(n);
            assert_eq!(wide_product(r, n), ((exact >> 64) as u64, exact as u64));
        }
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
