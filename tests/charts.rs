//! The figures drawn from a small but real experiment: every figure renders, says what it
//! should, reports missing results, survives diverged and degenerate runs, and comes out
//! the same every time. Its tables carry the numbers of the results they show.
//!
//! Set `SPURIOUS_LAB_CHARTS_DIR` to a directory to keep the rendered SVGs for a look.

use std::sync::OnceLock;

use spurious_lab::charts::{
    self, ChartError, ChartInput, DataSample, FIGURES, Table, default_size, figure, method_colour,
    render_svg,
};
use spurious_lab::config::{ValidConfig, from_pairs};
use spurious_lab::experiment::{
    Method, MethodResult, ModelKind, TestSets, run_method, training_set,
};
use spurious_lab::rng::run_seed;

struct Lesson {
    config: ValidConfig,
    data: DataSample,
    results: Vec<MethodResult>,
}

impl Lesson {
    fn input(&self) -> ChartInput<'_> {
        ChartInput {
            config: &self.config,
            data: Some(&self.data),
            results: &self.results,
        }
    }

    fn result(&self, method: Method, model: ModelKind) -> &MethodResult {
        self.results
            .iter()
            .find(|r| r.method == method && r.model == model)
            .expect("every method and model was run")
    }
}

/// Every method with both models, three runs each: small enough to run in a second,
/// real enough to exercise every code path of the figures.
fn lesson() -> &'static Lesson {
    static LESSON: OnceLock<Lesson> = OnceLock::new();
    LESSON.get_or_init(|| {
        let pairs = [
            ("runs", "3"),
            ("n_train", "400"),
            ("n_test", "300"),
            ("epochs", "3"),
        ];
        let config = from_pairs(pairs.into_iter().chain([("hidden", "8")])).unwrap();
        let seed = run_seed(config.seed, 0);
        let tests = TestSets::generate(&config, seed);
        let data = DataSample {
            train: training_set(&config, Method::Baseline, seed),
            iid: tests.iid,
            ood: tests.ood,
        };
        let mut results = Vec::new();
        for model in ModelKind::ALL {
            for method in Method::ALL {
                results.push(run_method(&config, method, model, &mut ()).unwrap());
            }
        }
        Lesson {
            config,
            data,
            results,
        }
    })
}

fn hex(method: Method) -> String {
    let c = method_colour(method);
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Texts every figure of a kind must carry: axis titles, legend entries, its title.
fn expected_texts(id: &str) -> Vec<String> {
    let fixed: &[&str] = match id {
        "data" => &[
            "X1",
            "X2",
            "X3",
            "Y",
            "Training set, s = 0.2",
            "IID test set, s = 0.2",
            "OOD test set, s = 0.1",
        ],
        "mlp-loss" => &["epoch", "training loss (MSE, log scale)", "one run"],
        "mlp-effective-weights" => &["feature", "effective weight", "true value"],
        "summary-box" | "mlp-box" => &["RMSE", "method", "causal model (RMSE 1)"],
        _ if id.ends_with("-loss") => &["epoch", "training loss (MSE, log scale)", "one run"],
        _ if id.ends_with("-weights") => &[
            "weight",
            "X3 weight",
            "bias",
            "true value",
            "least-squares optimum",
        ],
        _ if id.ends_with("-rmse") => &["RMSE", "IID test", "OOD test (s = 0.1)"],
        _ => panic!("no expectations for figure {id}"),
    };
    let mut texts: Vec<String> = fixed.iter().map(|t| t.to_string()).collect();
    texts.push(figure(id).unwrap().title.to_string());
    if id == "data" {
        let data = &lesson().data;
        texts.push(format!("corr {:.2}", data.train.correlation(0)));
        texts.push(format!("corr {:.2}", data.ood.correlation(2)));
    }
    if id.ends_with("-loss") && id != "mlp-loss" {
        let method = Method::parse(id.trim_end_matches("-loss")).unwrap();
        let result = lesson().result(method, ModelKind::Linear);
        let optimum = charts::table(id, &lesson().input()).unwrap();
        let reference = cell(&optimum, 0, "least-squares optimum").to_string();
        assert!(
            !reference.is_empty(),
            "{id} of {:?} has no optimum",
            result.method
        );
        texts.push(format!("least-squares optimum ({reference})"));
    }
    texts
}

/// The methods whose colour a figure must show.
fn expected_methods(id: &str) -> Vec<Method> {
    match id.split_once('-') {
        Some((name, _)) if Method::parse(name).is_ok() => vec![Method::parse(name).unwrap()],
        _ if id == "data" => vec![],
        _ => Method::ALL.to_vec(),
    }
}

/// The contents of the text elements of an SVG document.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .filter_map(|element| {
            let (_, rest) = element.split_once('>')?;
            Some(rest.split_once("</text>")?.0.trim())
        })
        .collect()
}

