//! The lesson page: one scrolling page of steps, each with its explanation, the controls
//! that matter for it next to its figures, a prediction to make before the result is
//! revealed, and its figures.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::{Rc, Weak};

use yew::prelude::*;

use super::canvas::{Figure, PendingFrame, Snapshot, at_next_frame, changing_in_frame};
use super::controls::{Choice, SetCallback, Slider};
use super::pool::WorkerPool;
use super::protocol::{Job, Response};
use super::state::{Action, Lesson, Step};
use super::{address, download, live::LiveLoss};
use crate::charts::{self, DataSample};
use crate::experiment::{Method, ModelKind};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub lesson: Rc<Lesson>,
}

/// How many workers train at once: one per core the browser reports, at most eight.
pub fn worker_count() -> usize {
    web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(2, |n| n as usize)
        .clamp(1, 8)
}

/// A callback for the workers' answers that hands them on together, in order, at the next
/// animation frame. Finished linear runs come milliseconds apart and each worker reports
/// progress every few tens of milliseconds: applied one by one, each would re-render the
/// lesson, and a result that came in the meantime would wait behind all those renders
/// before its figure is drawn. Applied at the start of a frame, their figures are drawn in
/// that same frame.
fn once_a_frame(deliver: impl Fn(Vec<Response>) + 'static) -> Callback<Response> {
    let waiting = Rc::new(RefCell::new(Vec::new()));
    let pending: PendingFrame = Rc::default();
    let deliver = Rc::new(deliver);
    Callback::from(move |response| {
        waiting.borrow_mut().push(response);
        let (waiting, deliver) = (waiting.clone(), deliver.clone());
        at_next_frame(&pending, move || {
            let batch = std::mem::take(&mut *waiting.borrow_mut());
            if !batch.is_empty() {
                changing_in_frame(|| deliver(batch));
            }
        });
    })
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let lesson = {
        let initial = props.lesson.clone();
        use_reducer(move || (*initial).clone())
    };
    let pool = {
        let dispatcher = lesson.dispatcher();
        use_memo((), move |_| {
            WorkerPool::new(
                worker_count(),
                once_a_frame(move |batch| dispatcher.dispatch(Action::Receive(batch))),
            )
        })
    };
    // The jobs handed to the pool, by generation, so the effect below only sends the new.
    let sent = use_mut_ref(HashSet::<(u64, Job)>::new);

    {
        // Keep the workers doing exactly what the state asks for.
        let pool = pool.clone();
        let sent = sent.clone();
        let wanted = lesson.wanted_jobs();
        let config = lesson.config.clone();
        use_effect_with(wanted, move |wanted| {
            let wanted_set: HashSet<(u64, Job)> = wanted.iter().copied().collect();
            let mut sent = sent.borrow_mut();
            let stale: HashSet<(u64, Job)> = sent.difference(&wanted_set).copied().collect();
            if !stale.is_empty() {
                pool.cancel(|generation, job| stale.contains(&(generation, *job)));
                sent.retain(|entry| !stale.contains(entry));
            }
            let fresh: Vec<(u64, Job)> = wanted
                .iter()
                .copied()
                .filter(|e| !sent.contains(e))
                .collect();
            sent.extend(fresh.iter().copied());
            pool.submit(&config, fresh);
        });
    }
    {
        let config = lesson.config.clone();
        use_effect_with(config, address::write);
    }
    {
        let snapshot = lesson.snapshot.clone();
        use_effect_with(snapshot, address::publish_results);
    }

    let on_set: SetCallback = {
        let lesson = lesson.clone();
        Callback::from(move |(key, value)| lesson.dispatch(Action::Set { key, value }))
    };
    let on_train = {
        let lesson = lesson.clone();
        Callback::from(move |step: Step| lesson.dispatch(Action::Train(step)))
    };
    let on_cancel = {
        let lesson = lesson.clone();
        Callback::from(move |step: Step| lesson.dispatch(Action::Cancel(step)))
    };
    let on_predict = {
        let lesson = lesson.clone();
        Callback::from(move |(question, answer)| {
            lesson.dispatch(Action::Predict { question, answer })
        })
    };
    let run_everything = {
        let lesson = lesson.clone();
        Callback::from(move |_| {
            for step in [
                Step::Baseline,
                Step::Randomization,
                Step::Augmentation,
                Step::Mlp,
            ] {
                lesson.dispatch(Action::Train(step));
            }
        })
    };
    let new_seed = {
        let on_set = on_set.clone();
        Callback::from(move |_| {
            let mut bytes = [0u8; 4];
            if getrandom::fill(&mut bytes).is_ok() {
                on_set.emit(("seed".into(), u32::from_le_bytes(bytes).to_string()));
            }
        })
    };
    let reset = {
        let lesson = lesson.clone();
        Callback::from(move |_| lesson.dispatch(Action::Reset))
    };
    let save_results = {
        let snapshot = lesson.snapshot.clone();
        Callback::from(move |_| {
            download::text(
                &address::results_json(&snapshot),
                "application/json",
                "results.json",
            )
        })
    };

    let ctx = StepContext {
        lesson: lesson.clone(),
        on_set,
        on_train,
        on_cancel,
        on_predict,
    };
    let all_done = [
        Step::Baseline,
        Step::Randomization,
        Step::Augmentation,
        Step::Mlp,
    ]
    .iter()
    .all(|&s| lesson.complete(s));
    let any_running = Step::ALL.iter().any(|&s| lesson.running(s));

    html! {
        <>
        <header class="masthead">
            <p class="kicker">{ "An interactive lesson" }</p>
            <h1>{ "Spurious Lab" }</h1>
            <p class="lede">
                { "Why do models that score well on their test set fail on new data? Build a small \
                   world with a shortcut in it, train models on it in your browser, and watch \
                   them take the shortcut, fail when it breaks, and recover with the right \
                   training data. Nothing is sent anywhere: all data, training and figures are \
                   made on your machine." }
            </p>
            <div class="toolbar" role="group" aria-label="Whole lesson">
                <button type="button" class="primary" id="run-everything" onclick={run_everything}
                    disabled={all_done || any_running}>
                    { if all_done { "Everything is computed" } else if any_running { "Computing…" } else { "Run everything" } }
                </button>
                <button type="button" onclick={new_seed}>{ "New seed" }</button>
                <button type="button" onclick={reset}>{ "Reset to the lesson's settings" }</button>
                <button type="button" onclick={save_results}>{ "Download results (JSON)" }</button>
            </div>
            if let Some(failure) = pool.failure() {
                <p class="notice notice-error" role="alert">{ failure }</p>
            }
            { for lesson.notices.iter().map(|n| html! { <p class="notice" role="status">{ n }</p> }) }
            <p class="status" id="lesson-status" aria-live="polite">
                { status_line(&lesson) }
            </p>
        </header>
        <nav class="toc" aria-label="Steps of the lesson">
            <ol>
                { for SECTIONS.iter().map(|(id, title)| html! { <li><a href={format!("#{id}")}>{ *title }</a></li> }) }
            </ol>
        </nav>
        <main>
            { intuition() }
            { data_step(&ctx) }
            { method_step(&ctx, Step::Baseline) }
            { method_step(&ctx, Step::Randomization) }
            { method_step(&ctx, Step::Augmentation) }
            { summary_step(&ctx) }
            { mlp_step(&ctx) }
            { takeaways() }
        </main>
        <footer class="footer">
            <p>{ "Spurious Lab runs entirely in your browser; it makes no request beyond its own files. \
                  The same figures come from the command line: " }<code>{ "lab figures --out DIR" }</code>{ "." }</p>
        </footer>
        </>
    }
}

