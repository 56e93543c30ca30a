//! The loss curve drawn while a step trains: every run's losses so far, epoch by epoch.

use yew::prelude::*;

use crate::experiment::Method;

#[derive(Properties, PartialEq, Clone)]
pub struct LiveLossProps {
    pub method: Method,
    /// The losses of each run so far (complete runs have all their epochs).
    pub curves: Vec<Vec<f64>>,
    pub epochs: usize,
}

#[function_component(LiveLoss)]
pub fn live_loss(props: &LiveLossProps) -> Html {
    let canvas_ref = use_node_ref();
    let frame_ref = use_node_ref();
    let width = super::canvas::use_frame_width(frame_ref.clone());
    let pending = use_mut_ref(|| None);
    let started = props.curves.iter().any(|c| !c.is_empty());
    {
        let canvas_ref = canvas_ref.clone();
        let pending = pending.clone();
        use_effect_with((props.clone(), width), move |(props, width)| {
            if *width > 0 {
                let (props, width) = (props.clone(), *width);
                super::canvas::at_next_frame(&pending, move || {
                    if let Some(canvas) = canvas_ref.cast::<web_sys::HtmlCanvasElement>() {
                        // A failed drawing of the live curve leaves the finished figures
                        // to speak.
                        let min = crate::charts::min_size("live-loss");
                        let _ = super::canvas::draw_with(&canvas, (640, 260), min, width, |area| {
                            crate::charts::draw_live_loss(
                                area,
                                props.method,
                                &props.curves,
                                props.epochs,
                            )
                        });
                    }
                });
            }
        });
    }
    html! {
        <div class={classes!("live-loss", (!started).then_some("visually-hidden"))} aria-hidden="true" ref={frame_ref}>
            <canvas ref={canvas_ref} />
        </div>
    }
}