fn keep(name: &str, svg: &str) {
    if let Some(dir) = std::env::var_os("SPURIOUS_LAB_CHARTS_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), svg).unwrap();
    }
}

#[test]
fn every_figure_renders_with_its_labels_and_colours() {
    let lesson = lesson();
    for fig in FIGURES {
        let svg = render_svg(fig.id, &lesson.input(), default_size(fig.id))
            .unwrap_or_else(|e| panic!("{}: {e}", fig.id));
        keep(fig.id, &svg);
        assert!(svg.starts_with("<svg"), "{}", fig.id);
        let elements = svg.matches('<').count();
        assert!(elements > 60, "{} has only {elements} elements", fig.id);
        let texts = texts(&svg);
        for text in expected_texts(fig.id) {
            assert!(
                texts.contains(&text.as_str()),
                "{} lacks the text '{text}'",
                fig.id
            );
        }
        for method in expected_methods(fig.id) {
            assert!(
                svg.contains(&hex(method)),
                "{} lacks the colour of {method:?}",
                fig.id
            );
        }
    }
}

#[test]
fn figures_are_listed_once_in_lesson_order() {
    let ids: Vec<&str> = FIGURES.iter().map(|f| f.id).collect();
    assert_eq!(
        ids,
        [
            "data",
            "baseline-loss",
            "baseline-weights",
            "baseline-rmse",
            "randomization-loss",
            "randomization-weights",
            "randomization-rmse",
            "augmentation-loss",
            "augmentation-weights",
            "augmentation-rmse",
            "summary-box",
            "mlp-loss",
            "mlp-box",
            "mlp-effective-weights",
        ]
    );
    for fig in FIGURES {
        assert_eq!(figure(fig.id), Some(fig));
        assert!(
            !fig.title.is_empty() && fig.caption.ends_with('.'),
            "{}",
            fig.id
        );
        assert!(
            !fig.caption.contains("  "),
            "{} caption has a double space",
            fig.id
        );
    }
    assert_eq!(default_size("data"), (900, 600));
    assert_eq!(default_size("baseline-loss"), (720, 440));
}

#[test]
fn unknown_figure_names_the_id_and_the_known_ones() {
    let lesson = lesson();
    let error = render_svg("baseline-weight", &lesson.input(), (720, 440)).unwrap_err();
    assert_eq!(
        error,
        ChartError::UnknownFigure("baseline-weight".to_string())
    );
    let message = error.to_string();
    assert!(message.contains("'baseline-weight'") && message.contains("mlp-effective-weights"));
    assert!(matches!(
        charts::table("", &lesson.input()),
        Err(ChartError::UnknownFigure(_))
    ));
}

#[test]
fn missing_results_are_reported_not_drawn() {
    let lesson = lesson();
    let without: Vec<MethodResult> = lesson
        .results
        .iter()
        .filter(|r| !(r.method == Method::Randomization && r.model == ModelKind::Linear))
        .cloned()
        .collect();
    let input = ChartInput {
        results: &without,
        data: None,
        ..lesson.input()
    };
    for id in [
        "randomization-loss",
        "randomization-weights",
        "randomization-rmse",
    ] {
        let expected = ChartError::MissingResults {
            figure: figure(id).unwrap().id,
            needs: "linear results of randomization".to_string(),
        };
        assert_eq!(render_svg(id, &input, (720, 440)).unwrap_err(), expected);
        assert_eq!(charts::table(id, &input).unwrap_err(), expected);
    }
    let error = render_svg("data", &input, (900, 600)).unwrap_err();
    assert!(
        matches!(error, ChartError::MissingResults { figure: "data", .. }),
        "{error}"
    );
    // The summary draws whichever methods are present.
    assert!(render_svg("summary-box", &input, (720, 440)).is_ok());

    let nothing = ChartInput {
        results: &[],
        ..input
    };
    for id in [
        "summary-box",
        "mlp-box",
        "mlp-loss",
        "mlp-effective-weights",
    ] {
        let error = render_svg(id, &nothing, (720, 440)).unwrap_err();
        assert!(
            matches!(error, ChartError::MissingResults { .. }),
            "{id}: {error}"
        );
        assert!(error.to_string().contains(id));
    }
    let empty_runs = [MethodResult::new(
        Method::Baseline,
        ModelKind::Linear,
        Vec::new(),
    )];
    let empty = ChartInput {
        results: &empty_runs,
        ..input
    };
    let error = render_svg("baseline-rmse", &empty, (720, 440)).unwrap_err();
    assert!(
        matches!(error, ChartError::MissingResults { .. }),
        "{error}"
    );
}

