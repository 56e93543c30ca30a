//! The training loop of the case study: minibatches reshuffled every epoch, mean squared
//! error, Adam and StepLR; augmentation of X3 on the fly; progress and cancellation
//! between batches.

use crate::config::{Augment, ValidConfig};
use crate::network::{Network, Real, Workspace, widen};
use crate::optim::{Adam, step_lr};
use crate::rng::LabRng;
use crate::world::{Dataset, FEATURES};

/// How a training run is scheduled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    pub epochs: usize,
    pub batch: usize,
    /// Initial learning rate.
    pub lr: f64,
    /// Epochs between learning-rate decays.
    pub step: usize,
    /// Factor of each decay.
    pub gamma: f64,
}

impl Schedule {
    /// The schedule these settings ask for.
    pub fn of(config: &ValidConfig) -> Schedule {
        Schedule {
            epochs: config.epochs,
            batch: config.batch,
            lr: config.lr,
            step: config.step,
            gamma: config.gamma,
        }
    }
}

/// Replacement of the spurious feature during training, drawn afresh every epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Augmentation {
    pub kind: Augment,
    /// Probability that a row's X3 is replaced in a given epoch.
    pub fraction: f64,
}

/// Watches a training run. Both methods have defaults that do nothing.
pub trait Monitor {
    /// Called at the end of every epoch (from 0) with its mean batch loss.
    fn epoch_done(&mut self, _epoch: usize, _loss: f64) {}

    /// Asked before every batch; `true` stops the run.
    fn should_stop(&mut self) -> bool {
        false
    }
}

/// A monitor that watches nothing.
impl Monitor for () {}

/// A training run that a [`Monitor`] stopped before it finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped;

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("training was stopped")
    }
}

impl std::error::Error for Stopped {}

/// Random streams a training run draws from.
pub struct TrainRngs<'a> {
    pub shuffle: &'a mut LabRng,
    pub augment: &'a mut LabRng,
}

/// Trains `net` on `data` and returns the mean training loss of every epoch.
///
/// Every epoch visits the rows in a fresh random order, in batches of `schedule.batch`
/// (the last one may be smaller), with one Adam step per batch on the batch's mean squared
/// error. With `augmentation`, each row's X3 is replaced with probability `fraction` by an
/// independent value, drawn afresh at the start of each epoch.
pub fn train(
    net: &mut Network,
    data: &Dataset,
    schedule: &Schedule,
    augmentation: Option<Augmentation>,
    rngs: TrainRngs<'_>,
    monitor: &mut dyn Monitor,
) -> Result<Vec<f64>, Stopped> {
    let n = data.len();
    let batch = schedule.batch.clamp(1, n.max(1));
    let mut ws = Workspace::new(net, batch);
    let mut adam = Adam::new(net.params().len());
    let mut order: Vec<usize> = (0..n).collect();
    let mut spurious: Vec<f64> = data.x.column(2).to_vec();
    let mut donors: Vec<usize> = (0..n).collect();
    let mut losses = Vec::with_capacity(schedule.epochs);

    for epoch in 0..schedule.epochs {
        let lr = step_lr(schedule.lr, schedule.step, schedule.gamma, epoch);
        if let Some(aug) = augmentation {
            augment_column(data, aug, &mut spurious, &mut donors, rngs.augment);
        }
        rngs.shuffle.shuffle(&mut order);

        let mut loss_sum = 0.0;
        let mut batches = 0;
        for chunk in order.chunks(batch) {
            if monitor.should_stop() {
                return Err(Stopped);
            }
            let rows = chunk.len();
            let input = ws.input_mut();
            for (r, &i) in chunk.iter().enumerate() {
                input[r * FEATURES] = data.x[[i, 0]] as Real;
                input[r * FEATURES + 1] = data.x[[i, 1]] as Real;
                input[r * FEATURES + 2] = spurious[i] as Real;
            }
            net.forward(&mut ws, rows);

            // Loss (1/B)·Σ(f − y)² and its gradient 2(f − y)/B with respect to each output.
            let mut squares = 0.0;
            for (r, &i) in chunk.iter().enumerate() {
                let error = ws.output()[r] - data.y[i] as Real;
                squares += error * error;
                ws.output_grad_mut()[r] = 2.0 * error / rows as Real;
            }
            loss_sum += widen(squares) / rows as f64;
            batches += 1;

            net.backward(&mut ws, rows, false);
            adam.step(net.params_mut(), &ws.grads, lr);
        }
        let loss = loss_sum / batches as f64;
        losses.push(loss);
        monitor.epoch_done(epoch, loss);
    }
    Ok(losses)
}

/// Fills `spurious` with this epoch's X3 column: each row keeps its own value or, with
/// probability `aug.fraction`, takes one that carries no information about its Y.
fn augment_column(
    data: &Dataset,
    aug: Augmentation,
    spurious: &mut [f64],
    donors: &mut [usize],
    rng: &mut LabRng,
) {
    let column = data.x.column(2);
    match aug.kind {
        Augment::Shuffle => {
            rng.shuffle(donors);
            for (i, x3) in spurious.iter_mut().enumerate() {
                let replace = rng.uniform() < aug.fraction;
                *x3 = column[if replace { donors[i] } else { i }];
            }
        }
        Augment::Noise => {
            let n = column.len() as f64;
            let mean = column.sum() / n;
            let variance = column.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
            let sd = libm::sqrt(variance);
            for (i, x3) in spurious.iter_mut().enumerate() {
                let replace = rng.uniform() < aug.fraction;
                let draw = mean + sd * rng.normal();
                *x3 = if replace { draw } else { column[i] };
            }
        }
    }
}
