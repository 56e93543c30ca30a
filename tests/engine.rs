//! The lesson's claims, checked on the real engine: the story over the default runs, the
//! closed-form optima, the generator's moments, determinism, and stopping.

use spurious_lab::config::{ValidConfig, from_pairs};
use spurious_lab::experiment::{
    Method, MethodResult, ModelKind, Run, run_method, run_one, training_set,
};
use spurious_lab::parallel::run_pairs;
use spurious_lab::rng::{LabRng, Stream};
use spurious_lab::stats::{mean, std_dev};
use spurious_lab::theory::{LinearParams, Moments};
use spurious_lab::train::{Advance, Monitor};
use spurious_lab::world::Dataset;

#[path = "common/pinned.rs"]
mod pinned;

fn config(pairs: &[(&str, &str)]) -> ValidConfig {
    from_pairs(pairs.iter().copied()).expect("test settings are valid")
}

fn find(results: &[MethodResult], method: Method, model: ModelKind) -> &MethodResult {
    results
        .iter()
        .find(|r| r.method == method && r.model == model)
        .expect("every pair was run")
}

fn within(value: f64, target: f64, tolerance: f64) -> bool {
    (value - target).abs() <= tolerance
}

#[test]
fn the_story_holds_with_the_defaults() {
    let config = ValidConfig::default();
    let pairs: Vec<_> = ModelKind::ALL
        .iter()
        .flat_map(|&model| Method::ALL.iter().map(move |&method| (method, model)))
        .collect();
    let results = run_pairs(&config, &pairs, 2, &());
    let causal = LinearParams::CAUSAL;

    for model in ModelKind::ALL {
        let baseline = find(&results, Method::Baseline, model);
        let (weights, _) = baseline.mean_params();
        assert!(
            weights[2] > 2.0,
            "{model:?} baseline leans on X3: {weights:?}"
        );
        assert!(
            baseline.rmse_ood.mean >= 2.0 * baseline.rmse_iid.mean,
            "{model:?} baseline fails out of distribution: {:?} vs {:?}",
            baseline.rmse_ood.mean,
            baseline.rmse_iid.mean
        );
        // Leaning on X3 makes it look better than the causal model (RMSE 1) in its domain.
        assert!(baseline.rmse_iid.mean < 0.6);
    }

    let linear_fixes = [Method::Randomization, Method::Augmentation];
    for method in linear_fixes {
        let fixed = find(&results, method, ModelKind::Linear);
        let (weights, bias) = fixed.mean_params();
        for k in 0..3 {
            assert!(
                within(weights[k], causal.weights[k], 0.1),
                "{method:?}: {weights:?}"
            );
        }
        assert!(
            within(bias.unwrap(), causal.bias, 0.2),
            "{method:?}: bias {bias:?}"
        );
        let (iid, ood) = (fixed.rmse_iid.mean, fixed.rmse_ood.mean);
        assert!(
            within(ood, iid, 0.1 * iid),
            "{method:?}: OOD {ood} vs IID {iid}"
        );
    }

    // The MLP: augmentation recovers the causal effective weights and closes the gap.
    let augmented = find(&results, Method::Augmentation, ModelKind::Mlp);
    let (weights, bias) = augmented.mean_params();
    assert_eq!(bias, None);
    for k in 0..3 {
        assert!(
            within(weights[k], causal.weights[k], 0.1),
            "MLP augmentation: {weights:?}"
        );
    }
    let (iid, ood) = (augmented.rmse_iid.mean, augmented.rmse_ood.mean);
    assert!(
        within(ood, iid, 0.1 * iid),
        "MLP augmentation: OOD {ood} vs IID {iid}"
    );

    // The lesson's honest finding: with the MLP, randomization over s in [-1, 1] is
    // unreliable across seeds (the size of X3 still tells the size of Y), while
    // augmentation is not. In the case study's PyTorch runs: 1.36 ± 0.57 against 1.00 ± 0.01.
    let randomized = find(&results, Method::Randomization, ModelKind::Mlp);
    assert!(randomized.rmse_ood.std > 10.0 * augmented.rmse_ood.std);
    assert!(randomized.rmse_ood.mean > 1.1);
}

