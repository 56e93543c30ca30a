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

/// Watches a training run. Every method has a default that does nothing.
pub trait Monitor {
    /// Called at the end of every epoch (from 0) with its mean batch loss.
    fn epoch_done(&mut self, _epoch: usize, _loss: f64) {}

    /// Asked before every batch; `true` stops the run.
    fn should_stop(&mut self) -> bool {
        false
    }

    /// Asked before every batch; `true` makes [`Training::advance`] return, to be called
    /// again later (a Web Worker uses this to read its messages between slices of work).
    fn should_pause(&mut self) -> bool {
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
pub struct TrainRngs {
    pub shuffle: LabRng,
    pub augment: LabRng,
}

/// Where [`Training::advance`] left off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advance {
    /// The monitor asked for a pause; call `advance` again to go on.
    Paused,
    /// Every epoch is done.
    Finished,
}

/// A training run in progress, which can be advanced a few batches at a time, its state
/// kept between calls. Pausing and going on gives the same bits as training without a
/// pause.
pub struct Training {
    schedule: Schedule,
    batch: usize,
    augmentation: Option<Augmentation>,
    rngs: TrainRngs,
    ws: Workspace,
    adam: Adam,
    /// This epoch's row order.
    order: Vec<usize>,
    /// This epoch's X3 column, augmented or not.
    spurious: Vec<f64>,
    /// Rows whose X3 the shuffle augmentation lends out.
    donors: Vec<usize>,
    losses: Vec<f64>,
    /// The epoch under way (from 0), and whether its order and X3 have been drawn.
    epoch: usize,
    epoch_started: bool,
    /// Where in `order` the next batch starts.
    next_row: usize,
    /// The learning rate, the sum of batch losses and the number of batches of the epoch.
    lr: f64,
    loss_sum: f64,
    batches: usize,
}

impl Training {
    /// Prepares to train `net` on `data`, drawing from the given streams.
    pub fn new(
        net: &Network,
        data: &Dataset,
        schedule: &Schedule,
        augmentation: Option<Augmentation>,
        rngs: TrainRngs,
    ) -> Training {
        let n = data.len();
        let batch = schedule.batch.clamp(1, n.max(1));
        Training {
            schedule: *schedule,
            batch,
            augmentation,
            rngs,
            ws: Workspace::new(net, batch),
            adam: Adam::new(net.params().len()),
            order: (0..n).collect(),
            spurious: data.x.column(2).to_vec(),
            donors: (0..n).collect(),
            losses: Vec::with_capacity(schedule.epochs),
            epoch: 0,
            epoch_started: false,
            next_row: 0,
            lr: schedule.lr,
            loss_sum: 0.0,
            batches: 0,
        }
    }

    /// The mean training loss of every epoch done so far.
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// Trains `net`, which must be the network given to [`Training::new`], on `data`
    /// until every epoch is done or the monitor asks for a pause or a stop.
    ///
    /// Every epoch visits the rows in a fresh random order, in batches of
    /// `schedule.batch` (the last one may be smaller), with one Adam step per batch on the
    /// batch's mean squared error. With an augmentation, each row's X3 is replaced with
    /// probability `fraction` by an independent value, drawn afresh at the start of each
    /// epoch.
    pub fn advance(
        &mut self,
        net: &mut Network,
        data: &Dataset,
        monitor: &mut dyn Monitor,
    ) -> Result<Advance, Stopped> {
        let n = self.order.len();
        while self.epoch < self.schedule.epochs {
            if !self.epoch_started {
                let s = &self.schedule;
                self.lr = step_lr(s.lr, s.step, s.gamma, self.epoch);
                if let Some(aug) = self.augmentation {
                    augment_column(
                        data,
                        aug,
                        &mut self.spurious,
                        &mut self.donors,
                        &mut self.rngs.augment,
                    );
                }
                self.rngs.shuffle.shuffle(&mut self.order);
                self.epoch_started = true;
                self.next_row = 0;
                self.loss_sum = 0.0;
                self.batches = 0;
            }
            if self.next_row < n {
                if monitor.should_stop() {
                    return Err(Stopped);
                }
                if monitor.should_pause() {
                    return Ok(Advance::Paused);
                }
                let end = (self.next_row + self.batch).min(n);
                self.step(net, data, end);
                self.next_row = end;
            }
            if self.next_row >= n {
                let loss = self.loss_sum / self.batches as f64;
                self.losses.push(loss);
                monitor.epoch_done(self.epoch, loss);
                self.epoch += 1;
                self.epoch_started = false;
            }
        }
        Ok(Advance::Finished)
    }

    /// One Adam step on the rows `order[next_row..end]`.
    fn step(&mut self, net: &mut Network, data: &Dataset, end: usize) {
        let chunk = &self.order[self.next_row..end];
        let rows = chunk.len();
        let ws = &mut self.ws;
        let input = ws.input_mut();
        for (r, &i) in chunk.iter().enumerate() {
            input[r * FEATURES] = data.x[[i, 0]] as Real;
            input[r * FEATURES + 1] = data.x[[i, 1]] as Real;
            input[r * FEATURES + 2] = self.spurious[i] as Real;
        }
        net.forward(ws, rows);

        // Loss (1/B)·Σ(f − y)² and its gradient 2(f − y)/B with respect to each output.
        let mut squares = 0.0;
        for (r, &i) in chunk.iter().enumerate() {
            let error = ws.output()[r] - data.y[i] as Real;
            squares += error * error;
            ws.output_grad_mut()[r] = 2.0 * error / rows as Real;
        }
        self.loss_sum += widen(squares) / rows as f64;
        self.batches += 1;

        net.backward(ws, rows, false);
        self.adam.step(net.params_mut(), &ws.grads, self.lr);
    }
}

/// Trains `net` on `data` and returns the mean training loss of every epoch: a
/// [`Training`] advanced to its end.
pub fn train(
    net: &mut Network,
    data: &Dataset,
    schedule: &Schedule,
    augmentation: Option<Augmentation>,
    rngs: TrainRngs,
    monitor: &mut dyn Monitor,
) -> Result<Vec<f64>, Stopped> {
    let mut training = Training::new(net, data, schedule, augmentation, rngs);
    while training.advance(net, data, monitor)? == Advance::Paused {}
    Ok(training.losses)
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
