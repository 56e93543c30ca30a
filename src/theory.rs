//! Closed-form answers: the least-squares optimum of a linear model over the population
//! (infinite data) and over a finite training set, and the population risk of any linear
//! model in any domain. The page draws them next to the trained models so that a reader
//! can tell a data problem (the optimum itself leans on X3) from an optimisation artefact
//! (training has not reached the optimum).
//!
//! With z = (X1, X2, X3, 1) and θ = (w1, w2, w3, bias), the squared risk is
//! R(θ) = θᵀMθ − 2qᵀθ + E(Y²), where M = E(z zᵀ) and q = E(z Y). Its minimiser solves
//! Mθ = q. In a domain with spurious factor s and noise σ (E(Y) = 3, E(Y²) = 15):
//!
//! ```text
//!       | 1    0    s           0  |          |  1  |
//! M_s = | 0    1    2s          0  |    q_s = |  2  |
//!       | s    2s   15s² + σ²   3s |          | 15s |
//!       | 0    0    3s          1  |          |  3  |
//! ```

use serde::{Deserialize, Serialize};

use crate::world::{CAUSAL_BIAS, CAUSAL_WEIGHTS, Dataset};

/// E(Y²) for Y = X1 + 2·X2 + 3 + N(0, 1): 1 + 4 + 1 + 9.
const TARGET_SECOND_MOMENT: f64 = 15.0;

/// The parameters of a linear model y = w·x + bias.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearParams {
    pub weights: [f64; 3],
    pub bias: f64,
}

impl LinearParams {
    /// The causal model: weights (1, 2, 0) and bias 3.
    pub const CAUSAL: LinearParams = LinearParams {
        weights: [CAUSAL_WEIGHTS[0], CAUSAL_WEIGHTS[1], 0.0],
        bias: CAUSAL_BIAS,
    };

    fn as_vector(&self) -> [f64; 4] {
        [self.weights[0], self.weights[1], self.weights[2], self.bias]
    }

    fn from_vector(theta: [f64; 4]) -> Self {
        LinearParams {
            weights: [theta[0], theta[1], theta[2]],
            bias: theta[3],
        }
    }
}

/// Second moments of the features z = (X1, X2, X3, 1) and their products with Y.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    /// E(z zᵀ).
    pub gram: [[f64; 4]; 4],
    /// E(z Y).
    pub cross: [f64; 4],
    /// E(Y²).
    pub target: f64,
}

impl Moments {
    /// The population moments of one domain.
    pub fn domain(s: f64, noise: f64) -> Moments {
        Moments {
            gram: [
                [1.0, 0.0, s, 0.0],
                [0.0, 1.0, 2.0 * s, 0.0],
                [s, 2.0 * s, 15.0 * s * s + noise * noise, 3.0 * s],
                [0.0, 0.0, 3.0 * s, 1.0],
            ],
            cross: [1.0, 2.0, TARGET_SECOND_MOMENT * s, CAUSAL_BIAS],
            target: TARGET_SECOND_MOMENT,
        }
    }

    /// The population moments of data pooled in equal parts from domains with the given
    /// spurious factors.
    pub fn pooled(factors: &[f64], noise: f64) -> Moments {
        let parts: Vec<Moments> = factors.iter().map(|&s| Moments::domain(s, noise)).collect();
        Moments::average(&parts, &vec![1.0; parts.len()])
    }

    /// The population moments of the domain `s` after augmentation replaced X3, in a
    /// fraction `p` of the rows, by a draw with the same distribution that is independent
    /// of everything else (a shuffled row, or noise of the same mean and variance).
    pub fn augmented_domain(s: f64, noise: f64, p: f64) -> Moments {
        let mut m = Moments::domain(s, noise);
        let kept = 1.0 - p;
        for j in [0, 1] {
            m.gram[2][j] *= kept;
            m.gram[j][2] *= kept;
        }
        // E(X3' Y) = (1 − p)·E(X3 Y) + p·E(X3)·E(Y).
        m.cross[2] = kept * m.cross[2] + p * (3.0 * s) * CAUSAL_BIAS;
        m
    }

