//! The `lab` command line, run as a user runs it.

use std::process::{Command, Output};

fn lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .args(args)
        .output()
        .expect("lab runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const SMALL: [&str; 10] = [
    "--set",
    "runs=2",
    "--set",
    "n_train=300",
    "--set",
    "n_test=100",
    "--set",
    "epochs=2",
    "--set",
    "hidden=4",
];

#[test]
fn run_json_has_the_documented_shape() {
    let mut args = vec![
        "run",
        "--json",
        "--method",
        "baseline",
        "--method",
        "augmentation",
    ];
    args.extend(SMALL);
    let output = lab(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(doc["config"]["n_train"], 300);
    assert_eq!(doc["config"]["hidden"], serde_json::json!([4]));
    assert_eq!(doc["config"]["augment"], "shuffle");
    let results = doc["results"].as_array().unwrap();
    let pairs: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["method"].as_str().unwrap(), r["model"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("baseline", "linear"),
            ("augmentation", "linear"),
            ("baseline", "mlp"),
            ("augmentation", "mlp")
        ]
    );
    for result in results {
        let runs = result["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0]["seed"], 1);
        assert_eq!(runs[1]["seed"], 2);
        for run in runs {
            assert!(run["rmse_iid"].as_f64().unwrap() > 0.0);
            assert!(run["rmse_ood"].as_f64().unwrap() > 0.0);
            assert_eq!(run["weights"].as_array().unwrap().len(), 3);
            assert_eq!(run["loss"].as_array().unwrap().len(), 2);
            assert_eq!(run["bias"].is_null(), result["model"] == "mlp");
        }
        for key in ["rmse_iid", "rmse_ood"] {
            for stat in ["mean", "std", "median", "q1", "q3"] {
                assert!(result[key][stat].is_f64(), "{key}.{stat}");
            }
            let values: Vec<f64> = runs.iter().map(|r| r[key].as_f64().unwrap()).collect();
            let mean = (values[0] + values[1]) / 2.0;
            assert!((result[key]["mean"].as_f64().unwrap() - mean).abs() < 1e-12);
        }
    }
}

#[test]
fn bench_reports_every_piece_with_its_precision() {
    let mut args = vec!["bench", "--repeat", "1"];
    args.extend(SMALL);
    let output = lab(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON document");
    let precision = if cfg!(feature = "f64") { "f64" } else { "f32" };
    assert_eq!(doc["precision"], precision);
    assert!(doc["threads"].as_u64().unwrap() >= 1);
    let timings = doc["timings"].as_array().unwrap();
    let names: Vec<&str> = timings
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "data generation (train, IID, OOD)",
            "one linear run (baseline)",
            "one MLP run (baseline)",
            "whole lesson"
        ]
    );
    for t in timings {
        let (min, median, max) = (t["min"].as_f64(), t["median"].as_f64(), t["max"].as_f64());
        let (min, median, max) = (min.unwrap(), median.unwrap(), max.unwrap());
        assert!(0.0 < min && min <= median && median <= max, "{t}");
    }
    // Throughput is given where the work is counted: every piece but data generation.
    assert!(timings[0]["gflops"].is_null());
    assert!(
        timings[1..]
            .iter()
            .all(|t| t["gflops"].as_f64().unwrap() > 0.0)
    );
}

#[test]
fn run_without_choices_runs_everything_and_prints_a_table() {
    let output = lab(&[&["run"], &SMALL[..]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    for row in ["baseline", "randomization", "augmentation"] {
        assert_eq!(text.matches(row).count(), 2, "{text}");
    }
    assert!(text.contains("RMSE OOD"));
}

#[test]
fn bad_input_exits_with_one_clear_line() {
    let cases: [(&[&str], &str); 8] = [
        (
            &["run", "--set", "n_train=lots"],
            "invalid n_train 'lots': allowed is a whole number",
        ),
        (&["run", "--set", "speed=3"], "unknown setting 'speed'"),
        (&["run", "--set", "noise"], "--set needs KEY=VALUE"),
        (
            &["run", "--method", "dropout"],
            "unknown method 'dropout'; allowed are baseline",
        ),
        (
            &["run", "--model", "cnn"],
            "unknown model 'cnn'; allowed are linear, mlp",
        ),
        (&["run", "--out", "x"], "unknown option '--out' for lab run"),
        (&["figures"], "lab figures needs --out DIR"),
        (
            &["train"],
            "unknown command 'train'; commands are run, figures, bench and help",
        ),
    ];
    for (args, expected) in cases {
        let output = lab(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert_eq!(message.lines().count(), 1, "{args:?}: {message}");
        assert!(
            message.starts_with("lab: ") && message.contains(expected),
            "{args:?}: {message}"
        );
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn help_lists_the_commands_and_keys() {
    let output = lab(&["help"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    for word in ["lab run", "lab figures", "augment_p", "hidden"] {
        assert!(text.contains(word), "{word}");
    }
}

#[test]
fn the_thread_count_does_not_change_the_results() {
    let run = |threads: &str| {
        let output = lab(&[&["run", "--json", "--threads", threads], &SMALL[..]].concat());
        assert!(output.status.success(), "{}", stderr(&output));
        output.stdout
    };
    assert_eq!(run("1"), run("3"));
}
