//! The controls of the page: each edits one setting by its key (the same keys as the
//! address and the command line) and shows why a value was refused, next to itself.

use yew::prelude::*;

/// A change a control asks for: a setting's key and its new text value.
pub type SetCallback = Callback<(String, String)>;

#[derive(Properties, PartialEq, Clone)]
pub struct SliderProps {
    pub key_name: &'static str,
    pub label: AttrValue,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    /// The setting's current text value.
    pub value: String,
    #[prop_or_default]
    pub help: AttrValue,
    /// Why the last value for this key was refused, if it was.
    #[prop_or_default]
    pub error: Option<String>,
    pub on_set: SetCallback,
}

/// A range slider with its value, applied when the reader lets go.
#[function_component(Slider)]
pub fn slider(props: &SliderProps) -> Html {
    let shown = use_state(|| props.value.clone());
    {
        let shown = shown.clone();
        use_effect_with(props.value.clone(), move |value| shown.set(value.clone()));
    }
    let id = format!("control-{}", props.key_name);
    let on_input = {
        let shown = shown.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            shown.set(input.value());
        })
    };
    let on_change = {
        let on_set = props.on_set.clone();
        let key = props.key_name;
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            on_set.emit((key.to_string(), input.value()));
        })
    };
    let help_id = format!("{id}-help");
    html! {
        <div class={classes!("control", props.error.is_some().then_some("control-invalid"))}>
            <label for={id.clone()}>{ props.label.clone() }</label>
            <div class="control-row">
                <input type="range" id={id.clone()} name={props.key_name}
                    min={props.min.to_string()} max={props.max.to_string()} step={props.step.to_string()}
                    value={(*shown).clone()} oninput={on_input} onchange={on_change}
                    aria-describedby={help_id.clone()} />
                <output for={id}>{ (*shown).clone() }</output>
            </div>
            <p class="control-help" id={help_id}>{ props.help.clone() }</p>
            if let Some(error) = &props.error {
                <p class="control-error" role="alert">{ error }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct ChoiceProps {
    pub key_name: &'static str,
    pub label: AttrValue,
    /// (value, label) of each option.
    pub options: Vec<(&'static str, &'static str)>,
    pub value: String,
    #[prop_or_default]
    pub help: AttrValue,
    #[prop_or_default]
    pub error: Option<String>,
    pub on_set: SetCallback,
}

/// A drop-down choice among fixed values.
#[function_component(Choice)]
pub fn choice(props: &ChoiceProps) -> Html {
    let id = format!("control-{}", props.key_name);
    let on_change = {
        let on_set = props.on_set.clone();
        let key = props.key_name;
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            on_set.emit((key.to_string(), select.value()));
        })
    };
    let help_id = format!("{id}-help");
    let known = props.options.iter().any(|(v, _)| *v == props.value);
    html! {
        <div class={classes!("control", props.error.is_some().then_some("control-invalid"))}>
            <label for={id.clone()}>{ props.label.clone() }</label>
            <select id={id} name={props.key_name} onchange={on_change} aria-describedby={help_id.clone()}>
                { for props.options.iter().map(|(value, label)| html! {
                    <option value={*value} selected={*value == props.value}>{ *label }</option>
                }) }
                if !known {
                    <option value={props.value.clone()} selected=true>{ props.value.clone() }</option>
                }
            </select>
            <p class="control-help" id={help_id}>{ props.help.clone() }</p>
            if let Some(error) = &props.error {
                <p class="control-error" role="alert">{ error }</p>
            }
        </div>
    }
}