const SECTIONS: [(&str, &str); 8] = [
    ("intuition", "Cows and grass"),
    ("data", "The synthetic world"),
    ("baseline", "The baseline fails"),
    ("randomization", "Fix 1: domain randomization"),
    ("augmentation", "Fix 2: data augmentation"),
    ("summary", "Summary"),
    ("mlp", "The same with an MLP"),
    ("takeaways", "Takeaways"),
];

fn status_line(lesson: &Lesson) -> String {
    let (done, total) = Step::ALL
        .iter()
        .filter(|&&s| s != Step::Summary)
        .map(|&s| lesson.progress(s))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let asked: usize = lesson.pairs.len();
    if asked == 0 {
        "Nothing trained yet. Train a step, or run everything.".into()
    } else if lesson.pairs.values().all(|p| p.complete()) {
        format!(
            "{asked} of 6 method and model pairs trained, {} runs each.",
            lesson.config.runs
        )
    } else {
        format!(
            "Training: {}% of the lesson's epochs done.",
            done * 100 / total.max(1)
        )
    }
}

/// What every step's view needs.
#[derive(Clone)]
struct StepContext {
    lesson: UseReducerHandle<Lesson>,
    on_set: SetCallback,
    on_train: Callback<Step>,
    on_cancel: Callback<Step>,
    on_predict: Callback<(String, String)>,
}

