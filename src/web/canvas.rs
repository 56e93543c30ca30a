//! Figures on canvas: a backend that draws in CSS pixels on a canvas sized in device
//! pixels (crisp on high-density screens), and the component that shows one figure with
//! its caption, its data table and its export buttons, redrawn when the data or the width
//! changes.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement};
use yew::prelude::*;

use super::{download, now};
use crate::charts::{self, ChartError, ChartInput, DataSample};
use crate::config::ValidConfig;
use crate::experiment::MethodResult;

/// A canvas backend whose coordinates are CSS pixels: the canvas holds `ratio` device
/// pixels per CSS pixel and its context is scaled to match.
pub(crate) struct ScaledCanvas {
    inner: CanvasBackend,
    /// The same canvas's context, for text.
    context: CanvasRenderingContext2d,
    canvas: HtmlCanvasElement,
    /// The font last given to the context. Setting a font makes the browser work out the
    /// canvas's style, so it is set only when it changes.
    font: RefCell<String>,
    /// The fill and the stroke last given to the context here, or `None` when not known
    /// (at first, and after `inner` has drawn, as it sets its own). Each style is a string
    /// the browser parses as CSS, and a scatter plot draws thousands of dots in one: they
    /// are set only when they change.
    fill: Option<Colour>,
    stroke: Option<(Colour, u32)>,
    size: (u32, u32),
}

/// A colour as the context takes it: plotters' red, green, blue and opacity.
#[derive(Clone, Copy, PartialEq)]
struct Colour {
    rgb: (u8, u8, u8),
    alpha: f64,
}

impl Colour {
    fn of(color: BackendColor) -> Colour {
        Colour {
            rgb: color.rgb,
            alpha: color.alpha,
        }
    }

    /// The CSS text plotters' own canvas backend writes for the same colour.
    fn css(self) -> String {
        let (r, g, b) = self.rgb;
        format!("rgba({r},{g},{b},{})", self.alpha)
    }
}

impl ScaledCanvas {
    fn use_fill(&mut self, color: BackendColor) {
        let colour = Colour::of(color);
        if self.fill != Some(colour) {
            self.context.set_fill_style_str(&colour.css());
            self.fill = Some(colour);
        }
    }

    fn use_stroke<S: BackendStyle>(&mut self, style: &S) {
        let stroke = (Colour::of(style.color()), style.stroke_width());
        if self.stroke != Some(stroke) {
            self.context.set_stroke_style_str(&stroke.0.css());
            self.context.set_line_width(f64::from(stroke.1));
            self.stroke = Some(stroke);
        }
    }

    /// plotters' canvas backend, for the drawings left to it; it sets the styles itself.
    fn delegate(&mut self) -> &mut CanvasBackend {
        self.fill = None;
        self.stroke = None;
        &mut self.inner
    }

    fn use_font<S: BackendTextStyle>(&self, style: &S) {
        let font = format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str(),
        );
        let mut last = self.font.borrow_mut();
        if *last != font {
            self.context.set_font(&font);
            // Kept on the canvas element for its next drawing.
            let _ = js_sys::Reflect::set(&self.canvas, &FONT_KEY.into(), &font.as_str().into());
            *last = font;
        }
    }
}

thread_local! {
    /// Sizes of texts already measured, by font and text: the figures' labels and tick
    /// values come back at every redraw, and each `measureText` is a call into the browser.
    static TEXT_SIZES: RefCell<HashMap<(String, String), (u32, u32)>> = RefCell::new(HashMap::new());
}

/// Measured texts kept before the cache starts afresh.
const TEXT_SIZES_KEPT: usize = 4096;

/// The property of a canvas element that holds the font last set on its context.
const FONT_KEY: &str = "spuriousLabFont";

fn text_error(_: JsValue) -> DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType> {
    DrawingErrorKind::FontError("the canvas could not draw text".into())
}