/// `charts::ready`, which the page asks at every render instead of building the table, says
/// exactly what drawing and the table say, for every figure and many partial lessons.
#[test]
fn a_figure_is_ready_exactly_when_it_draws_and_has_a_table() {
    let lesson = lesson();
    let empty_runs: Vec<MethodResult> = lesson
        .results
        .iter()
        .map(|r| MethodResult::new(r.method, r.model, Vec::new()))
        .collect();
    let mut cases: Vec<(Vec<MethodResult>, bool)> = vec![
        (lesson.results.clone(), true),
        (lesson.results.clone(), false),
        (Vec::new(), true),
        (Vec::new(), false),
        (empty_runs, true),
    ];
    // Every result left out in turn, and every result alone.
    for (i, result) in lesson.results.iter().enumerate() {
        let mut without = lesson.results.clone();
        without.remove(i);
        cases.push((without, i % 2 == 0));
        cases.push((vec![result.clone()], i % 2 == 1));
    }
    for (results, with_data) in &cases {
        let input = ChartInput {
            results,
            data: if *with_data {
                lesson.input().data
            } else {
                None
            },
            ..lesson.input()
        };
        for fig in FIGURES {
            let ready = charts::ready(fig.id, &input);
            let table = charts::table(fig.id, &input).map(|_| ());
            let drawn = render_svg(fig.id, &input, default_size(fig.id)).map(|_| ());
            assert_eq!(ready, table, "{}", fig.id);
            assert_eq!(ready, drawn, "{}", fig.id);
        }
    }
    assert!(matches!(
        charts::ready("no-such-figure", &lesson.input()),
        Err(ChartError::UnknownFigure(_))
    ));
}

#[test]
fn too_small_an_area_is_refused() {
    let lesson = lesson();
    let error = render_svg("baseline-loss", &lesson.input(), (479, 300)).unwrap_err();
    assert!(
        matches!(
            error,
            ChartError::AreaTooSmall {
                size: (479, 300),
                ..
            }
        ),
        "{error}"
    );
    assert!(render_svg("baseline-loss", &lesson.input(), (480, 300)).is_ok());
    let error = render_svg("data", &lesson.input(), (480, 320)).unwrap_err();
    assert!(
        matches!(
            error,
            ChartError::AreaTooSmall {
                min: (600, 400),
                ..
            }
        ),
        "{error}"
    );
    assert!(render_svg("data", &lesson.input(), (600, 400)).is_ok());
}

fn assert_rectangular(id: &str, table: &Table) {
    for row in &table.rows {
        assert_eq!(row.len(), table.columns.len(), "{id}: {row:?}");
    }
}

fn cell<'t>(table: &'t Table, row: usize, column: &str) -> &'t str {
    let index = table.columns.iter().position(|c| c == column);
    let index = index.unwrap_or_else(|| panic!("no column {column} in {:?}", table.columns));
    &table.rows[row][index]
}

/// Tables write three decimals, so they match to half a unit in the last place.
fn assert_shows(text: &str, value: f64) {
    let shown: f64 = text
        .parse()
        .unwrap_or_else(|_| panic!("'{text}' is not a number"));
    assert!(
        (shown - value).abs() <= 5e-4 + 1e-12,
        "{text} shows {value}"
    );
}