impl StepContext {
    fn error_for(&self, key: &str) -> Option<String> {
        self.lesson
            .control_error
            .as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, e)| e.clone())
    }

    fn value(&self, key: &str) -> String {
        self.lesson.config.get(key).unwrap_or_default()
    }

    fn slider(
        &self,
        key: &'static str,
        label: &'static str,
        range: (f64, f64, f64),
        help: &'static str,
    ) -> Html {
        html! {
            <Slider key_name={key} label={label} min={range.0} max={range.1} step={range.2}
                value={self.value(key)} help={help} error={self.error_for(key)}
                on_set={self.on_set.clone()} />
        }
    }

    fn snapshot(&self) -> Rc<Snapshot> {
        self.lesson.snapshot.clone()
    }

    fn figure(&self, id: &'static str) -> Html {
        html! { <Figure id={id} snapshot={self.snapshot()} placeholder="Train this step to draw this figure." /> }
    }
}

fn intuition() -> Html {
    html! { <super::intuition::Intuition /> }
}

/// The correlations table of the data step. It depends on the data sample only, and the
/// page renders on every message of the workers, so it is worked out once per sample.
fn data_table(snapshot: &Snapshot) -> Option<Rc<charts::Table>> {
    /// The sample the table was last worked out for, and the table.
    type Memo = Option<(Weak<DataSample>, Option<Rc<charts::Table>>)>;
    thread_local! {
        static LAST: RefCell<Memo> = const { RefCell::new(None) };
    }
    let data = snapshot.data.as_ref()?;
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((sample, table)) = last.as_ref() {
            // The weak reference keeps the allocation, so no other sample can reuse the
            // address: the same address is the same sample.
            if std::ptr::eq(sample.as_ptr(), Rc::as_ptr(data)) {
                return table.clone();
            }
        }
        let table = charts::table("data", &snapshot.input()).ok().map(Rc::new);
        *last = Some((Rc::downgrade(data), table.clone()));
        table
    })
}

fn data_step(ctx: &StepContext) -> Html {
    let config = &ctx.lesson.config;
    let table = data_table(&ctx.snapshot());
    html! {
        <section id="data" class="step" aria-labelledby="data-title">
            <h2 id="data-title">{ "2. The synthetic world" }</h2>
            <p>{ "A small world where we know the truth. Two features cause the target Y; a third \
                  is caused by Y, and how strongly depends on where the data was collected, its \
                  domain. Think of X3 as the grass: it goes with cows in one country and not in \
                  another." }</p>
            <div class="two-column">
                <div>
                    { causal_graph() }
                    <div class="equations" aria-label="The equations of the world">
                        <p><var>{"X1"}</var>{ ", " }<var>{"X2"}</var>{ " ~ N(0, 1)" }</p>
                        <p><var>{"Y"}</var>{ " = " }<var>{"X1"}</var>{ " + 2·" }<var>{"X2"}</var>{ " + 3 + N(0, 1)" }</p>
                        <p><var>{"X3"}</var>{ format!(" = {}·", config.s_train) }<var>{"Y"}</var>{ format!(" + N(0, {}²)   in training and the IID test set", config.noise) }</p>
                        <p><var>{"X3"}</var>{ format!(" = {}·", config.s_ood) }<var>{"Y"}</var>{ format!(" + N(0, {}²)   in the OOD test set", config.noise) }</p>
                        <p class="muted">{ format!("{} training samples; {} in each test set.", config.n_train, config.n_test) }</p>
                    </div>
                </div>
                <div class="controls" aria-label="Settings of the world">
                    { ctx.slider("s_train", "Spurious factor s in training", (-1.0, 1.0, 0.05), "How strongly Y shows in X3 where the training data comes from.") }
                    { ctx.slider("s_ood", "Spurious factor s in the OOD test", (-1.0, 1.0, 0.05), "The same in the shifted domain the model has never seen.") }
                    { ctx.slider("noise", "Noise σ of X3", (0.01, 1.0, 0.01), "Less noise makes X3 a more tempting shortcut.") }
                    { ctx.slider("n_train", "Training samples", (100.0, 20000.0, 100.0), "All methods use the same number of samples.") }
                    { ctx.slider("seed", "Seed", (0.0, 1000.0, 1.0), "Run r uses seed + r; the same seed gives the same numbers, here and on the command line.") }
                </div>
            </div>
            { ctx.figure("data") }
            if let Some(table) = table {
                { numbers_table("data-correlations", "Correlation of each feature with Y", &table) }
            }
            <p>{ "In training, X3 correlates with Y almost perfectly: it is the best single predictor \
                  there is. In the OOD set the correlation is still high, but the slope is \
                  different, and that is what a model that copied the slope gets wrong." }</p>
        </section>
    }
}

