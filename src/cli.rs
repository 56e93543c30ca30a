//! The native command line, `lab`: the same experiments and figures as the page, for
//! scripts, slides and course notes. This module parses the arguments and carries out the
//! commands; `src/bin/lab.rs` only reports errors and sets the exit code.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::charts::{self, ChartInput, DataSample};
use crate::config::{Config, ConfigError, KEYS, ValidConfig};
use crate::experiment::{Method, MethodResult, ModelKind, Report, UnknownName};
use crate::parallel::{EpochCounter, available_threads, run_pairs};

pub const USAGE: &str = "\
usage:
  lab run [--method NAME]... [--model linear|mlp]... [--set KEY=VALUE]... [--json]
          [--threads N]
  lab figures --out DIR [--set KEY=VALUE]... [--threads N]
  lab bench [--repeat N] [--set KEY=VALUE]... [--threads N]
  lab help

run      trains every chosen method and model over the configured runs and prints a
         table, or with --json one JSON document with the configuration and the results
figures  runs the whole lesson and writes one SVG and one CSV table per figure, and
         results.json, into DIR
bench    times data generation, one linear run, one MLP run and the whole lesson,
         repeated (default 5), and prints medians and spreads as JSON

methods: baseline, randomization, augmentation (default: all)
models:  linear, mlp (default: both)
keys for --set: seed, runs, n_train, n_test, s_train, s_ood, noise, epochs, batch, lr,
         step, gamma, domains, s_min, s_max, augment (shuffle or noise), augment_p,
         hidden (such as 32,32)
--threads N spreads the runs over N threads (default: all cores); the results do not
         depend on it";

/// A parsed command line.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Run {
        pairs: Vec<(Method, ModelKind)>,
        config: ValidConfig,
        json: bool,
        threads: usize,
    },
    Figures {
        out: PathBuf,
        config: ValidConfig,
        threads: usize,
    },
    Bench {
        config: ValidConfig,
        repetitions: usize,
        threads: usize,
    },
    Help,
}

/// Why a command line could not be carried out.
#[derive(Debug)]
pub enum CliError {
    /// The arguments do not form a command; the text says what is wrong.
    Usage(String),
    Config(ConfigError),
    Name(UnknownName),
    /// Writing output failed.
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    Chart(charts::ChartError),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(text) => write!(f, "{text} (see lab help)"),
            CliError::Config(e) => e.fmt(f),
            CliError::Name(e) => e.fmt(f),
            CliError::Io { path, error } => write!(f, "cannot write {}: {error}", path.display()),
            CliError::Chart(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CliError {}

impl From<ConfigError> for CliError {
    fn from(e: ConfigError) -> Self {
        CliError::Config(e)
    }
}

impl From<UnknownName> for CliError {
    fn from(e: UnknownName) -> Self {
        CliError::Name(e)
    }
}

fn usage(text: impl Into<String>) -> CliError {
    CliError::Usage(text.into())
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, CliError> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let command = command.as_str();
    if matches!(command, "help" | "--help" | "-h") {
        return Ok(Command::Help);
    }
    if !matches!(command, "run" | "figures" | "bench") {
        return Err(usage(format!(
            "unknown command '{command}'; commands are run, figures, bench and help"
        )));
    }

    let mut methods = Vec::new();
    let mut models = Vec::new();
    let mut config = Config::default();
    let mut json = false;
    let mut threads = available_threads();
    let mut out = None;
    let mut repetitions = 5;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") && flag != "--set" => {
                (flag, Some(value.to_string()))
            }
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| usage(format!("{flag} needs {what}")))
        };
        match (command, flag) {
            (_, "--help" | "-h") => return Ok(Command::Help),
            (_, "--set") => {
                let pair = value("KEY=VALUE")?;
                let (key, v) = pair.split_once('=').ok_or_else(|| {
                    usage(format!(
                        "--set needs KEY=VALUE, got '{pair}'; keys are {}",
                        KEYS.join(", ")
                    ))
                })?;
                config.set(key.trim(), v)?;
            }
            (_, "--threads") => {
                let text = value("a number of threads")?;
                threads = text
                    .parse()
                    .ok()
                    .filter(|&n| (1..=256).contains(&n))
                    .ok_or_else(|| {
                        usage(format!("invalid --threads '{text}': allowed is 1 to 256"))
                    })?;
            }
            ("run", "--method") => methods.push(Method::parse(&value("a method name")?)?),
            ("run", "--model") => models.push(ModelKind::parse(&value("a model name")?)?),
            ("run", "--json") => json = true,
            ("figures", "--out") => out = Some(PathBuf::from(value("a directory")?)),
            ("bench", "--repeat") => {
                let text = value("a number of repetitions")?;
                repetitions = text
                    .parse()
                    .ok()
                    .filter(|&n| (1..=100).contains(&n))
                    .ok_or_else(|| {
                        usage(format!("invalid --repeat '{text}': allowed is 1 to 100"))
                    })?;
            }
            _ => return Err(usage(format!("unknown option '{arg}' for lab {command}"))),
        }
    }
    let config = config.validate()?;

    if command == "bench" {
        return Ok(Command::Bench {
            config,
            repetitions,
            threads,
        });
    }
    if command == "figures" {
        let out = out.ok_or_else(|| usage("lab figures needs --out DIR"))?;
        return Ok(Command::Figures {
            out,
            config,
            threads,
        });
    }
    if methods.is_empty() {
        methods = Method::ALL.to_vec();
    }
    if models.is_empty() {
        models = ModelKind::ALL.to_vec();
    }
    methods.dedup();
    models.dedup();
    let pairs = models
        .iter()
        .flat_map(|&model| methods.iter().map(move |&method| (method, model)))
        .collect();
    Ok(Command::Run {
        pairs,
        config,
        json,
        threads,
    })
}