impl DrawingBackend for ScaledCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.delegate().draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        // A horizontal or vertical line of width 1 covers whole pixels only when it runs
        // between them, as plotters' own canvas backend places it.
        let mut from = (f64::from(from.0), f64::from(from.1));
        let mut to = (f64::from(to.0), f64::from(to.1));
        if from.0 == to.0 {
            from.0 -= 0.5;
            to.0 -= 0.5;
        }
        if from.1 == to.1 {
            from.1 -= 0.5;
            to.1 -= 0.5;
        }
        self.use_stroke(style);
        let context = &self.context;
        context.begin_path();
        context.move_to(from.0, from.1);
        context.line_to(to.0, to.1);
        context.stroke();
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let width = f64::from(bottom_right.0 - upper_left.0);
        let height = f64::from(bottom_right.1 - upper_left.1);
        if fill {
            self.use_fill(style.color());
            self.context.fill_rect(x, y, width, height);
        } else {
            self.use_stroke(style);
            self.context.stroke_rect(x, y, width, height);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.use_stroke(style);
        let context = &self.context;
        context.begin_path();
        let mut path = path.into_iter();
        if let Some((x, y)) = path.next() {
            context.move_to(f64::from(x), f64::from(y));
            for (x, y) in path {
                context.line_to(f64::from(x), f64::from(y));
            }
        }
        context.stroke();
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if fill {
            self.use_fill(style.color());
        } else {
            self.use_stroke(style);
        }
        let context = &self.context;
        context.begin_path();
        let (x, y) = (f64::from(center.0), f64::from(center.1));
        // `arc` fails only for a negative radius, which a `u32` cannot be.
        let _ = context.arc(x, y, f64::from(radius), 0.0, std::f64::consts::TAU);
        if fill {
            context.fill();
        } else {
            context.stroke();
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.delegate().fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.use_font(style);
        self.use_fill(color);
        let context = &self.context;
        context.set_text_baseline(match style.anchor().v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        });
        context.set_text_align(match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Center => "center",
            HPos::Right => "end",
        });
        let quarter_turns = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 1.0,
            FontTransform::Rotate180 => 2.0,
            FontTransform::Rotate270 => 3.0,
        };
        let (x, y) = (f64::from(pos.0), f64::from(pos.1));
        if quarter_turns == 0.0 {
            return context.fill_text(text, x, y).map_err(text_error);
        }
        context.save();
        let drawn = context
            .translate(x, y)
            .and_then(|()| context.rotate(quarter_turns * std::f64::consts::FRAC_PI_2))
            .and_then(|()| context.fill_text(text, 0.0, 0.0));
        context.restore();
        drawn.map_err(text_error)
    }

    /// Measures text with the canvas's own `measureText`. (The generic estimate puts a
    /// span in the document and reads its size, which forces a layout of the whole page
    /// for every label: most of the time of a redraw.)
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.use_font(style);
        let key = (self.font.borrow().clone(), text.to_string());
        if let Some(size) = TEXT_SIZES.with(|sizes| sizes.borrow().get(&key).copied()) {
            return Ok(size);
        }
        let metrics = self
            .context
            .measure_text(text)
            .map_err(|_| DrawingErrorKind::FontError("the canvas could not measure text".into()))?;
        // The font's line box, as a span of it would be laid out.
        let height = metrics.font_bounding_box_ascent() + metrics.font_bounding_box_descent();
        let height = if height.is_finite() && height > 0.0 {
            height
        } else {
            style.size() * 1.2
        };
        let size = (metrics.width().ceil() as u32, height.ceil() as u32);
        TEXT_SIZES.with(|sizes| {
            let mut sizes = sizes.borrow_mut();
            if sizes.len() >= TEXT_SIZES_KEPT {
                sizes.clear();
            }
            sizes.insert(key, size);
        });
        Ok(size)
    }
}

/// Everything the figures are drawn from, shared by all figure components. A new
/// snapshot is made whenever anything in it changes, so comparing pointers is enough.
#[derive(Debug)]
pub struct Snapshot {
    pub config: ValidConfig,
    /// Shared between snapshots: it only changes with the settings of the world.
    pub data: Option<Rc<DataSample>>,
    pub results: Vec<MethodResult>,
}

/// What one figure is drawn from; see [`Snapshot::signature`].
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    config: ValidConfig,
    runs: Vec<usize>,
    /// The data sample's address, or 0 for a figure that does not show it.
    data: usize,
}