/// A table of numbers shown in the flow of a step, not hidden behind a figure.
fn numbers_table(id: &'static str, caption: &'static str, table: &charts::Table) -> Html {
    let cell = |c: &String| html! { <td>{ c }</td> };
    html! {
        <table class="numbers" id={id}>
            <caption>{ caption }</caption>
            <thead><tr>{ for table.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
            <tbody>{ for table.rows.iter().map(|row| html! { <tr>{ for row.iter().map(cell) }</tr> }) }</tbody>
        </table>
    }
}

fn causal_graph() -> Html {
    html! {
        <svg class="causal-graph" viewBox="0 0 320 150" role="img" aria-labelledby="graph-title">
            <title id="graph-title">{ "Causal graph: X1 and X2 cause Y, and Y causes X3" }</title>
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" fill="#333" />
                </marker>
            </defs>
            <g class="node"><circle cx="40" cy="35" r="22" /><text x="40" y="41">{ "X1" }</text></g>
            <g class="node"><circle cx="40" cy="115" r="22" /><text x="40" y="121">{ "X2" }</text></g>
            <g class="node target"><circle cx="160" cy="75" r="24" /><text x="160" y="81">{ "Y" }</text></g>
            <g class="node spurious"><circle cx="280" cy="75" r="22" /><text x="280" y="81">{ "X3" }</text></g>
            <line x1="60" y1="45" x2="136" y2="67" marker-end="url(#arrow)" />
            <line x1="60" y1="105" x2="136" y2="83" marker-end="url(#arrow)" />
            <line x1="184" y1="75" x2="256" y2="75" marker-end="url(#arrow)" class="spurious-edge" />
            <text x="95" y="45" class="edge-label">{ "×1" }</text>
            <text x="95" y="118" class="edge-label">{ "×2" }</text>
            <text x="220" y="66" class="edge-label">{ "×s" }</text>
        </svg>
    }
}

/// The question asked before each method's result, and how to read the outcome.
fn ood_outcome(lesson: &Lesson, method: Method, model: ModelKind) -> Option<&'static str> {
    let step = match (method, model) {
        (_, ModelKind::Mlp) => Step::Mlp,
        (Method::Baseline, _) => Step::Baseline,
        (Method::Randomization, _) => Step::Randomization,
        (Method::Augmentation, _) => Step::Augmentation,
    };
    if !lesson.complete(step) {
        return None;
    }
    let result = lesson.result(method, model)?;
    let ratio = result.rmse_ood.mean / result.rmse_iid.mean;
    Some(if ratio > 1.1 {
        "higher"
    } else if ratio < 0.9 {
        "lower"
    } else {
        "about the same"
    })
}

/// How an outcome reads in a sentence about OOD against IID error.
fn compared(outcome: &str) -> &'static str {
    match outcome {
        "higher" => "higher than on the IID test set",
        "lower" => "lower than on the IID test set",
        _ => "about the same as on the IID test set",
    }
}