#[test]
fn tables_carry_the_numbers_of_the_results() {
    let lesson = lesson();
    let input = lesson.input();
    for fig in FIGURES {
        let table = charts::table(fig.id, &input).unwrap();
        assert!(!table.rows.is_empty(), "{} has no rows", fig.id);
        assert_rectangular(fig.id, &table);
    }

    let baseline = lesson.result(Method::Baseline, ModelKind::Linear);
    let weights = charts::table("baseline-weights", &input).unwrap();
    assert_eq!(weights.rows.len(), 4);
    assert_eq!(weights.rows[2][0], "X3 weight");
    let (mean, bias) = baseline.mean_params();
    assert_eq!(
        cell(&weights, 2, "learned (mean)"),
        format!("{:.3}", mean[2])
    );
    assert_shows(cell(&weights, 3, "learned (mean)"), bias.unwrap());
    assert_eq!(cell(&weights, 2, "true"), "0.000");
    assert_eq!(cell(&weights, 3, "true"), "3.000");
    // The population optimum for s = 0.2, σ = 0.1 leans on X3 with weight 4 and bias 0.6.
    assert_eq!(cell(&weights, 2, "least-squares optimum"), "4.000");
    assert_eq!(cell(&weights, 3, "least-squares optimum"), "0.600");
    let run = &baseline.runs[1];
    assert_shows(
        cell(&weights, 0, &format!("seed {}", run.seed)),
        run.weights[0],
    );

    let rmse = charts::table("baseline-rmse", &input).unwrap();
    assert_eq!(rmse.rows.len(), 2);
    assert_eq!(cell(&rmse, 1, "test set"), "OOD test");
    assert_eq!(cell(&rmse, 1, "s"), "0.1");
    assert_eq!(cell(&rmse, 0, "runs"), "3");
    assert_shows(cell(&rmse, 0, "mean"), baseline.rmse_iid.mean);
    assert_shows(cell(&rmse, 1, "median"), baseline.rmse_ood.median);

    let summary = charts::table("summary-box", &input).unwrap();
    assert_eq!(summary.rows.len(), 2 * Method::ALL.len());
    let augmentation = lesson.result(Method::Augmentation, ModelKind::Linear);
    assert_eq!(cell(&summary, 5, "method"), Method::Augmentation.title());
    assert_shows(cell(&summary, 5, "std"), augmentation.rmse_ood.std);

    let loss = charts::table("baseline-loss", &input).unwrap();
    assert_eq!(loss.rows.len(), lesson.config.epochs);
    let first: Vec<f64> = baseline.runs.iter().map(|r| r.loss[0]).collect();
    assert_shows(
        cell(&loss, 0, "mean"),
        first.iter().sum::<f64>() / first.len() as f64,
    );
    // Its training loss is b = σ²/(s² + σ²) = 0.2; shuffling all of X3 leaves the noise of Y.
    assert_eq!(cell(&loss, 0, "least-squares optimum"), "0.200");
    let shuffled = charts::table("augmentation-loss", &input).unwrap();
    assert_eq!(cell(&shuffled, 2, "least-squares optimum"), "1.000");
    let mlp_loss = charts::table("mlp-loss", &input).unwrap();
    assert_eq!(mlp_loss.columns.len(), 1 + Method::ALL.len());

    let effective = charts::table("mlp-effective-weights", &input).unwrap();
    let mlp = lesson.result(Method::Baseline, ModelKind::Mlp);
    assert_eq!(effective.rows.len(), 3);
    assert_shows(
        cell(&effective, 2, "Baseline (mean)"),
        mlp.mean_params().0[2],
    );

    let data = charts::table("data", &input).unwrap();
    assert_eq!(data.rows.len(), 3);
    assert_eq!(cell(&data, 0, "n"), "400");
    assert_eq!(cell(&data, 2, "n"), "300");
    assert_eq!(cell(&data, 0, "s"), "0.2");
    assert_shows(
        cell(&data, 2, "corr(X3, Y)"),
        lesson.data.ood.correlation(2),
    );

    let csv = weights.to_csv();
    assert_eq!(csv.lines().count(), 1 + weights.rows.len());
    assert!(csv.starts_with("parameter,true,learned (mean)"));
    let quoted = Table {
        columns: vec!["a, b".to_string()],
        rows: vec![vec!["say \"hi\"".to_string()]],
    };
    assert_eq!(quoted.to_csv(), "\"a, b\"\n\"say \"\"hi\"\"\"\n");
}

/// Renders every figure from these results; none may fail or panic.
fn render_all(name: &str, config: &ValidConfig, results: &[MethodResult]) {
    let lesson = lesson();
    let input = ChartInput {
        config,
        data: Some(&lesson.data),
        results,
    };
    for fig in FIGURES {
        let svg = render_svg(fig.id, &input, default_size(fig.id))
            .unwrap_or_else(|e| panic!("{name} {}: {e}", fig.id));
        keep(&format!("{name}-{}", fig.id), &svg);
        assert_rectangular(fig.id, &charts::table(fig.id, &input).unwrap());
    }
}

/// Rebuilds results from edited runs, so that their summaries follow the edit.
fn edited(edit: impl Fn(usize, &mut spurious_lab::experiment::RunResult)) -> Vec<MethodResult> {
    lesson()
        .results
        .iter()
        .map(|r| {
            let mut runs = r.runs.clone();
            for (i, run) in runs.iter_mut().enumerate() {
                edit(i, run);
            }
            MethodResult::new(r.method, r.model, runs)
        })
        .collect()
}

