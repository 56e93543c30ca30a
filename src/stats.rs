//! Summaries of results over runs: mean and standard deviation for the tables, quartiles
//! and Tukey whiskers for the box plots, and the correlations the data step shows.

use serde::{Deserialize, Serialize};

/// Arithmetic mean; NaN for no values.
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation (divisor n − 1); 0 for a single value, NaN for none.
pub fn std_dev(values: &[f64]) -> f64 {
    match values.len() {
        0 => f64::NAN,
        1 => 0.0,
        n => {
            let m = mean(values);
            let squares: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
            libm::sqrt(squares / (n - 1) as f64)
        }
    }
}

/// The `p`-quantile of sorted values by linear interpolation between order statistics
/// (the default of NumPy and R, "type 7"): position `p·(n − 1)`.
///
/// ```
/// use spurious_lab::stats::quantile_sorted;
/// assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
/// ```
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let position = p * (sorted.len() - 1) as f64;
    let below = libm::floor(position) as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - below as f64;
    sorted[below] + fraction * (sorted[above] - sorted[below])
}

/// Pearson correlation of two equally long sequences; 0 when either is constant.
pub fn correlation(a: impl Iterator<Item = f64>, b: impl Iterator<Item = f64>) -> f64 {
    let pairs: Vec<(f64, f64)> = a.zip(b).collect();
    let n = pairs.len() as f64;
    let mean_a = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_b = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut cov, mut var_a, mut var_b) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        cov += (x - mean_a) * (y - mean_b);
        var_a += (x - mean_a) * (x - mean_a);
        var_b += (y - mean_b) * (y - mean_b);
    }
    if var_a == 0.0 || var_b == 0.0 {
        0.0
    } else {
        cov / libm::sqrt(var_a * var_b)
    }
}

/// Everything a table row and a box plot need about one quantity over runs.
///
/// Runs whose value is not finite (training that diverged) are left out of every
/// statistic and counted in `non_finite`, so one bad run cannot hide the others.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub non_finite: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    /// The smallest value within 1.5 interquartile ranges below the first quartile.
    pub whisker_low: f64,
    /// The largest value within 1.5 interquartile ranges above the third quartile.
    pub whisker_high: f64,
    /// Values beyond the whiskers.
    pub outliers: Vec<f64>,
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let q1 = quantile_sorted(&sorted, 0.25);
        let q3 = quantile_sorted(&sorted, 0.75);
        let reach = 1.5 * (q3 - q1);
        let inside = |v: &&f64| **v >= q1 - reach && **v <= q3 + reach;
        Summary {
            count: sorted.len(),
            non_finite: values.len() - sorted.len(),
            mean: mean(&sorted),
            std: std_dev(&sorted),
            min: sorted.first().copied().unwrap_or(f64::NAN),
            q1,
            median: quantile_sorted(&sorted, 0.5),
            q3,
            max: sorted.last().copied().unwrap_or(f64::NAN),
            whisker_low: sorted.iter().find(inside).copied().unwrap_or(f64::NAN),
            whisker_high: sorted
                .iter()
                .rev()
                .find(inside)
                .copied()
                .unwrap_or(f64::NAN),
            outliers: sorted.iter().filter(|v| !inside(v)).copied().collect(),
        }
    }
}

/// Root mean squared error of predictions against targets.
pub fn rmse(predictions: &[f64], targets: &[f64]) -> f64 {
    let squares: f64 = predictions
        .iter()
        .zip(targets)
        .map(|(p, t)| (p - t) * (p - t))
        .sum();
    libm::sqrt(squares / targets.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        // Quartiles by NumPy's default method: np.percentile([1..9, 30], [25, 50, 75]).
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 30.0];
        let s = Summary::of(&values);
        assert_eq!(s.count, 10);
        assert_eq!(s.mean, 7.5);
        assert_eq!((s.q1, s.median, s.q3), (3.25, 5.5, 7.75));
        assert_eq!((s.whisker_low, s.whisker_high), (1.0, 9.0));
        assert_eq!(s.outliers, vec![30.0]);
        // Sample standard deviation: squared deviations from 7.5 sum to 622.5, over n − 1 = 9
        // (Python's statistics.stdev gives 8.3166499665831).
        assert!((s.std - (622.5f64 / 9.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn summary_sets_diverged_runs_aside() {
        let s = Summary::of(&[1.0, f64::NAN, 3.0, f64::INFINITY]);
        assert_eq!((s.count, s.non_finite), (2, 2));
        assert_eq!(s.mean, 2.0);
        assert_eq!(s.median, 2.0);
    }

    #[test]
    fn single_value_has_zero_spread() {
        let s = Summary::of(&[0.5]);
        assert_eq!(
            (s.std, s.q1, s.q3, s.whisker_low, s.whisker_high),
            (0.0, 0.5, 0.5, 0.5, 0.5)
        );
    }

    #[test]
    fn correlation_of_linear_relation_is_one() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [-2.0, -4.0, -6.0, -8.0];
        assert!((correlation(a.into_iter(), b.into_iter()) + 1.0).abs() < 1e-15);
        assert_eq!(correlation(a.into_iter(), [1.0; 4].into_iter()), 0.0);
    }

    #[test]
    fn rmse_of_known_errors() {
        assert_eq!(rmse(&[1.0, 3.0], &[0.0, 0.0]), libm::sqrt(5.0));
    }
}