/// Carries out a command, writing its output to `out`.
pub fn execute(command: Command, out: &mut dyn Write) -> Result<(), CliError> {
    let stdout_error = |error| CliError::Io {
        path: PathBuf::from("standard output"),
        error,
    };
    match command {
        Command::Help => writeln!(out, "{USAGE}").map_err(stdout_error),
        Command::Run {
            pairs,
            config,
            json,
            threads,
        } => {
            let results = run_with_progress(&config, &pairs, threads);
            if json {
                let report = Report {
                    config: &config,
                    results: &results,
                };
                let text = serde_json::to_string_pretty(&report).expect("results serialise");
                writeln!(out, "{text}").map_err(stdout_error)
            } else {
                write_table(&results, out).map_err(stdout_error)
            }
        }
        Command::Bench {
            config,
            repetitions,
            threads,
        } => {
            let report = crate::bench::run(&config, repetitions, threads);
            let text = serde_json::to_string_pretty(&report).expect("timings serialise");
            writeln!(out, "{text}").map_err(stdout_error)
        }
        Command::Figures {
            out: dir,
            config,
            threads,
        } => {
            let written = write_figures(&config, &dir, threads)?;
            writeln!(out, "wrote {written} files to {}", dir.display()).map_err(stdout_error)
        }
    }
}

/// Runs the pairs, showing progress on standard error when it is a terminal.
fn run_with_progress(
    config: &ValidConfig,
    pairs: &[(Method, ModelKind)],
    threads: usize,
) -> Vec<MethodResult> {
    let total = pairs.len() * config.runs * config.epochs;
    if std::io::stderr().is_terminal() {
        let progress = Progress {
            done: AtomicUsize::new(0),
            shown: Mutex::new(usize::MAX),
            total,
        };
        let results = run_pairs(config, pairs, threads, &progress);
        eprint!("\r{:40}\r", "");
        results
    } else {
        run_pairs(config, pairs, threads, &())
    }
}

/// A percentage on one terminal line, redrawn when it changes.
struct Progress {
    done: AtomicUsize,
    shown: Mutex<usize>,
    total: usize,
}

impl EpochCounter for Progress {
    fn epoch_done(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let percent = done * 100 / self.total.max(1);
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        if *shown != percent {
            *shown = percent;
            eprint!("\rtraining {percent:3}% ({done} of {} epochs)", self.total);
        }
    }
}

fn write_table(results: &[MethodResult], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<14} {:<7} {:>17} {:>17} {:>7} {:>7} {:>7} {:>7}",
        "method", "model", "RMSE IID", "RMSE OOD", "w1", "w2", "w3", "bias"
    )?;
    for r in results {
        let (w, bias) = r.mean_params();
        let bias = bias.map_or_else(|| "-".to_string(), |b| format!("{b:.3}"));
        writeln!(
            out,
            "{:<14} {:<7} {:>9.3} ± {:<5.3} {:>9.3} ± {:<5.3} {:>7.3} {:>7.3} {:>7.3} {:>7}",
            r.method.name(),
            r.model.name(),
            r.rmse_iid.mean,
            r.rmse_iid.std,
            r.rmse_ood.mean,
            r.rmse_ood.std,
            w[0],
            w[1],
            w[2],
            bias
        )?;
    }
    writeln!(
        out,
        "mean ± standard deviation over {} runs; for the MLP, w is the mean input gradient",
        results.first().map_or(0, |r| r.runs.len())
    )
}

/// Runs the whole lesson and writes every figure as SVG, its table as CSV, and
/// `results.json`; returns the number of files written.
pub fn write_figures(config: &ValidConfig, dir: &Path, threads: usize) -> Result<usize, CliError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| CliError::Io { path, error }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let pairs: Vec<(Method, ModelKind)> = ModelKind::ALL
        .iter()
        .flat_map(|&model| Method::ALL.iter().map(move |&method| (method, model)))
        .collect();
    let results = run_with_progress(config, &pairs, threads);
    let data = DataSample::new(config);
    let input = ChartInput {
        config,
        data: Some(&data),
        results: &results,
    };

    let mut written = 0;
    for figure in charts::FIGURES {
        let svg = charts::render_svg(figure.id, &input, charts::default_size(figure.id))
            .map_err(CliError::Chart)?;
        let path = dir.join(format!("{}.svg", figure.id));
        std::fs::write(&path, svg).map_err(io(&path))?;
        let table = charts::table(figure.id, &input).map_err(CliError::Chart)?;
        let path = dir.join(format!("{}.csv", figure.id));
        std::fs::write(&path, table.to_csv()).map_err(io(&path))?;
        written += 2;
    }
    let report = Report {
        config,
        results: &results,
    };
    let path = dir.join("results.json");
    let text = serde_json::to_string_pretty(&report).expect("results serialise");
    std::fs::write(&path, text + "\n").map_err(io(&path))?;
    Ok(written + 1)
}