fn prediction(
    ctx: &StepContext,
    question_id: &'static str,
    question: &'static str,
    outcome: Option<&'static str>,
) -> Html {
    let choices = ["lower", "about the same", "higher"];
    let guess = ctx.lesson.predictions.get(question_id).cloned();
    let name = format!("predict-{question_id}");
    html! {
        <fieldset class="prediction" id={name.clone()}>
            <legend>{ "Predict first: " }{ question }</legend>
            { for choices.iter().map(|&choice| {
                let on_predict = ctx.on_predict.clone();
                let onchange = Callback::from(move |_| on_predict.emit((question_id.to_string(), choice.to_string())));
                html! {
                    <label class="choice">
                        <input type="radio" name={name.clone()} value={choice}
                            checked={guess.as_deref() == Some(choice)} onchange={onchange} />
                        { choice }
                    </label>
                }
            }) }
            if let Some(outcome) = outcome {
                <p class="prediction-outcome" role="status">
                    { match guess.as_deref() {
                        Some(g) if g == outcome => format!("You predicted “{g}”, and it is {outcome}: the OOD error is {}.", compared(outcome)),
                        Some(g) => format!("You predicted “{g}”, but the OOD error is {}. The figures below show why.", compared(outcome)),
                        None => format!("Outcome: the OOD error is {}.", compared(outcome)),
                    } }
                </p>
            }
        </fieldset>
    }
}

fn train_bar(ctx: &StepContext, step: Step, label: &'static str) -> Html {
    let lesson = &ctx.lesson;
    let (done, total) = lesson.progress(step);
    let running = lesson.running(step);
    let complete = lesson.complete(step);
    let train = {
        let on_train = ctx.on_train.clone();
        Callback::from(move |_| on_train.emit(step))
    };
    let cancel = {
        let on_cancel = ctx.on_cancel.clone();
        Callback::from(move |_| on_cancel.emit(step))
    };
    let runs_done: usize = step
        .pairs()
        .iter()
        .filter_map(|p| lesson.pairs.get(p))
        .map(|p| p.done())
        .sum();
    let runs_total = step.pairs().len() * lesson.config.runs;
    html! {
        <div class="train-bar">
            <button type="button" class="primary" data-train={step.id()} onclick={train} disabled={running || complete}>
                { if complete { "Trained" } else if running { "Training…" } else { label } }
            </button>
            if running {
                <button type="button" onclick={cancel}>{ "Cancel" }</button>
            }
            <progress max={total.to_string()} value={done.to_string()} aria-label={format!("Training progress of {}", step.id())} />
            <span class="train-count" data-progress={step.id()}>
                { format!("{runs_done} of {runs_total} runs") }
            </span>
            if let Some(error) = lesson.error(step) {
                <p class="control-error" role="alert">{ format!("Training failed: {error}") }</p>
            }
        </div>
    }
}