impl Signature {
    /// Whether `other` is drawn from the same settings and data, with perhaps other runs.
    fn same_settings(&self, other: &Signature) -> bool {
        self.config == other.config && self.data == other.data
    }

    /// Whether every run of every pair shown is in.
    fn complete(&self) -> bool {
        self.runs.iter().all(|&n| n >= self.config.runs)
    }
}

/// Snapshots are never changed once made, so two are the same exactly when they are one:
/// comparing addresses spares the page a deep comparison of thousands of samples.
impl PartialEq for Snapshot {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Snapshot {
    /// What a figure depends on, compared to decide whether it must be redrawn: the
    /// settings, the data sample's address, and the number of runs of each pair it shows.
    /// Results of a pair only grow run by run for the same settings, so the count
    /// identifies them.
    pub fn signature(&self, id: &str) -> Signature {
        let (_, data) = charts::inputs_of(id);
        let data = if data {
            self.data.as_ref().map_or(0, |d| Rc::as_ptr(d) as usize)
        } else {
            0
        };
        Signature {
            config: self.config.clone(),
            runs: self.runs_shown(id),
            data,
        }
    }

    /// The number of runs of each pair the figure `id` shows, in the order of
    /// [`charts::inputs_of`].
    fn runs_shown(&self, id: &str) -> Vec<usize> {
        let (pairs, _) = charts::inputs_of(id);
        pairs
            .iter()
            .map(|&(method, model)| {
                self.results
                    .iter()
                    .find(|r| r.method == method && r.model == model)
                    .map_or(0, |r| r.runs.len())
            })
            .collect()
    }

    pub fn input(&self) -> ChartInput<'_> {
        ChartInput {
            config: &self.config,
            data: self.data.as_deref(),
            results: &self.results,
        }
    }
}

#[derive(Properties, Clone)]
pub struct FigureProps {
    pub id: &'static str,
    pub snapshot: Rc<Snapshot>,
    /// Shown instead of the figure while its results are missing.
    #[prop_or_default]
    pub placeholder: AttrValue,
}

/// Two props are the same when they would draw the same figure: a new snapshot whose
/// inputs for this figure are unchanged does not re-render it, so a result of another
/// step costs this figure nothing.
impl PartialEq for FigureProps {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.placeholder == other.placeholder
            && (Rc::ptr_eq(&self.snapshot, &other.snapshot)
                || self.snapshot.signature(self.id) == other.snapshot.signature(other.id))
    }
}

/// Sizes `canvas` to `width` CSS pixels (at the aspect ratio of `default_size`) and as
/// many device pixels as the screen has, and draws on it with `paint`. The figure is laid
/// out on at least `min_size`; on a narrower screen the canvas is shown scaled down.
pub(crate) fn draw_with(
    canvas: &HtmlCanvasElement,
    (default_w, default_h): (u32, u32),
    (min_w, min_h): (u32, u32),
    width: u32,
    paint: impl FnOnce(&DrawingArea<ScaledCanvas, Shift>) -> Result<(), ChartError>,
) -> Result<(), String> {
    let shown = width.clamp(200, 1200);
    let aspect = f64::from(default_h) / f64::from(default_w);
    let logical_w = shown.max(min_w);
    let logical_h = ((f64::from(logical_w) * aspect).round() as u32).max(min_h);
    let shown_h = (f64::from(logical_h) * f64::from(shown) / f64::from(logical_w)).round();
    let ratio = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .clamp(1.0, 4.0);
    // Device pixels per layout pixel: the screen's density, less the scaling down.
    let density = (ratio * f64::from(shown) / f64::from(logical_w)).max(1.0);
    let device = (
        (f64::from(logical_w) * density).round() as u32,
        (f64::from(logical_h) * density).round() as u32,
    );
    // Setting a canvas's size, even to the size it has, makes the browser allocate and
    // clear its pixels and reset its context; a redraw at the same size only clears them.
    let resized = (canvas.width(), canvas.height()) != device;
    if resized {
        canvas.set_width(device.0);
        canvas.set_height(device.1);
    }
    // The shown size is written only when it changes: a write makes the page's style
    // dirty, and the next font set on any canvas would have to work it out again.
    let style = canvas.style();
    for (property, value) in [
        ("width", format!("{shown}px")),
        ("height", format!("{shown_h}px")),
    ] {
        if style.get_property_value(property).ok().as_deref() != Some(value.as_str()) {
            let _ = style.set_property(property, &value);
        }
    }
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        .ok_or("this browser cannot draw on a canvas")?;
    if !resized {
        context
            .set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
            .map_err(|_| "the canvas could not be scaled")?;
        context.clear_rect(0.0, 0.0, f64::from(device.0), f64::from(device.1));
    }
    context
        .set_transform(density, 0.0, 0.0, density, 0.0, 0.0)
        .map_err(|_| "the canvas could not be scaled")?;
    // A context that was not reset keeps its font; `use_font` then skips setting it again.
    let font = if resized {
        String::new()
    } else {
        js_sys::Reflect::get(canvas, &FONT_KEY.into())
            .ok()
            .and_then(|f| f.as_string())
            .unwrap_or_default()
    };
    let inner = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or("this browser cannot draw on a canvas")?;
    let area = ScaledCanvas {
        inner,
        context,
        canvas: canvas.clone(),
        font: RefCell::new(font),
        fill: None,
        stroke: None,
        size: (logical_w, logical_h),
    }
    .into_drawing_area();
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    paint(&area).map_err(|e| e.to_string())?;
    area.present().map_err(|e| e.to_string())
}

