//! Step 1, the intuition: cows photographed on grass, camels on sand, and what a model
//! that learned the background as well as the animal says about a cow on a beach.

use yew::prelude::*;

/// The probability that the model says "cow" for a cow on a beach.
///
/// The model combines two cues as a naive Bayes classifier would: the animal's shape,
/// right `shape` of the time, and the background, which in training matched the animal a
/// fraction `grass` of the time. The log-odds add: logit(shape) + logit(1 − grass).
pub fn cow_on_beach(shape: f64, grass: f64) -> f64 {
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let grass = grass.clamp(0.5, 0.995);
    let odds = logit(shape) + logit(1.0 - grass);
    1.0 / (1.0 + (-odds).exp())
}

/// How often the animal's shape alone gives the right answer in this story.
const SHAPE_ACCURACY: f64 = 0.85;

#[function_component(Intuition)]
pub fn intuition() -> Html {
    let grass = use_state(|| 95u32);
    let on_input = {
        let grass = grass.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<u32>() {
                grass.set(v.clamp(50, 99));
            }
        })
    };
    let p = f64::from(*grass) / 100.0;
    let cow = cow_on_beach(SHAPE_ACCURACY, p);
    let verdict = if cow >= 0.5 { "cow" } else { "camel" };
    html! {
        <section id="intuition" class="step" aria-labelledby="intuition-title">
            <h2 id="intuition-title">{ "1. Cows and grass" }</h2>
            <div class="two-column">
                <div>
                    <p>{ "Train an image classifier on photos where cows stand on green pasture and \
                          camels on sand. It scores well on held-out photos of the same kind: that is \
                          IID data, drawn from the same distribution as the training set. Then show it \
                          a cow on a beach, an out-of-distribution (OOD) photo, and it may well say \
                          camel: it learned that the background predicts the animal." }</p>
                    <p>{ "This is not a made-up worry. Beery, Van Horn and Perona (2018) found that \
                          camera-trap classifiers roughly double their error at locations they were \
                          not trained on, from 19% to 41% top-1 error in one of their tests." }</p>
                </div>
                <img class="illustration" src="static/cows.svg"
                    alt="Left: a cow on green grass, labelled training photo. Right: the same cow on a sandy beach by the sea, labelled new photo, with the question cow or camel?" />
            </div>
            <div class="interaction">
                <label for="grass-share">{ "In training, how often does the background match the animal (cows on grass, camels on sand)?" }</label>
                <div class="control-row">
                    <input type="range" id="grass-share" min="50" max="99" step="1" value={grass.to_string()} oninput={on_input} />
                    <output for="grass-share">{ format!("{}%", *grass) }</output>
                </div>
                <p class="verdict" aria-live="polite">
                    { format!(
                        "A model that trusts the background as much as the training photos suggest, and the \
                         animal's shape as much as it deserves ({:.0}% right), says “{verdict}” for the cow on \
                         the beach: it gives “cow” a probability of {:.0}%.",
                        SHAPE_ACCURACY * 100.0,
                        cow * 100.0
                    ) }
                </p>
                <p class="muted">{ "At 50% the background says nothing and the shape decides. The more \
                                    reliable the shortcut was in training, the more it overrules the \
                                    animal itself once the background changes." }</p>
            </div>
        </section>
    }
}
