//! The lesson's settings: one plain struct whose `Default` holds the case study's values,
//! parsed from `key=value` pairs (the command line's `--set` and the page's URL use the
//! same keys), and checked once into a [`ValidConfig`] that the engine trusts.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// How augmentation replaces the spurious feature X3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Augment {
    /// X3 of another training row, by a fresh random permutation of the column.
    Shuffle,
    /// Gaussian noise with the column's mean and standard deviation.
    Noise,
}

impl Augment {
    pub fn name(self) -> &'static str {
        match self {
            Augment::Shuffle => "shuffle",
            Augment::Noise => "noise",
        }
    }
}

/// Every setting of the lesson. Fields are public so that a caller can build one freely;
/// [`Config::validate`] is the only way to the [`ValidConfig`] the engine accepts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Seed of run 0; run r uses `seed + r`.
    pub seed: u64,
    /// Runs per method and model.
    pub runs: usize,
    /// Training samples (in total, over all domains).
    pub n_train: usize,
    /// Samples in each of the IID and OOD test sets.
    pub n_test: usize,
    /// Spurious factor s of the training domain and of the IID test set.
    pub s_train: f64,
    /// Spurious factor s of the OOD test set.
    pub s_ood: f64,
    /// Standard deviation σ of the noise in X3 = s·Y + N(0, σ²).
    pub noise: f64,
    /// Training epochs.
    pub epochs: usize,
    /// Minibatch size.
    pub batch: usize,
    /// Adam's initial learning rate.
    pub lr: f64,
    /// Epochs between learning-rate decays (StepLR's step size).
    pub step: usize,
    /// Factor of each learning-rate decay (StepLR's gamma).
    pub gamma: f64,
    /// Number of training domains for domain randomization.
    pub domains: usize,
    /// Lower end of the range the randomized spurious factors are drawn from.
    pub s_min: f64,
    /// Upper end of that range.
    pub s_max: f64,
    /// What augmentation puts in place of X3.
    pub augment: Augment,
    /// Fraction of the rows whose X3 is replaced, every epoch.
    pub augment_p: f64,
    /// Widths of the MLP's hidden layers.
    pub hidden: Vec<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            runs: 10,
            n_train: 5000,
            n_test: 5000,
            s_train: 0.2,
            s_ood: 0.1,
            noise: 0.1,
            epochs: 30,
            batch: 8,
            lr: 1e-3,
            step: 10,
            gamma: 0.5,
            domains: 10,
            s_min: -1.0,
            s_max: 1.0,
            augment: Augment::Shuffle,
            augment_p: 1.0,
            hidden: vec![32, 32],
        }
    }
}

/// The keys of [`Config::set`], in the order they are documented.
pub const KEYS: [&str; 18] = [
    "seed",
    "runs",
    "n_train",
    "n_test",
    "s_train",
    "s_ood",
    "noise",
    "epochs",
    "batch",
    "lr",
    "step",
    "gamma",
    "domains",
    "s_min",
    "s_max",
    "augment",
    "augment_p",
    "hidden",
];

/// Limits of the settings. They keep every run finite and a page responsive; the
/// spurious factors cover the robustness curve's [-1, 1] with room to spare.
pub const MAX_RUNS: usize = 100;
pub const MAX_SAMPLES: usize = 200_000;
pub const MIN_TRAIN: usize = 10;
pub const MAX_EPOCHS: usize = 1000;
pub const MAX_S: f64 = 3.0;
pub const MAX_NOISE: f64 = 3.0;
pub const MAX_HIDDEN_LAYERS: usize = 4;
pub const MAX_WIDTH: usize = 256;

/// A setting that could not be accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// The key is not one of [`KEYS`].
    UnknownKey(String),
    /// The value is not allowed for the key.
    Invalid {
        key: &'static str,
        value: String,
        allowed: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::UnknownKey(key) => {
                write!(
                    f,
                    "unknown setting '{key}'; known settings are {}",
                    KEYS.join(", ")
                )
            }
            ConfigError::Invalid {
                key,
                value,
                allowed,
            } => write!(f, "invalid {key} '{value}': {allowed}"),
        }
    }
}

impl std::error::Error for ConfigError {}

fn invalid(key: &'static str, value: impl fmt::Display, allowed: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key,
        value: value.to_string(),
        allowed: allowed.into(),
    }
}

fn whole(key: &'static str, text: &str, low: usize, high: usize) -> Result<usize, ConfigError> {
    let allowed = || format!("allowed is a whole number from {low} to {high}");
    let value: usize = text
        .trim()
        .parse()
        .map_err(|_| invalid(key, text, allowed()))?;
    if (low..=high).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(key, text, allowed()))
    }
}

/// The allowed range of a real setting, for messages and for the page's controls.
#[derive(Clone, Copy, Debug)]
pub struct RealRange {
    pub low: f64,
    pub high: f64,
    /// Whether `low` itself is excluded.
    pub open_low: bool,
}