fn method_step(ctx: &StepContext, step: Step) -> Html {
    let (method, number, title) = match step {
        Step::Baseline => (Method::Baseline, 3, "The baseline fails"),
        Step::Randomization => (Method::Randomization, 4, "Fix 1: domain randomization"),
        _ => (Method::Augmentation, 5, "Fix 2: data augmentation"),
    };
    let id = step.id();
    let lesson = &ctx.lesson;
    let live: Vec<Vec<f64>> = lesson
        .pairs
        .get(&(method, ModelKind::Linear))
        .map(|p| {
            p.runs
                .iter()
                .zip(&p.live)
                .map(|(r, l)| r.as_ref().map_or_else(|| l.clone(), |r| r.loss.clone()))
                .collect()
        })
        .unwrap_or_default();
    let (text, controls): (Html, Html) = match step {
        Step::Baseline => (
            html! {
                <>
                <p>{ "A linear model Y ≈ w1·X1 + w2·X2 + w3·X3 + b, trained as in the case study: Adam \
                      with learning rate 0.001, halved every 10 epochs, mean squared error, 30 epochs \
                      of minibatches. It only ever sees the training domain." }</p>
                <p>{ "The best a linear model can do there is not the causal rule. With s = 0.2 and \
                      σ = 0.1 the least-squares optimum is w = (0.2, 0.4, 4.0) and b = 0.6: it reads \
                      Y off X3 and nearly ignores the causes. It scores an RMSE of about 0.45 where \
                      the true rule scores 1.0, and it is wrong as soon as s changes." }</p>
                </>
            },
            html! {
                <>
                { ctx.slider("epochs", "Epochs", (1.0, 100.0, 1.0), "30 in the case study; more epochs get closer to the least-squares optimum.") }
                { ctx.slider("batch", "Batch size", (1.0, 256.0, 1.0), "8 here. With 32, 30 epochs stop far from the optimum.") }
                { ctx.slider("lr", "Learning rate", (0.0001, 0.01, 0.0001), "Adam's initial step size.") }
                { ctx.slider("runs", "Runs", (1.0, 30.0, 1.0), "Each run has its own seed; all methods share them.") }
                </>
            },
        ),
        Step::Randomization => (
            html! {
                <>
                <p>{ "If the shortcut is a property of the domain, collect data from many domains. \
                      Here the same number of samples is split over several domains, each with its \
                      own s drawn from a range. When s has mean m and variance v over the domains, \
                      the least-squares weight of X3 is m / (m² + σ² + 15v): with s centred on 0 it \
                      vanishes, and the causal weights come back." }</p>
                </>
            },
            html! {
                <>
                { ctx.slider("domains", "Training domains", (1.0, 50.0, 1.0), "How many domains the samples are split over.") }
                { ctx.slider("s_min", "Lowest s", (-2.0, 2.0, 0.05), "The range the domains' spurious factors are drawn from.") }
                { ctx.slider("s_max", "Highest s", (-2.0, 2.0, 0.05), "Try a range that does not contain 0.") }
                </>
            },
        ),
        _ => (
            html! {
                <>
                <p>{ "Often we cannot collect new domains, but we know which property is not causal. \
                      Augmentation randomises it without touching the target: every epoch, X3 is \
                      replaced by a value independent of Y, by default the X3 of another, random \
                      row. The model can no longer rely on it. Replacing only a fraction p of the \
                      rows leaves part of the shortcut in place." }</p>
                </>
            },
            html! {
                <>
                <Choice key_name="augment" label="Replacement" value={ctx.value("augment")}
                    options={vec![("shuffle", "X3 of another row (shuffle)"), ("noise", "Gaussian noise")]}
                    help="Both keep the column's mean and spread and carry no information about Y."
                    error={ctx.error_for("augment")} on_set={ctx.on_set.clone()} />
                { ctx.slider("augment_p", "Fraction of rows replaced", (0.0, 1.0, 0.05), "1 replaces every row, every epoch.") }
                </>
            },
        ),
    };
    html! {
        <section id={id} class="step" aria-labelledby={format!("{id}-title")}>
            <h2 id={format!("{id}-title")}>{ format!("{number}. {title}") }</h2>
            { text }
            <div class="controls" aria-label={format!("Settings of {title}")}>{ controls }</div>
            { prediction(ctx, id, "will the error on the shifted (OOD) test set be lower than, about the same as, or higher than on the IID test set?", ood_outcome(lesson, method, ModelKind::Linear)) }
            { train_bar(ctx, step, "Train") }
            if lesson.running(step) {
                <LiveLoss method={method} curves={live} epochs={lesson.config.epochs} />
            }
            { ctx.figure(match step { Step::Baseline => "baseline-weights", Step::Randomization => "randomization-weights", _ => "augmentation-weights" }) }
            { ctx.figure(match step { Step::Baseline => "baseline-rmse", Step::Randomization => "randomization-rmse", _ => "augmentation-rmse" }) }
            { ctx.figure(match step { Step::Baseline => "baseline-loss", Step::Randomization => "randomization-loss", _ => "augmentation-loss" }) }
        </section>
    }
}

fn summary_step(ctx: &StepContext) -> Html {
    let snapshot = ctx.snapshot();
    let table = charts::table("summary-box", &snapshot.input()).ok();
    html! {
        <section id="summary" class="step" aria-labelledby="summary-title">
            <h2 id="summary-title">{ "6. Summary" }</h2>
            <p>{ "Every method on the same seeds: run r of each method uses the same test sets, the \
                  same causes and targets, and the same initial weights, so the differences below \
                  come from the method alone." }</p>
            { train_bar(ctx, Step::Summary, "Train all three") }
            if let Some(table) = table {
                { numbers_table("summary-table", "RMSE over runs, linear model", &table) }
            }
            { ctx.figure("summary-box") }
        </section>
    }
}