    /// The sample moments of a dataset.
    pub fn sample(data: &Dataset) -> Moments {
        let n = data.len() as f64;
        let mut m = Moments {
            gram: [[0.0; 4]; 4],
            cross: [0.0; 4],
            target: 0.0,
        };
        for (row, &y) in data.x.rows().into_iter().zip(data.y.iter()) {
            let z = [row[0], row[1], row[2], 1.0];
            for a in 0..4 {
                for b in 0..4 {
                    m.gram[a][b] += z[a] * z[b];
                }
                m.cross[a] += z[a] * y;
            }
            m.target += y * y;
        }
        m.scale(1.0 / n);
        m
    }

    /// The sample moments a training set has in expectation over augmentation that
    /// replaces X3 in a fraction `p` of its rows by an independent draw with the column's
    /// mean and second moment: this is the objective that training on the fly minimises.
    pub fn sample_augmented(data: &Dataset, p: f64) -> Moments {
        let mut m = Moments::sample(data);
        let kept = 1.0 - p;
        let x3_mean = m.gram[2][3];
        for j in [0, 1] {
            let replaced = x3_mean * m.gram[j][3];
            m.gram[2][j] = kept * m.gram[2][j] + p * replaced;
            m.gram[j][2] = m.gram[2][j];
        }
        m.cross[2] = kept * m.cross[2] + p * x3_mean * m.cross[3];
        m
    }

    fn scale(&mut self, factor: f64) {
        self.gram.iter_mut().flatten().for_each(|g| *g *= factor);
        self.cross.iter_mut().for_each(|c| *c *= factor);
        self.target *= factor;
    }

    /// The weighted average of several moment sets.
    pub fn average(parts: &[Moments], weights: &[f64]) -> Moments {
        let total: f64 = weights.iter().sum();
        let mut m = Moments {
            gram: [[0.0; 4]; 4],
            cross: [0.0; 4],
            target: 0.0,
        };
        for (part, &w) in parts.iter().zip(weights) {
            for a in 0..4 {
                for b in 0..4 {
                    m.gram[a][b] += w * part.gram[a][b];
                }
                m.cross[a] += w * part.cross[a];
            }
            m.target += w * part.target;
        }
        m.scale(1.0 / total);
        m
    }

    /// The least-squares parameters, solving Mθ = q; `None` when the features are
    /// linearly dependent (for example X3 constant).
    pub fn optimum(&self) -> Option<LinearParams> {
        solve4(self.gram, self.cross).map(LinearParams::from_vector)
    }

    /// The mean squared error of linear parameters under these moments.
    pub fn risk(&self, params: &LinearParams) -> f64 {
        let theta = params.as_vector();
        let mut quadratic = 0.0;
        for a in 0..4 {
            for b in 0..4 {
                quadratic += theta[a] * self.gram[a][b] * theta[b];
            }
        }
        let linear: f64 = (0..4).map(|a| self.cross[a] * theta[a]).sum();
        quadratic - 2.0 * linear + self.target
    }
}

/// Solves a 4×4 linear system by Gaussian elimination with partial pivoting.
fn solve4(mut a: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    for col in 0..4 {
        let pivot = (col..4).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].is_nan() || a[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..4 {
            let factor = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= factor * p;
            }
            b[row] -= factor * b[col];
        }
    }
    let mut x = [0.0; 4];
    for row in (0..4).rev() {
        let tail: f64 = (row + 1..4).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    Some(x)
}