impl RealRange {
    const fn closed(low: f64, high: f64) -> Self {
        RealRange {
            low,
            high,
            open_low: false,
        }
    }

    const fn open_low(low: f64, high: f64) -> Self {
        RealRange {
            low,
            high,
            open_low: true,
        }
    }

    fn contains(&self, x: f64) -> bool {
        let above = if self.open_low {
            x > self.low
        } else {
            x >= self.low
        };
        above && x <= self.high
    }

    fn describe(&self) -> String {
        let (low, high) = (self.low, self.high);
        if self.open_low {
            format!("allowed is a number above {low} and at most {high}")
        } else {
            format!("allowed is a number from {low} to {high}")
        }
    }
}

/// A number written in decimal, such as `0.2`, `-1`, `.5` or `1e-3`: what Rust's
/// `f64::from_str` reads, without the words `inf` and `NaN`, which no setting allows (a
/// decimal too large for an f64 reads as infinity, as there). It is rounded correctly to
/// the nearest f64, by `from_str` natively and in the browser by the browser's own
/// `parseFloat`, which rounds the same way: the page is spared the 15 kB of tables and code
/// of Rust's reader and gets the same bits (a browser test compares the two on random
/// decimals).
pub fn parse_decimal(text: &str) -> Option<f64> {
    if !decimal_syntax(text.as_bytes()) {
        return None;
    }
    #[cfg(target_arch = "wasm32")]
    {
        // On text of this form `parseFloat` reads all of it, as `Number` would.
        Some(js_sys::Number::parse_float(text))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        text.parse().ok()
    }
}

/// Whether `text` is an optional sign, digits with at most one point among or around them
/// (at least one digit in all), and an optional exponent: `e` or `E`, a sign, digits.
fn decimal_syntax(text: &[u8]) -> bool {
    let mut at = 0;
    let skip = |at: &mut usize, wanted: fn(u8) -> bool| {
        let start = *at;
        while text.get(*at).copied().is_some_and(wanted) {
            *at += 1;
        }
        *at - start
    };
    let sign = |c: u8| c == b'+' || c == b'-';
    if text.first().copied().is_some_and(sign) {
        at += 1;
    }
    let mut digits = skip(&mut at, |c| c.is_ascii_digit());
    if text.get(at) == Some(&b'.') {
        at += 1;
        digits += skip(&mut at, |c| c.is_ascii_digit());
    }
    if digits == 0 {
        return false;
    }
    if matches!(text.get(at), Some(b'e' | b'E')) {
        at += 1;
        if text.get(at).copied().is_some_and(sign) {
            at += 1;
        }
        if skip(&mut at, |c| c.is_ascii_digit()) == 0 {
            return false;
        }
    }
    at == text.len()
}

fn real(key: &'static str, text: &str, range: RealRange) -> Result<f64, ConfigError> {
    let value = parse_decimal(text.trim()).ok_or_else(|| invalid(key, text, range.describe()))?;
    if value.is_finite() && range.contains(value) {
        Ok(value)
    } else {
        Err(invalid(key, text, range.describe()))
    }
}

const S_RANGE: RealRange = RealRange::closed(-MAX_S, MAX_S);
const NOISE_RANGE: RealRange = RealRange::open_low(0.0, MAX_NOISE);
const LR_RANGE: RealRange = RealRange::open_low(0.0, 1.0);
const GAMMA_RANGE: RealRange = RealRange::open_low(0.0, 1.0);
const P_RANGE: RealRange = RealRange::closed(0.0, 1.0);

fn hidden_allowed() -> String {
    format!(
        "allowed is 1 to {MAX_HIDDEN_LAYERS} comma-separated layer widths from 1 to \
         {MAX_WIDTH}, such as 32,32"
    )
}

fn parse_hidden(text: &str) -> Result<Vec<usize>, ConfigError> {
    let widths: Option<Vec<usize>> = text
        .split(',')
        .map(|w| {
            w.trim()
                .parse()
                .ok()
                .filter(|w| (1..=MAX_WIDTH).contains(w))
        })
        .collect();
    match widths {
        Some(w) if (1..=MAX_HIDDEN_LAYERS).contains(&w.len()) => Ok(w),
        _ => Err(invalid("hidden", text, hidden_allowed())),
    }
}