fn mlp_step(ctx: &StepContext) -> Html {
    let lesson = &ctx.lesson;
    let outcome = lesson
        .complete(Step::Mlp)
        .then(|| ood_outcome(lesson, Method::Baseline, ModelKind::Mlp))
        .flatten();
    html! {
        <section id="mlp" class="step" aria-labelledby="mlp-title">
            <h2 id="mlp-title">{ "7. The same with an MLP" }</h2>
            <p>{ "A small neural network, 3 → 32 → 32 → 1 with ReLU by default, repeats the whole \
                  comparison. It has no single weight per feature, so we measure its effective \
                  weights: the average gradient of its output with respect to each input (for a \
                  linear model these are exactly its weights)." }</p>
            <p>{ "An honest finding to look for: with the MLP, domain randomization over s in [-1, 1] \
                  is unreliable across seeds. When s varies, the size of X3 still says something \
                  about the size of Y, and a flexible model can use that. Augmentation, which \
                  breaks the link outright, does not have this problem." }</p>
            <div class="controls" aria-label="Settings of the MLP">
                <Choice key_name="hidden" label="Hidden layers" value={ctx.value("hidden")}
                    options={vec![("8", "8"), ("16,16", "16, 16"), ("32,32", "32, 32 (case study)"), ("64,64", "64, 64"), ("32,32,32", "32, 32, 32")]}
                    help="Widths of the hidden layers."
                    error={ctx.error_for("hidden")} on_set={ctx.on_set.clone()} />
            </div>
            { prediction(ctx, "mlp", "for the baseline MLP, will OOD error be lower than, about the same as, or higher than IID?", outcome) }
            { train_bar(ctx, Step::Mlp, "Train the MLPs") }
            { ctx.figure("mlp-box") }
            { ctx.figure("mlp-effective-weights") }
            { ctx.figure("mlp-loss") }
        </section>
    }
}

fn takeaways() -> Html {
    let point = |text: &'static str, href: &'static str, link: &'static str| {
        html! { <li>{ text }{ " " }<a href={href}>{ link }</a></li> }
    };
    html! {
        <section id="takeaways" class="step" aria-labelledby="takeaways-title">
            <h2 id="takeaways-title">{ "8. Takeaways" }</h2>
            <ul class="takeaways">
                { point("Datasets are biased: in the domain it was collected in, a non-causal feature can be the best predictor there is.", "#data-correlations", "See the correlations.") }
                { point("Networks follow the bias: the least-squares optimum itself leans on X3, so this is not a failure of optimisation.", "#fig-baseline-weights", "See the baseline's weights.") }
                { point("Measure out of distribution whenever you can: IID error hid the problem; it even looked better than the truth.", "#fig-baseline-rmse", "See IID against OOD.") }
                { point("Augmentation randomises a known non-causal property and brings back the causal rule.", "#fig-augmentation-weights", "See the augmented weights.") }
                { point("Variety of data matters more than volume: the same number of samples from many domains removes the shortcut.", "#fig-summary-box", "See the summary.") }
                { point("Flexible models find subtler shortcuts: randomization is not always enough for an MLP.", "#fig-mlp-box", "See the MLP comparison.") }
            </ul>
            <h3>{ "References" }</h3>
            <ul class="references">
                <li>{ "Urwa Muaz (2021). Case Study: Is Spurious Correlations the reason why Neural Networks fail on unseen data? The experiment this lesson reproduces and extends." }</li>
                <li><a href="https://arxiv.org/abs/1807.04975">{ "Beery, Van Horn and Perona (2018). Recognition in Terra Incognita. ECCV." }</a></li>
                <li><a href="https://arxiv.org/abs/1907.02893">{ "Arjovsky, Bottou, Gulrajani and Lopez-Paz (2019). Invariant Risk Minimization." }</a></li>
                <li><a href="https://arxiv.org/abs/2003.00688">{ "Krueger et al. (2021). Out-of-Distribution Generalization via Risk Extrapolation (REx). ICML." }</a></li>
                <li><a href="https://arxiv.org/abs/1911.08731">{ "Sagawa, Koh, Hashimoto and Liang (2020). Distributionally Robust Neural Networks for Group Shifts. ICLR." }</a></li>
            </ul>
        </section>
    }
}
