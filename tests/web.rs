//! Browser tests of the wasm build, run by wasm-bindgen-test in headless Chromium: the
//! engine gives the same bits as natively, the address is read as documented, messages to
//! and from the workers keep every value, and the figure and control components render
//! what they should.
#![cfg(target_arch = "wasm32")]

#[path = "common/pinned.rs"]
mod pinned;

use std::rc::Rc;

use spurious_lab::charts::DataSample;
use spurious_lab::config::{Config, ValidConfig, parse_decimal};
use spurious_lab::experiment::{Method, ModelKind, run_one};
use spurious_lab::web::canvas::{Figure, FigureProps, Snapshot};
use spurious_lab::web::controls::{Slider, SliderProps};
use spurious_lab::web::parse_query;
use spurious_lab::web::protocol::{self, Command, Job, Request, Response};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::Callback;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_browser_gives_the_native_bits() {
    assert_eq!(pinned::pinned_bits(), pinned::PINNED_BITS);
}

/// The page's ChaCha8 blocks are computed in wasm SIMD, four lanes at once; their words
/// must be `rand_chacha`'s, over many refills and for streams of every size.
#[wasm_bindgen_test]
fn the_browser_draws_rand_chachas_stream() {
    use rand::{Rng, SeedableRng};
    use spurious_lab::rng::{LabRng, Stream};
    let streams = [
        (Stream::TrainData, 1),
        (Stream::IidData, 2),
        (Stream::OodData, 3),
        (Stream::Domains, 4),
        (Stream::Init, 5),
        (Stream::Shuffle, 6),
        (Stream::Augment, 7),
    ];
    for seed in [0, 1, 7, 12_345, 1 << 53, u64::MAX] {
        for (stream, number) in streams {
            let mut reference = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            reference.set_stream(number);
            let mut ours = LabRng::new(seed, stream);
            for draw in 0..1000 {
                assert_eq!(
                    ours.next_u64(),
                    reference.next_u64(),
                    "seed {seed}, stream {number}, draw {draw}"
                );
            }
        }
    }
}

#[wasm_bindgen_test]
fn worker_messages_keep_64_bit_seeds_and_every_bit_of_a_result() {
    let mut config = Config {
        seed: u64::MAX,
        ..Config::default()
    };
    let job = Job {
        method: Method::Augmentation,
        model: ModelKind::Linear,
        run: 3,
    };
    let train = Command::Train(Request {
        generation: u64::MAX - 1,
        config: config.clone(),
        job,
    });
    let back: Command = protocol::decode(protocol::encode(&train).unwrap()).unwrap();
    let Command::Train(request) = back else {
        panic!("a Train command came back as {back:?}");
    };
    assert_eq!(request.generation, u64::MAX - 1);
    assert_eq!(request.config, config);
    assert_eq!(request.job, job);

    config.n_train = 200;
    config.n_test = 100;
    config.epochs = 2;
    let valid = config.validate().unwrap();
    let result = run_one(&valid, job.method, job.model, job.run, &mut ()).unwrap();
    assert_eq!(
        result.seed, 2,
        "run 3 of seed 2^64 - 1 wraps round to seed 2"
    );
    let done = Response::Done {
        generation: 7,
        job,
        result: Box::new(result.clone()),
    };
    let back: Response = protocol::decode(protocol::encode(&done).unwrap()).unwrap();
    let Response::Done { result: back, .. } = back else {
        panic!("a Done response came back as {back:?}");
    };
    assert_eq!(*back, result);
}

/// The browser reads decimals with its own `parseFloat`; it must give Rust's bits.
#[wasm_bindgen_test]
fn the_browser_reads_decimals_to_the_same_bits_as_rust() {
    let hard = [
        "0.1",
        "9007199254740993",
        "9007199254740995",
        "2.2250738585072011e-308",
        "2.2250738585072012e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "0.1000000000000000055511151231257827",
        "7.2057594037927933e16",
        "1e23",
        "8.589973e9",
        "123456789012345678901234567890e-20",
        "-0",
        ".5",
        "1.",
        "1e400",
    ];
    let mut texts: Vec<String> = hard.iter().map(|t| t.to_string()).collect();
    // Random decimals: up to 25 significant digits, the point anywhere, exponents from
    // -340 to 310, from a fixed xorshift sequence.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for _ in 0..20_000 {
        let digits = 1 + next(25) as usize;
        let mut text = String::new();
        if next(2) == 0 {
            text.push('-');
        }
        let point = next(digits as u64 + 1) as usize;
        for k in 0..digits {
            if k == point {
                text.push('.');
            }
            text.push(char::from(b'0' + next(10) as u8));
        }
        if next(3) > 0 {
            text.push_str(&format!("e{}", next(651) as i64 - 340));
        }
        texts.push(text);
    }
    for text in &texts {
        let rust = text.parse::<f64>().ok().map(f64::to_bits);
        assert_eq!(parse_decimal(text).map(f64::to_bits), rust, "{text}");
    }
}