impl Config {
    /// Sets one setting from its text form, checking the value on its own; limits that
    /// involve two settings are checked by [`Config::validate`].
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match key {
            "seed" => {
                self.seed = value.trim().parse().map_err(|_| {
                    invalid(
                        "seed",
                        value,
                        "allowed is a whole number from 0 to 2^64 - 1",
                    )
                })?
            }
            "runs" => self.runs = whole("runs", value, 1, MAX_RUNS)?,
            "n_train" => self.n_train = whole("n_train", value, MIN_TRAIN, MAX_SAMPLES)?,
            "n_test" => self.n_test = whole("n_test", value, 1, MAX_SAMPLES)?,
            "s_train" => self.s_train = real("s_train", value, S_RANGE)?,
            "s_ood" => self.s_ood = real("s_ood", value, S_RANGE)?,
            "noise" => self.noise = real("noise", value, NOISE_RANGE)?,
            "epochs" => self.epochs = whole("epochs", value, 1, MAX_EPOCHS)?,
            "batch" => self.batch = whole("batch", value, 1, MAX_SAMPLES)?,
            "lr" => self.lr = real("lr", value, LR_RANGE)?,
            "step" => self.step = whole("step", value, 1, MAX_EPOCHS)?,
            "gamma" => self.gamma = real("gamma", value, GAMMA_RANGE)?,
            "domains" => self.domains = whole("domains", value, 1, MAX_SAMPLES)?,
            "s_min" => self.s_min = real("s_min", value, S_RANGE)?,
            "s_max" => self.s_max = real("s_max", value, S_RANGE)?,
            "augment" => {
                self.augment = match value.trim() {
                    "shuffle" => Augment::Shuffle,
                    "noise" => Augment::Noise,
                    _ => return Err(invalid("augment", value, "allowed is shuffle or noise")),
                }
            }
            "augment_p" => self.augment_p = real("augment_p", value, P_RANGE)?,
            "hidden" => self.hidden = parse_hidden(value)?,
            _ => return Err(ConfigError::UnknownKey(key.to_string())),
        }
        Ok(())
    }

    /// The text form of one setting, as [`Config::set`] reads it.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "seed" => self.seed.to_string(),
            "runs" => self.runs.to_string(),
            "n_train" => self.n_train.to_string(),
            "n_test" => self.n_test.to_string(),
            "s_train" => self.s_train.to_string(),
            "s_ood" => self.s_ood.to_string(),
            "noise" => self.noise.to_string(),
            "epochs" => self.epochs.to_string(),
            "batch" => self.batch.to_string(),
            "lr" => self.lr.to_string(),
            "step" => self.step.to_string(),
            "gamma" => self.gamma.to_string(),
            "domains" => self.domains.to_string(),
            "s_min" => self.s_min.to_string(),
            "s_max" => self.s_max.to_string(),
            "augment" => self.augment.name().to_string(),
            "augment_p" => self.augment_p.to_string(),
            "hidden" => {
                let widths: Vec<String> = self.hidden.iter().map(usize::to_string).collect();
                widths.join(",")
            }
            _ => return None,
        })
    }

    /// The settings that differ from the defaults, as `(key, value)` pairs: what a link to
    /// these settings needs to carry.
    pub fn changed_pairs(&self) -> Vec<(&'static str, String)> {
        let defaults = Config::default();
        KEYS.iter()
            .filter_map(|&key| {
                let value = self.get(key)?;
                (defaults.get(key).as_deref() != Some(value.as_str())).then_some((key, value))
            })
            .collect()
    }

    /// Checks every setting, including those set directly on the fields, and the limits
    /// that involve two settings.
    pub fn validate(self) -> Result<ValidConfig, ConfigError> {
        // Reading each field back through `set` applies exactly the checks of the text
        // form; Rust prints floats so that they parse back to the same value.
        let mut checked = Config::default();
        for key in KEYS {
            let value = self.get(key).unwrap_or_default();
            checked.set(key, &value)?;
        }
        debug_assert_eq!(checked, self);
        if self.batch > self.n_train {
            return Err(invalid(
                "batch",
                self.batch,
                format!("allowed is at most n_train ({})", self.n_train),
            ));
        }
        if self.domains > self.n_train {
            return Err(invalid(
                "domains",
                self.domains,
                format!("allowed is at most n_train ({})", self.n_train),
            ));
        }
        if self.s_min > self.s_max {
            return Err(invalid(
                "s_min",
                self.s_min,
                format!("allowed is at most s_max ({})", self.s_max),
            ));
        }
        Ok(ValidConfig(self))
    }
}

/// A [`Config`] whose every setting has been checked. It can only be made by
/// [`Config::validate`] and is read through `Deref`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ValidConfig(Config);

impl Deref for ValidConfig {
    type Target = Config;

    fn deref(&self) -> &Config {
        &self.0
    }
}

impl ValidConfig {
    /// The settings as a plain [`Config`], to change and validate again.
    pub fn into_inner(self) -> Config {
        self.0
    }
}

/// Builds a validated configuration from `key=value` pairs over the defaults.
pub fn from_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<ValidConfig, ConfigError> {
    let mut config = Config::default();
    for (key, value) in pairs {
        config.set(key, value)?;
    }
    config.validate()
}
