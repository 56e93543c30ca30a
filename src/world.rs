//! The synthetic world of the lesson, a structural causal model with two causes of Y and
//! one effect of it:
//!
//! ```text
//! X1, X2 ~ N(0, 1)        Y = X1 + 2·X2 + 3 + N(0, 1)        X3 = s·Y + N(0, σ²)
//! ```
//!
//! The spurious factor `s` belongs to the domain the data was collected in. Within one
//! domain X3 predicts Y very well, but only because Y causes it; change `s` and the
//! shortcut breaks while the causal weights (1, 2) and bias 3 still hold.

use ndarray::{Array1, Array2};

use crate::rng::LabRng;

/// The weights of X1 and X2 in the equation of Y.
pub const CAUSAL_WEIGHTS: [f64; 2] = [1.0, 2.0];
/// The constant term of the equation of Y.
pub const CAUSAL_BIAS: f64 = 3.0;
/// Number of input features (X1, X2, X3).
pub const FEATURES: usize = 3;

/// Samples drawn from one or more domains.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// One row per sample: X1, X2, X3.
    pub x: Array2<f64>,
    /// The target Y of each row.
    pub y: Array1<f64>,
    /// The index into `spurious_factors` of each row's domain.
    pub domain: Vec<usize>,
    /// The spurious factor s of each domain.
    pub spurious_factors: Vec<f64>,
}

impl Dataset {
    /// Draws `n` samples split as evenly as possible over domains with the given spurious
    /// factors, in contiguous blocks of rows (the first domains get the extra rows).
    ///
    /// The four normal draws of a row (X1, X2, the noise of Y and the noise of X3) are made
    /// in the same order whatever the factors are, so two datasets drawn from the same
    /// stream share their causes and differ only in X3: comparisons stay paired.
    pub fn generate(n: usize, spurious_factors: &[f64], noise: f64, rng: &mut LabRng) -> Self {
        assert!(
            !spurious_factors.is_empty(),
            "a dataset needs at least one domain"
        );
        let domains = spurious_factors.len();
        let mut x = Array2::zeros((n, FEATURES));
        let mut y = Array1::zeros(n);
        let mut domain = Vec::with_capacity(n);
        for d in 0..domains {
            let rows = n / domains + usize::from(d < n % domains);
            domain.extend(std::iter::repeat_n(d, rows));
        }
        for (i, &d) in domain.iter().enumerate() {
            let x1 = rng.normal();
            let x2 = rng.normal();
            let target_noise = rng.normal();
            let effect_noise = rng.normal();
            let target =
                CAUSAL_WEIGHTS[0] * x1 + CAUSAL_WEIGHTS[1] * x2 + CAUSAL_BIAS + target_noise;
            x[[i, 0]] = x1;
            x[[i, 1]] = x2;
            x[[i, 2]] = spurious_factors[d] * target + noise * effect_noise;
            y[i] = target;
        }
        Dataset {
            x,
            y,
            domain,
            spurious_factors: spurious_factors.to_vec(),
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Whether the dataset has no samples.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Pearson correlation of feature `feature` with Y; 0 when either is constant.
    pub fn correlation(&self, feature: usize) -> f64 {
        crate::stats::correlation(
            self.x.column(feature).iter().copied(),
            self.y.iter().copied(),
        )
    }
}