/// Training long enough reaches the closed-form optimum b = σ²/(s² + σ²):
/// weights (b, 2b, s/(s² + σ²)) and bias 3b, wherever s and σ are.
#[test]
fn converged_linear_training_finds_the_closed_form_optimum() {
    // (s, σ). Where s/σ is large the X3 weight is large and the problem ill-conditioned
    // (s = 0.1, σ = 0.05 gives 8.0): 30 epochs then get within about 0.05 but not reliably
    // under it, so that setting is left out.
    let settings = [
        (0.2, 0.1),
        (0.5, 0.3),
        (-0.3, 0.2),
        (0.0, 0.5),
        (1.0, 1.0),
        (-1.0, 0.1),
        (2.0, 0.5),
    ];
    for (s, sigma) in settings {
        let (s_text, sigma_text) = (s.to_string(), sigma.to_string());
        let config = config(&[
            ("n_train", "20000"),
            ("n_test", "100"),
            ("runs", "1"),
            ("s_train", &s_text),
            ("noise", &sigma_text),
        ]);
        let run = run_one(&config, Method::Baseline, ModelKind::Linear, 0, &mut ()).unwrap();
        let b = sigma * sigma / (s * s + sigma * sigma);
        let expected = [b, 2.0 * b, s / (s * s + sigma * sigma), 3.0 * b];
        let learned = [
            run.weights[0],
            run.weights[1],
            run.weights[2],
            run.bias.unwrap(),
        ];
        for k in 0..4 {
            assert!(
                within(learned[k], expected[k], 0.05),
                "s = {s}, σ = {sigma}: learned {learned:?}, optimum {expected:?}"
            );
        }
        // The optimum of the training sample is closer still.
        let sample = run.least_squares.sample.unwrap();
        let sample = [
            sample.weights[0],
            sample.weights[1],
            sample.weights[2],
            sample.bias,
        ];
        for k in 0..4 {
            assert!(
                within(learned[k], sample[k], 0.02),
                "s = {s}, σ = {sigma}: {sample:?}"
            );
        }
    }
}

#[test]
fn pooled_and_augmented_training_find_their_optima() {
    let config = config(&[
        ("n_train", "20000"),
        ("n_test", "100"),
        ("runs", "1"),
        ("augment_p", "0.5"),
    ]);
    for method in [Method::Randomization, Method::Augmentation] {
        let run = run_one(&config, method, ModelKind::Linear, 0, &mut ()).unwrap();
        let optimum = run.least_squares.population.unwrap();
        let expected = match method {
            // c = m/(m² + σ² + 15v), causal weights shrunk by 1 − m·c.
            Method::Randomization => {
                let factors = &run.training_factors;
                assert_eq!(factors.len(), 10);
                assert!(factors.iter().all(|s| (-1.0..1.0).contains(s)));
                let m = mean(factors);
                let v = factors.iter().map(|s| (s - m) * (s - m)).sum::<f64>() / 10.0;
                let c = m / (m * m + 0.01 + 15.0 * v);
                let shrink = 1.0 - m * c;
                [shrink, 2.0 * shrink, c, 3.0 * shrink]
            }
            // c = s(1−p)/(s² + σ² + 5s²(1 − (1−p)²)), here s = 0.2, σ = 0.1, p = 0.5.
            _ => {
                let (s, q) = (0.2, 0.5);
                let c = s * q / (s * s + 0.01 + 5.0 * s * s * (1.0 - q * q));
                let shrink = 1.0 - c * q * s;
                [shrink, 2.0 * shrink, c, 3.0 - 3.0 * c * s]
            }
        };
        let optimum = [
            optimum.weights[0],
            optimum.weights[1],
            optimum.weights[2],
            optimum.bias,
        ];
        let learned = [
            run.weights[0],
            run.weights[1],
            run.weights[2],
            run.bias.unwrap(),
        ];
        for k in 0..4 {
            assert!(
                within(optimum[k], expected[k], 1e-9),
                "{method:?}: {optimum:?} vs {expected:?}"
            );
            assert!(
                within(learned[k], expected[k], 0.05),
                "{method:?}: {learned:?} vs {expected:?}"
            );
        }
    }
}

