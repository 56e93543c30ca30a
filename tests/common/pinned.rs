//! A small run whose results are pinned bit for bit, shared by the native tests and the
//! browser tests: the same seed must give the same bits on every target.

use spurious_lab::config::{ValidConfig, from_pairs};
use spurious_lab::experiment::{Method, ModelKind, run_one};

/// The bits of [IID RMSE, OOD RMSE] of the linear baseline, the augmented MLP, and a
/// baseline MLP whose widths (37 and 6) take every path of the SIMD kernels: blocks of
/// eight vectors, single vectors and one to three elements left over.
pub const PINNED_BITS: [u64; 6] = [
    4616312490208130209,
    4615699295969997370,
    4616194370781264715,
    4615255729880698975,
    4614937649679666261,
    4614166224939429309,
];

pub fn pinned_config() -> ValidConfig {
    pinned_config_with(("hidden", "4"))
}

/// The pinned settings with one more setting, given last.
fn pinned_config_with(extra: (&str, &str)) -> ValidConfig {
    from_pairs([
        ("runs", "1"),
        ("n_train", "200"),
        ("n_test", "100"),
        ("epochs", "3"),
        extra,
    ])
    .expect("the pinned settings are valid")
}

/// Runs the pinned experiment and returns the bits to compare with [`PINNED_BITS`].
pub fn pinned_bits() -> [u64; 6] {
    let config = pinned_config();
    let linear = run_one(&config, Method::Baseline, ModelKind::Linear, 0, &mut ()).unwrap();
    let mlp = run_one(&config, Method::Augmentation, ModelKind::Mlp, 0, &mut ()).unwrap();
    let odd = pinned_config_with(("hidden", "37,6"));
    let odd = run_one(&odd, Method::Baseline, ModelKind::Mlp, 0, &mut ()).unwrap();
    [
        linear.rmse_iid,
        linear.rmse_ood,
        mlp.rmse_iid,
        mlp.rmse_ood,
        odd.rmse_iid,
        odd.rmse_ood,
    ]
    .map(f64::to_bits)
}