/// The population RMSE of linear parameters in the domain `s`.
pub fn population_rmse(params: &LinearParams, s: f64, noise: f64) -> f64 {
    libm::sqrt(Moments::domain(s, noise).risk(params).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn single_domain_optimum_matches_the_formula() {
        // b = σ²/(s² + σ²); weights (b, 2b, s/(s² + σ²)), bias 3b, in-domain MSE b.
        for (s, sigma) in [(0.2, 0.1), (0.5, 0.3), (-0.7, 0.05), (0.0, 1.0), (1.5, 2.0)] {
            let m = Moments::domain(s, sigma);
            let opt = m.optimum().unwrap();
            let b = sigma * sigma / (s * s + sigma * sigma);
            let expected = [b, 2.0 * b, s / (s * s + sigma * sigma)];
            for (w, e) in opt.weights.iter().zip(expected) {
                assert!(close(*w, e, 1e-12), "{s} {sigma} {opt:?}");
            }
            assert!(close(opt.bias, 3.0 * b, 1e-12));
            assert!(close(m.risk(&opt), b, 1e-12));
        }
    }

    #[test]
    fn default_optimum_is_the_lessons() {
        let opt = Moments::domain(0.2, 0.1).optimum().unwrap();
        assert!(close(opt.weights[2], 4.0, 1e-12));
        assert!(close(opt.bias, 0.6, 1e-12));
        assert!(close(population_rmse(&opt, 0.2, 0.1), 0.447, 1e-3));
    }

    #[test]
    fn causal_model_has_unit_risk_everywhere() {
        for s in [-1.0, 0.0, 0.1, 0.2, 2.0] {
            assert!(close(
                Moments::domain(s, 0.1).risk(&LinearParams::CAUSAL),
                1.0,
                1e-12
            ));
        }
    }

    #[test]
    fn pooled_optimum_matches_the_formula() {
        // c = m/(m² + σ² + 15v); causal weights shrink by 1 − m·c.
        let factors = [0.1, 0.3, 0.5, -0.2];
        let sigma = 0.1;
        let mean = factors.iter().sum::<f64>() / 4.0;
        let var = factors.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / 4.0;
        let c = mean / (mean * mean + sigma * sigma + 15.0 * var);
        let shrink = 1.0 - mean * c;
        let opt = Moments::pooled(&factors, sigma).optimum().unwrap();
        assert!(close(opt.weights[2], c, 1e-12));
        assert!(close(opt.weights[0], shrink, 1e-12));
        assert!(close(opt.weights[1], 2.0 * shrink, 1e-12));
        assert!(close(opt.bias, 3.0 * shrink, 1e-12));
        let symmetric = Moments::pooled(&[-0.5, 0.5], sigma).optimum().unwrap();
        assert!(close(symmetric.weights[2], 0.0, 1e-12));
        assert!(close(symmetric.bias, 3.0, 1e-12));
    }

    #[test]
    fn augmented_optimum_matches_the_formula() {
        // c = s(1−p)/(s² + σ² + 5s²(1 − (1−p)²)).
        let (s, sigma) = (0.2, 0.1);
        for p in [0.0, 0.3, 0.8, 1.0] {
            let q = 1.0 - p;
            let c = s * q / (s * s + sigma * sigma + 5.0 * s * s * (1.0 - q * q));
            let opt = Moments::augmented_domain(s, sigma, p).optimum().unwrap();
            assert!(close(opt.weights[2], c, 1e-12), "p = {p}: {opt:?}");
        }
        let full = Moments::augmented_domain(s, sigma, 1.0).optimum().unwrap();
        for k in 0..3 {
            assert!(close(
                full.weights[k],
                LinearParams::CAUSAL.weights[k],
                1e-12
            ));
        }
        assert!(close(full.bias, 3.0, 1e-12));
    }

    #[test]
    fn constant_feature_has_no_unique_optimum() {
        let mut m = Moments::domain(0.0, 0.1);
        m.gram[2] = [0.0; 4];
        for row in &mut m.gram {
            row[2] = 0.0;
        }
        assert_eq!(m.optimum(), None);
    }
}