#[test]
fn diverged_runs_still_render() {
    let diverged = edited(|i, run| match i {
        0 => {
            run.rmse_iid = f64::NAN;
            run.rmse_ood = f64::INFINITY;
            run.loss[1] = f64::NAN;
            run.loss[2] = f64::INFINITY;
            run.weights[2] = f64::NAN;
        }
        1 => {
            run.rmse_ood = f64::NEG_INFINITY;
            run.bias = run.bias.map(|_| f64::INFINITY);
        }
        _ => {}
    });
    render_all("diverged", &lesson().config, &diverged);
    let input = ChartInput {
        results: &diverged,
        ..lesson().input()
    };
    let svg = render_svg("baseline-rmse", &input, (720, 440)).unwrap();
    assert!(texts(&svg).contains(&"(2 runs diverged, not shown)"));
    let rmse = charts::table("baseline-rmse", &input).unwrap();
    assert_eq!(
        (cell(&rmse, 1, "runs"), cell(&rmse, 1, "diverged")),
        ("1", "2")
    );

    let all_diverged = edited(|_, run| {
        run.rmse_iid = f64::NAN;
        run.rmse_ood = f64::NAN;
        run.loss.iter_mut().for_each(|l| *l = f64::NAN);
        run.weights = [f64::NAN; 3];
        run.bias = run.bias.map(|_| f64::NAN);
    });
    render_all("all-diverged", &lesson().config, &all_diverged);
}

#[test]
fn huge_values_still_render() {
    let huge = edited(|i, run| {
        run.loss[0] = f64::MAX;
        run.rmse_ood = 1e200 * (i + 1) as f64;
        run.weights[0] = -1e300;
    });
    render_all("huge", &lesson().config, &huge);
}

#[test]
fn single_and_identical_runs_still_render() {
    let single = edited(|_, _| {});
    let single: Vec<MethodResult> = single
        .into_iter()
        .map(|r| MethodResult::new(r.method, r.model, r.runs[..1].to_vec()))
        .collect();
    render_all("single", &lesson().config, &single);

    let identical: Vec<MethodResult> = single
        .iter()
        .map(|r| MethodResult::new(r.method, r.model, vec![r.runs[0].clone(); 4]))
        .collect();
    render_all("identical", &lesson().config, &identical);

    let one_epoch = edited(|_, run| run.loss.truncate(1));
    render_all("one-epoch", &lesson().config, &one_epoch);
    let no_epochs = edited(|_, run| run.loss.clear());
    render_all("no-epochs", &lesson().config, &no_epochs);
}

#[test]
fn rendering_is_deterministic() {
    let lesson = lesson();
    for fig in FIGURES {
        let size = default_size(fig.id);
        let first = render_svg(fig.id, &lesson.input(), size).unwrap();
        let second = render_svg(fig.id, &lesson.input(), size).unwrap();
        assert!(first == second, "{} differs between two renderings", fig.id);
    }
}

#[test]
fn figures_fit_other_sizes() {
    let lesson = lesson();
    for size in [(600, 400), (1600, 1000)] {
        for fig in FIGURES {
            let svg = render_svg(fig.id, &lesson.input(), size).unwrap();
            assert!(svg.contains(&format!("width=\"{}\"", size.0)), "{}", fig.id);
        }
    }
}

#[test]
fn the_live_loss_draws_runs_under_way() {
    use plotters::prelude::{IntoDrawingArea, SVGBackend};

    let lesson = lesson();
    let finished = lesson.result(Method::Baseline, ModelKind::Linear).runs[0]
        .loss
        .clone();
    let curves = vec![finished.clone(), finished[..1].to_vec(), Vec::new()];
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (640, 320)).into_drawing_area();
        charts::draw_live_loss(&area, Method::Baseline, &curves, finished.len()).unwrap();
        area.present().unwrap();
    }
    keep("live-loss", &svg);
    let words = texts(&svg);
    assert!(
        words.contains(&"2 of 3 runs under way or done"),
        "{words:?}"
    );
    assert!(words.contains(&"epoch"));
    assert!(svg.contains(&hex(Method::Baseline)));
    // A curve that has not started, and curves that are all NaN, still draw.
    let mut empty = String::new();
    {
        let area = SVGBackend::with_string(&mut empty, (640, 320)).into_drawing_area();
        let curves = [vec![], vec![f64::NAN, f64::INFINITY]];
        charts::draw_live_loss(&area, Method::Randomization, &curves, 30).unwrap();
    }
    assert!(empty.contains("epoch"));
}
