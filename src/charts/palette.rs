//! The colours of the lesson. Every method keeps one colour in every figure, so that a
//! reader who has learned "vermillion is the baseline" never has to read a legend twice.
//! They come from the Okabe–Ito palette, whose colours stay distinct under the common
//! forms of colour blindness. Methods the lesson adds later have their colours reserved
//! here, so that no figure hands them out to something else in the meantime.

use plotters::style::RGBColor;

use crate::experiment::Method;

/// Vermillion: training on the one domain as collected.
pub const BASELINE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Blue: domain randomization.
pub const RANDOMIZATION: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Bluish green: data augmentation.
pub const AUGMENTATION: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Orange, reserved for IRMv1.
pub const IRM: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Sky blue, reserved for V-REx.
pub const VREX: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
/// Reddish purple, reserved for Group DRO.
pub const GROUP_DRO: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
/// Black, reserved for the oracle that drops X3.
pub const ORACLE: RGBColor = RGBColor(0x00, 0x00, 0x00);
/// Grey: the true values of the world's equations, in every figure.
pub const TRUE_VALUE: RGBColor = RGBColor(0x77, 0x77, 0x77);
/// Near black: the least-squares optimum, medians and reference lines.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Light grey: grid lines.
pub const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
/// Dark grey: the points of the data step, which belong to no method.
pub const DATA_POINT: RGBColor = RGBColor(0x33, 0x44, 0x55);

/// The colour of a method, the same in every figure and on the page.
pub fn method_colour(method: Method) -> RGBColor {
    match method {
        Method::Baseline => BASELINE,
        Method::Randomization => RANDOMIZATION,
        Method::Augmentation => AUGMENTATION,
    }
}