#[test]
fn generated_data_has_the_model_moments() {
    let n = 200_000;
    let (s, sigma) = (0.4, 0.3);
    let data = Dataset::generate(n, &[s], sigma, &mut LabRng::new(5, Stream::TrainData));
    let column = |k: usize| data.x.column(k).to_vec();
    let y = data.y.to_vec();
    let cov = |a: &[f64], b: &[f64]| {
        let (ma, mb) = (mean(a), mean(b));
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - ma) * (y - mb))
            .sum::<f64>()
            / n as f64
    };
    // Tolerances are about five standard errors at this n.
    let se = 5.0 / (n as f64).sqrt();
    for k in 0..2 {
        assert!(within(mean(&column(k)), 0.0, se));
        assert!(within(std_dev(&column(k)), 1.0, se));
    }
    assert!(within(cov(&column(0), &column(1)), 0.0, se));
    assert!(within(mean(&y), 3.0, 3.0 * se));
    assert!(within(cov(&y, &y), 6.0, 6.0 * 2.0 * se));
    assert!(within(cov(&column(0), &y), 1.0, 2.0 * se));
    assert!(within(cov(&column(1), &y), 2.0, 3.0 * se));
    assert!(within(cov(&column(2), &y), 6.0 * s, 6.0 * se));
    assert!(within(
        cov(&column(2), &column(2)),
        6.0 * s * s + sigma * sigma,
        2.0 * se
    ));
    assert!(within(
        data.correlation(2),
        6.0 * s / (6.0f64 * (6.0 * s * s + sigma * sigma)).sqrt(),
        se
    ));

    // The sample moments of the data agree with the population moments.
    let sample = Moments::sample(&data);
    let population = Moments::domain(s, sigma);
    for a in 0..4 {
        for b in 0..4 {
            assert!(
                within(sample.gram[a][b], population.gram[a][b], 8.0 * se),
                "{a} {b}"
            );
        }
    }
}

#[test]
fn normal_draws_have_standard_moments() {
    let mut rng = LabRng::new(9, Stream::IidData);
    let draws: Vec<f64> = (0..400_000).map(|_| rng.normal()).collect();
    let m = mean(&draws);
    let moment = |k: i32| draws.iter().map(|x| (x - m).powi(k)).sum::<f64>() / draws.len() as f64;
    assert!(within(m, 0.0, 0.01));
    assert!(within(moment(2), 1.0, 0.01));
    assert!(within(moment(3), 0.0, 0.03));
    assert!(within(moment(4), 3.0, 0.05));
    let uniform: Vec<f64> = (0..400_000).map(|_| rng.uniform()).collect();
    assert!(uniform.iter().all(|u| (0.0..1.0).contains(u)));
    assert!(within(mean(&uniform), 0.5, 0.003));
}

#[test]
fn the_same_seed_gives_the_same_bits() {
    let config = config(&[
        ("runs", "3"),
        ("n_train", "600"),
        ("n_test", "200"),
        ("hidden", "8,8"),
    ]);
    for model in ModelKind::ALL {
        let a = run_method(&config, Method::Augmentation, model, &mut ()).unwrap();
        let b = run_method(&config, Method::Augmentation, model, &mut ()).unwrap();
        assert_eq!(a, b);
    }
    let pairs = [
        (Method::Baseline, ModelKind::Mlp),
        (Method::Randomization, ModelKind::Linear),
    ];
    assert_eq!(
        run_pairs(&config, &pairs, 1, &()),
        run_pairs(&config, &pairs, 3, &())
    );

    // Another seed gives other numbers.
    let other = config.clone().into_inner();
    let other = spurious_lab::config::Config { seed: 2, ..other }
        .validate()
        .unwrap();
    let a = run_one(&config, Method::Baseline, ModelKind::Linear, 0, &mut ()).unwrap();
    let b = run_one(&other, Method::Baseline, ModelKind::Linear, 0, &mut ()).unwrap();
    assert_ne!(a.rmse_iid, b.rmse_iid);
}

/// Bits of a small run, pinned so that any change in the generator, the training loop or
/// their order of operations shows up here; the browser tests check the same bits. They
/// are the bits of the lesson's f32 build.
#[test]
#[cfg_attr(feature = "f64", ignore = "the pinned bits are those of the f32 build")]
fn pinned_results_do_not_drift() {
    let bits = pinned::pinned_bits();
    assert_eq!(bits, pinned::PINNED_BITS, "{:?}", bits.map(f64::from_bits));
}

