//! The ChaCha8 stream behind every random draw in the browser, four blocks at a time in
//! wasm SIMD lanes.
//!
//! Each call computes blocks `counter .. counter + 4` of ChaCha with 8 rounds, a 256-bit
//! key, a 64-bit block counter and a 64-bit stream number (state words 12 and 13, then 14
//! and 15), and writes them one after another, sixteen words each. That is the layout
//! `rand_chacha`'s `ChaCha8Rng` fills its buffer with, so a reader of this buffer sees the
//! same words (a browser test compares them). `rand_chacha` computes its blocks with SIMD
//! on x86 and Arm, but has only scalar code for wasm32; there this is a third faster.
//!
//! The four blocks differ only in their counter, so they are computed side by side: word
//! `w` of the four states is one `v128` of four lanes, lane `l` belonging to block
//! `counter + l`. Integer arithmetic is exact, so the lanes give the scalar words.

use core::arch::wasm32::{
    i32x4_shuffle, u32x4, u32x4_add, u32x4_shl, u32x4_shr, v128, v128_or, v128_store, v128_xor,
};

/// Words in one block of the stream.
pub const BLOCK_WORDS: usize = 16;
/// Words written by one call: four blocks.
pub const BUFFER_WORDS: usize = 4 * BLOCK_WORDS;

/// "expand 32-byte k", the first four words of every ChaCha state.
const CONSTANTS: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// Double rounds (a column round and a diagonal round each): ChaCha8 has eight rounds.
const DOUBLE_ROUNDS: usize = 4;

/// One double round of the sixteen state words `x`: quarter rounds on the four columns,
/// then on the four diagonals. The word indices are constants, so that the compiler keeps
/// every word in a register instead of indexing an array in memory.
macro_rules! double_round {
    ($quarter:ident, $x:expr) => {
        $quarter::<0, 4, 8, 12>($x);
        $quarter::<1, 5, 9, 13>($x);
        $quarter::<2, 6, 10, 14>($x);
        $quarter::<3, 7, 11, 15>($x);
        $quarter::<0, 5, 10, 15>($x);
        $quarter::<1, 6, 11, 12>($x);
        $quarter::<2, 7, 8, 13>($x);
        $quarter::<3, 4, 9, 14>($x);
    };
}

/// Writes blocks `counter .. counter + 4` (the counter wrapping at 2^64) of the ChaCha8
/// stream of `key` and `stream` into `out`, block after block.
pub fn chacha8_blocks(key: &[u32; 8], counter: u64, stream: u64, out: &mut [u32; BUFFER_WORDS]) {
    let counters: [u64; 4] = core::array::from_fn(|l| counter.wrapping_add(l as u64));
    let lane_words = |word: usize| -> [u32; 4] {
        match word {
            0..4 => [CONSTANTS[word]; 4],
            4..12 => [key[word - 4]; 4],
            12 => counters.map(|c| c as u32),
            13 => counters.map(|c| (c >> 32) as u32),
            14 => [stream as u32; 4],
            _ => [(stream >> 32) as u32; 4],
        }
    };
    let start: [[u32; 4]; BLOCK_WORDS] = core::array::from_fn(lane_words);
    blocks(&start, out);
}

#[inline(always)]
fn xor_rotate<const BITS: u32, const REST: u32>(a: v128, b: v128) -> v128 {
    let x = v128_xor(a, b);
    v128_or(u32x4_shl(x, BITS), u32x4_shr(x, REST))
}

#[inline(always)]
fn quarter<const A: usize, const B: usize, const C: usize, const D: usize>(
    x: &mut [v128; BLOCK_WORDS],
) {
    x[A] = u32x4_add(x[A], x[B]);
    x[D] = xor_rotate::<16, 16>(x[D], x[A]);
    x[C] = u32x4_add(x[C], x[D]);
    x[B] = xor_rotate::<12, 20>(x[B], x[C]);
    x[A] = u32x4_add(x[A], x[B]);
    x[D] = xor_rotate::<8, 24>(x[D], x[A]);
    x[C] = u32x4_add(x[C], x[D]);
    x[B] = xor_rotate::<7, 25>(x[B], x[C]);
}

fn blocks(start: &[[u32; 4]; BLOCK_WORDS], out: &mut [u32; BUFFER_WORDS]) {
    let s: [v128; BLOCK_WORDS] = start.map(|[a, b, c, d]| u32x4(a, b, c, d));
    let mut x = s;
    for _ in 0..DOUBLE_ROUNDS {
        double_round!(quarter, &mut x);
    }
    let x: [v128; BLOCK_WORDS] = core::array::from_fn(|w| u32x4_add(x[w], s[w]));
    // Transposed four words at a time: vectors w..w + 4 hold words w..w + 4 of the
    // four blocks, one block per lane; block l wants them side by side.
    for w in (0..BLOCK_WORDS).step_by(4) {
        let [p, q, r, t] = [x[w], x[w + 1], x[w + 2], x[w + 3]];
        let pq_low = i32x4_shuffle::<0, 4, 1, 5>(p, q);
        let pq_high = i32x4_shuffle::<2, 6, 3, 7>(p, q);
        let rt_low = i32x4_shuffle::<0, 4, 1, 5>(r, t);
        let rt_high = i32x4_shuffle::<2, 6, 3, 7>(r, t);
        let rows = [
            i32x4_shuffle::<0, 1, 4, 5>(pq_low, rt_low),
            i32x4_shuffle::<2, 3, 6, 7>(pq_low, rt_low),
            i32x4_shuffle::<0, 1, 4, 5>(pq_high, rt_high),
            i32x4_shuffle::<2, 3, 6, 7>(pq_high, rt_high),
        ];
        for (l, row) in rows.into_iter().enumerate() {
            let at = l * BLOCK_WORDS + w;
            let words = &mut out[at..at + 4];
            // SAFETY: `words` is four u32 inside `out`, borrowed mutably; wasm stores
            // need no alignment.
            unsafe { v128_store(words.as_mut_ptr().cast(), row) }
        }
    }
}