/// The width of the element behind `frame`, in CSS pixels, followed with a
/// `ResizeObserver`; 0 until the observer's first report, which comes after the next
/// layout. Nothing here reads the layout synchronously: such a read in the middle of a
/// redraw forces the browser to lay out the whole page at once.
#[hook]
pub(crate) fn use_frame_width(frame: NodeRef) -> u32 {
    let width = use_state(|| 0u32);
    {
        let width = width.clone();
        use_effect_with((), move |_| {
            let observer = frame.cast::<HtmlElement>().and_then(|frame| {
                let callback =
                    Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
                        if let Some(entry) =
                            entries.get(0).dyn_ref::<web_sys::ResizeObserverEntry>()
                        {
                            let w = entry.content_rect().width().round().max(0.0) as u32;
                            if w != *width {
                                width.set(w);
                            }
                        }
                    });
                let observer =
                    web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&frame);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    *width
}

thread_local! {
    /// Set while a change made at the start of an animation frame is rendered; see
    /// [`changing_in_frame`].
    static IN_FRAME: Cell<bool> = const { Cell::new(false) };
}

/// Makes `change` (which updates the lesson's state) from an animation frame callback, so
/// that the drawings the change asks for are done in this same frame: Yew renders in a
/// microtask queued by `change`, and until a microtask queued after it has run,
/// [`at_next_frame`] works at once instead of waiting for the next frame.
pub(crate) fn changing_in_frame(change: impl FnOnce()) {
    IN_FRAME.set(true);
    change();
    let done = Closure::once_into_js(|| IN_FRAME.set(false));
    let queued = web_sys::window().map(|w| w.queue_microtask(done.unchecked_ref()));
    if queued.is_none() {
        IN_FRAME.set(false);
    }
}

/// Work (a drawing, or the workers' latest answers) waiting for the next animation frame.
pub(crate) type PendingFrame = Rc<RefCell<Option<Box<dyn FnOnce()>>>>;

/// Runs `work` at the next animation frame, in place of any work of the same slot still
/// waiting. Results can arrive many times a frame; each figure is drawn at most once a
/// frame, with its latest inputs, and the work that asked for it (such as sending the
/// next jobs to the workers) is not held up by the drawing.
pub(crate) fn at_next_frame(pending: &PendingFrame, work: impl FnOnce() + 'static) {
    if IN_FRAME.get() {
        // This frame is still before its style, layout and paint: work now, in place of
        // any still waiting.
        pending.borrow_mut().take();
        work();
        return;
    }
    let waiting = pending.borrow_mut().replace(Box::new(work)).is_some();
    if waiting {
        return;
    }
    let slot = pending.clone();
    let run = move || {
        let draw = slot.borrow_mut().take();
        if let Some(draw) = draw {
            draw();
        }
    };
    let requested = web_sys::window().map(|window| {
        let callback = Closure::once_into_js(run.clone());
        window.request_animation_frame(callback.unchecked_ref())
    });
    if !matches!(requested, Some(Ok(_))) {
        // No frames to wait for: draw now.
        run();
    }
}

/// How often, at most, a figure is redrawn as more runs of the same settings come in, in
/// milliseconds. Its first run and its last are drawn at once.
const REFINE_MS: f64 = 150.0;

/// Runs `work` at the first animation frame after `delay` milliseconds, in place of any
/// work already deferred in `deferred`; `pending` is the slot of [`at_next_frame`].
/// Work asked for with `at_next_frame` meanwhile empties `deferred` and so wins.
fn defer(
    deferred: &PendingFrame,
    pending: &PendingFrame,
    delay: f64,
    work: impl FnOnce() + 'static,
) {
    let waiting = deferred.borrow_mut().replace(Box::new(work)).is_some();
    if waiting {
        return;
    }
    let (deferred, pending) = (deferred.clone(), pending.clone());
    let fire = move || {
        let work = deferred.borrow_mut().take();
        if let Some(work) = work {
            at_next_frame(&pending, work);
        }
    };
    let timer = Closure::once_into_js(fire.clone());
    let set = web_sys::window().map(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(
            timer.unchecked_ref(),
            delay.ceil() as i32,
        )
    });
    if !matches!(set, Some(Ok(_))) {
        fire();
    }
}

/// Records on the canvas what it was last drawn from: `data-drawn-seed`, the seed, and
/// `data-drawn-runs`, the runs of each pair it shows (comma-separated). The benchmark reads
/// them to time a change of settings until the figure is on screen, without asking the
/// page for anything that costs it work.
fn mark_drawn(canvas: &HtmlCanvasElement, signature: &Signature) {
    let runs: Vec<String> = signature.runs.iter().map(usize::to_string).collect();
    // Setting a data attribute on an element in the page does not fail.
    let _ = canvas.set_attribute("data-drawn-seed", &signature.config.seed.to_string());
    let _ = canvas.set_attribute("data-drawn-runs", &runs.join(","));
}

/// One figure: title, canvas, caption, a data table shown on request (and then named by
/// the canvas's `aria-describedby`) and export to PNG and CSV. A table is built only while
/// it is shown, and the CSV when it is asked for: the tables' numbers are the bulk of
/// the lesson's elements and text, and a change of settings or a new run would otherwise
/// rebuild and re-render every table of the page, shown or not.
#[function_component(Figure)]
pub fn figure(props: &FigureProps) -> Html {
    let canvas_ref = use_node_ref();
    let frame_ref = use_node_ref();
    let width = use_frame_width(frame_ref.clone());
    let pending = use_mut_ref(|| None);
    let deferred = use_mut_ref(|| None);
    let last_drawn = use_mut_ref(|| None::<(Signature, f64)>);
    let show_table = use_state(|| false);
    let draw_error = use_state(|| None::<String>);
    let figure = charts::figure(props.id);
    let signature = props.snapshot.signature(props.id);
    let shown = *show_table;
    let table = {
        let snapshot = props.snapshot.clone();
        let id = props.id;
        use_memo((signature.clone(), shown), move |(_, shown)| {
            shown
                .then(|| charts::table(id, &snapshot.input()).ok())
                .flatten()
        })
    };
    let missing = matches!(
        charts::ready(props.id, &props.snapshot.input()),
        Err(ChartError::MissingResults { .. })
    );

    {
        let canvas_ref = canvas_ref.clone();
        let snapshot = props.snapshot.clone();
        let id = props.id;
        let draw_error = draw_error.clone();
        let pending = pending.clone();
        let deferred = deferred.clone();
        let last_drawn = last_drawn.clone();
        // Redrawn when what this figure shows changes, not on every result of the lesson,
        // and on resize: the frame's width is followed.
        use_effect_with(
            (signature, width, missing),
            move |(signature, width, missing)| {
                if !*missing && *width > 0 {
                    let width = *width;
                    let since = last_drawn.borrow().as_ref().and_then(|(drawn, when)| {
                        drawn.same_settings(signature).then(|| now() - when)
                    });
                    let refining = since.filter(|_| !signature.complete());
                    let signature = signature.clone();
                    let drawn = last_drawn.clone();
                    let draw = move || {
                        if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                            let input = snapshot.input();
                            let (default, min) = (charts::default_size(id), charts::min_size(id));
                            let result = draw_with(&canvas, default, min, width, |area| {
                                charts::draw(id, &input, area)
                            });
                            if result.is_ok() {
                                mark_drawn(&canvas, &signature);
                                *drawn.borrow_mut() = Some((signature, now()));
                            }
                            draw_error.set(result.err());
                        }
                    };
                    match refining {
                        // More runs of the same settings, with others still to come: the
                        // figure refines at most every REFINE_MS, leaving the frames between
                        // to the figures still waiting for their first run.
                        Some(since) if since < REFINE_MS => {
                            defer(&deferred, &pending, REFINE_MS - since, draw);
                        }
                        _ => {
                            deferred.borrow_mut().take();
                            at_next_frame(&pending, draw);
                        }
                    }
                }
            },
        );
    }

    let title = figure.map_or(props.id, |f| f.title);
    let caption = figure.map_or("", |f| f.caption);
    let toggle = {
        let show_table = show_table.clone();
        Callback::from(move |_| show_table.set(!*show_table))
    };
    let png = {
        let canvas_ref = canvas_ref.clone();
        let id = props.id;
        Callback::from(move |_| {
            if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                if let Ok(url) = canvas.to_data_url() {
                    download::url(&url, &format!("{id}.png"));
                }
            }
        })
    };
    let csv = {
        let snapshot = props.snapshot.clone();
        let id = props.id;
        Callback::from(move |_| {
            if let Ok(table) = charts::table(id, &snapshot.input()) {
                download::text(&table.to_csv(), "text/csv", &format!("{id}.csv"));
            }
        })
    };
    let table_id = format!("table-{}", props.id);
    let aria = format!("{title}. {caption}");

    html! {
        <figure class="figure" id={format!("fig-{}", props.id)} data-figure={props.id}>
            // The drawn figure carries its title; the text stays for screen readers.
            <figcaption class={classes!("figure-title", (!missing).then_some("visually-hidden"))}>{ title }</figcaption>
            <div class="figure-frame" ref={frame_ref}>
                // Kept while the figure waits for results, hidden: when they come, it is
                // drawn at once in place, its pixels and context already there, instead
                // of a new canvas being made, sized and laid out. (Its old drawing is
                // never shown: it is cleared as the new one starts, in the same frame.)
                <canvas ref={canvas_ref} role="img" aria-label={aria} aria-describedby={shown.then(|| table_id.clone())} hidden={missing} />
                if missing {
                    <div class="figure-placeholder" role="note">{ props.placeholder.clone() }</div>
                }
            </div>
            if let Some(error) = (*draw_error).clone() {
                <p class="figure-error" role="alert">{ format!("This figure could not be drawn: {error}") }</p>
            }
            <p class="figure-caption">{ caption }</p>
            if !missing {
                <div class="figure-tools">
                    <button type="button" onclick={toggle} aria-expanded={shown.to_string()} aria-controls={table_id.clone()}>
                        { if shown { "Hide data" } else { "Show data" } }
                    </button>
                    <button type="button" onclick={png}>{ "PNG" }</button>
                    <button type="button" onclick={csv}>{ "CSV" }</button>
                </div>
            }
            if !missing {
                <div id={table_id} class="figure-table" hidden={!shown}>
                    if let Some(table) = &*table {
                        <table>
                            <caption>{ format!("Data of the figure “{title}”") }</caption>
                            <thead><tr>{ for table.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                            <tbody>
                                { for table.rows.iter().map(|row| html! {
                                    <tr>{ for row.iter().map(|cell| html! { <td>{ cell }</td> }) }</tr>
                                }) }
                            </tbody>
                        </table>
                    }
                </div>
            }
        </figure>
    }
}