#[test]
fn runs_are_paired_across_methods() {
    let config = config(&[
        ("runs", "2"),
        ("n_train", "500"),
        ("n_test", "100"),
        ("augment_p", "0"),
    ]);
    let seed = 4;
    let baseline = training_set(&config, Method::Baseline, seed);
    let randomized = training_set(&config, Method::Randomization, seed);
    // Same causes and targets, only X3 differs.
    assert_eq!(baseline.y, randomized.y);
    assert_eq!(baseline.x.column(0), randomized.x.column(0));
    assert_ne!(baseline.x.column(2), randomized.x.column(2));
    // Augmentation of no rows is the baseline, bit for bit.
    for model in ModelKind::ALL {
        let a = run_one(&config, Method::Baseline, model, 1, &mut ()).unwrap();
        let b = run_one(&config, Method::Augmentation, model, 1, &mut ()).unwrap();
        assert_eq!(
            (a.rmse_iid, a.rmse_ood, a.weights, &a.loss),
            (b.rmse_iid, b.rmse_ood, b.weights, &b.loss)
        );
    }
}

/// Stops after a given number of batches and records the epochs it saw.
struct StopAfter {
    batches_left: usize,
    epochs: Vec<(usize, f64)>,
}

impl Monitor for StopAfter {
    fn epoch_done(&mut self, epoch: usize, loss: f64) {
        self.epochs.push((epoch, loss));
    }

    fn should_stop(&mut self) -> bool {
        if self.batches_left == 0 {
            return true;
        }
        self.batches_left -= 1;
        false
    }
}

#[test]
fn training_reports_progress_and_stops_between_batches() {
    let config = config(&[
        ("runs", "1"),
        ("n_train", "80"),
        ("n_test", "10"),
        ("epochs", "5"),
        ("batch", "8"),
    ]);
    let mut watch = StopAfter {
        batches_left: usize::MAX,
        epochs: Vec::new(),
    };
    let run = run_one(&config, Method::Baseline, ModelKind::Mlp, 0, &mut watch).unwrap();
    let seen: Vec<f64> = watch.epochs.iter().map(|e| e.1).collect();
    assert_eq!(
        watch.epochs.iter().map(|e| e.0).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(seen, run.loss);

    // 10 batches an epoch: stopping after 25 batches ends the run in its third epoch.
    let mut stop = StopAfter {
        batches_left: 25,
        epochs: Vec::new(),
    };
    let stopped = run_one(&config, Method::Baseline, ModelKind::Mlp, 0, &mut stop);
    assert!(stopped.is_err());
    assert_eq!(stop.epochs.len(), 2);
}

/// Pauses every `every` batches, as a Web Worker does to read its messages.
struct PauseEvery {
    every: usize,
    asked: usize,
}

impl Monitor for PauseEvery {
    fn should_pause(&mut self) -> bool {
        self.asked += 1;
        self.asked % self.every == 0
    }
}

#[test]
fn a_run_paused_and_resumed_gives_the_same_bits() {
    // 13 batches an epoch (100 rows, batches of 8 and a last one of 4), paused every 7
    // batches: pauses fall inside epochs, on their last batch and on their first.
    let config = config(&[
        ("runs", "1"),
        ("n_train", "100"),
        ("n_test", "20"),
        ("epochs", "4"),
        ("augment", "noise"),
    ]);
    for (method, model) in [
        (Method::Baseline, ModelKind::Linear),
        (Method::Augmentation, ModelKind::Mlp),
    ] {
        let whole = run_one(&config, method, model, 0, &mut ()).unwrap();
        let mut run = Run::start(&config, method, model, 0);
        let mut monitor = PauseEvery { every: 7, asked: 0 };
        let mut pauses = 0;
        while run.advance(&mut monitor).unwrap() == Advance::Paused {
            pauses += 1;
        }
        // Every batch is asked about once, and once more after each pause.
        assert_eq!(pauses, (4 * 13 + pauses) / 7, "{method:?} {model:?}");
        assert_eq!(run.finish(), whole, "{method:?} {model:?}");
    }
}

#[test]
fn diverging_training_does_not_panic() {
    let config = config(&[
        ("runs", "2"),
        ("n_train", "200"),
        ("n_test", "50"),
        ("lr", "1"),
        ("s_train", "3"),
        ("noise", "0.001"),
        ("epochs", "5"),
    ]);
    for model in ModelKind::ALL {
        let result = run_method(&config, Method::Baseline, model, &mut ()).unwrap();
        assert_eq!(result.rmse_iid.count + result.rmse_iid.non_finite, 2);
    }
}