#[wasm_bindgen_test]
fn the_address_is_read_with_clear_notices() {
    let (config, notices) = parse_query("?s_ood=0.3&n_train=lots&speed=3&hidden=16%2C16&step=mlp");
    assert_eq!(config.s_ood, 0.3);
    assert_eq!(config.n_train, 5000);
    assert_eq!(config.hidden, vec![16, 16]);
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert!(notices[0].contains("invalid n_train 'lots'"), "{notices:?}");
    assert!(
        notices[1].contains("unknown setting 'speed'"),
        "{notices:?}"
    );

    // Settings fine alone but not together fall back one by one.
    let (config, notices) = parse_query("?s_min=0.5&s_max=0.1");
    assert_eq!((config.s_min, config.s_max), (-1.0, 0.1));
    assert!(notices[0].contains("s_min"), "{notices:?}");
}

fn container() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    div.set_attribute("style", "width: 700px").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

async fn next_frames() {
    for _ in 0..3 {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn the_data_figure_draws_on_canvas_with_its_table() {
    let config = ValidConfig::default();
    let snapshot = Rc::new(Snapshot {
        data: Some(Rc::new(DataSample::new(&config))),
        config,
        results: Vec::new(),
    });
    let root = container();
    let props = FigureProps {
        id: "data",
        snapshot,
        placeholder: "not yet".into(),
    };
    yew::Renderer::<Figure>::with_root_and_props(root.clone(), props).render();
    next_frames().await;

    let canvas: web_sys::HtmlCanvasElement = root
        .query_selector("canvas")
        .unwrap()
        .expect("a canvas")
        .dyn_into()
        .unwrap();
    assert!(canvas.width() >= 600, "width {}", canvas.width());
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let pixels = context
        .get_image_data(
            0.0,
            0.0,
            f64::from(canvas.width()),
            f64::from(canvas.height()),
        )
        .unwrap()
        .data();
    let ink = pixels
        .chunks(4)
        .filter(|p| p[0] < 200 || p[1] < 200 || p[2] < 200)
        .count();
    assert!(ink > 1000, "only {ink} drawn pixels");
    let label = canvas.get_attribute("aria-label").unwrap_or_default();
    assert!(!label.is_empty());

    // The data table is built when it is asked for, and then describes the canvas.
    assert_eq!(root.query_selector_all("tbody tr").unwrap().length(), 0);
    assert!(!canvas.has_attribute("aria-describedby"));
    let toggle: web_sys::HtmlElement = root
        .query_selector("button[aria-controls='table-data']")
        .unwrap()
        .expect("a button that shows the data")
        .dyn_into()
        .unwrap();
    toggle.click();
    next_frames().await;
    let rows = root.query_selector_all("tbody tr").unwrap().length();
    assert!(rows >= 3, "{rows} table rows");
    assert_eq!(
        canvas.get_attribute("aria-describedby").as_deref(),
        Some("table-data")
    );
}

#[wasm_bindgen_test]
async fn a_figure_without_results_says_so_instead_of_drawing() {
    let config = ValidConfig::default();
    let snapshot = Rc::new(Snapshot {
        data: None,
        config,
        results: Vec::new(),
    });
    let root = container();
    let props = FigureProps {
        id: "baseline-weights",
        snapshot,
        placeholder: "Train this step to draw this figure.".into(),
    };
    yew::Renderer::<Figure>::with_root_and_props(root.clone(), props).render();
    next_frames().await;
    let canvas = root.query_selector("canvas").unwrap();
    assert!(
        canvas.is_none_or(|c| c.has_attribute("hidden")),
        "a canvas is shown without results"
    );
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("Train this step to draw this figure."),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn a_slider_shows_its_value_and_its_error() {
    let root = container();
    let props = SliderProps {
        key_name: "s_min",
        label: "Lowest s".into(),
        min: -2.0,
        max: 2.0,
        step: 0.05,
        value: "-1".into(),
        help: "The range of s.".into(),
        error: Some("invalid s_min '1.5': allowed is at most s_max (1)".into()),
        on_set: Callback::noop(),
    };
    yew::Renderer::<Slider>::with_root_and_props(root.clone(), props).render();
    next_frames().await;
    let input: web_sys::HtmlInputElement = root
        .query_selector("input")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(input.value(), "-1");
    let alert = root.query_selector("[role=alert]").unwrap().unwrap();
    assert!(alert.text_content().unwrap().contains("at most s_max"));
}
