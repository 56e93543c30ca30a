// The Spurious Lab workload in TensorFlow.js, for speed and agreement checks against the
// lab engine and the PyTorch reference (bench/torch_reference.py). Loaded by index.html
// after the tf.js bundles; run.mjs drives it through window.spuriousBench.
//
// Per run (seed 1 + r): X1, X2 ~ N(0, 1), Y = X1 + 2·X2 + 3 + N(0, 1), X3 = s·Y + N(0, 0.1²);
// 5000 training samples (baseline and augmentation s = 0.2; randomization 10 domains of 500
// with s ~ U[-1, 1]), IID (s = 0.2) and OOD (s = 0.1) test sets of 5000. A linear model
// (3 → 1) or an MLP (3 → 32 → 32 → 1, ReLU), initialised as PyTorch's nn.Linear (uniform in
// ±1/√fan_in), trained with tf.train.adam(1e-3, 0.9, 0.999, 1e-8) on the mean squared
// error, 30 epochs of minibatches of 8 in a fresh order every epoch, the learning rate set
// by hand every epoch as StepLR(10, 0.5) would. Augmentation permutes the X3 column afresh
// every epoch. Everything is float32, tf.js's default.
"use strict";

(function () {
  const METHODS = ["baseline", "randomization", "augmentation"];
  const MODELS = ["linear", "mlp"];
  const DEFAULTS = {
    seed: 1, runs: 10, n_train: 5000, n_test: 5000, s_train: 0.2, s_ood: 0.1, noise: 0.1,
    epochs: 30, batch: 8, lr: 1e-3, step: 10, gamma: 0.5, domains: 10, s_min: -1, s_max: 1,
    hidden: [32, 32],
  };
  // Random streams of a run, as in the PyTorch reference: every method of a run shares the
  // causes, the test sets and the initial weights; only X3 differs.
  const STREAM = { train: 0, iid: 1, ood: 2, domains: 3, init: 4, shuffle: 5, augment: 6 };

  // A small seeded generator written for this page: a Weyl sequence (step 0x9E3779B9)
  // through a 32-bit avalanche mix. Uniforms use 53 bits from two outputs; normals come
  // from Box–Muller, both values of each pair used.
  class Rng {
    constructor(seed, stream) {
      this.state = Math.imul((seed * 16 + stream) >>> 0, 0x2545f491) >>> 0;
      this.spare = null;
      for (let i = 0; i < 4; i++) this.next();
    }
    next() {
      this.state = (this.state + 0x9e3779b9) >>> 0;
      let z = this.state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    }
    uniform() { // [0, 1)
      return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992;
    }
    normal() {
      if (this.spare !== null) {
        const s = this.spare;
        this.spare = null;
        return s;
      }
      const u = 1 - this.uniform(); // (0, 1]
      const r = Math.sqrt(-2 * Math.log(u));
      const t = 2 * Math.PI * this.uniform();
      this.spare = r * Math.sin(t);
      return r * Math.cos(t);
    }
    permutation(n) {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(this.uniform() * (i + 1));
        const t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      return p;
    }
  }

  // n samples in contiguous, equally sized blocks, one per spurious factor.
  function world(n, factors, noise, rng) {
    const x = new Float32Array(n * 3);
    const y = new Float32Array(n);
    let row = 0;
    for (let d = 0; d < factors.length; d++) {
      const rows = Math.floor(n / factors.length) + (d < n % factors.length ? 1 : 0);
      for (let k = 0; k < rows; k++, row++) {
        const x1 = rng.normal();
        const x2 = rng.normal();
        const target = x1 + 2 * x2 + 3 + rng.normal();
        x[row * 3] = x1;
        x[row * 3 + 1] = x2;
        x[row * 3 + 2] = factors[d] * target + noise * rng.normal();
        y[row] = target;
      }
    }
    return { x, y, n };
  }

  function trainingFactors(cfg, method, seed) {
    if (method !== "randomization") return [cfg.s_train];
    const rng = new Rng(seed, STREAM.domains);
    return Array.from({ length: cfg.domains }, () => cfg.s_min + (cfg.s_max - cfg.s_min) * rng.uniform());
  }

  function datasets(cfg, method, seed) {
    const factors = trainingFactors(cfg, method, seed);
    return {
      factors,
      train: world(cfg.n_train, factors, cfg.noise, new Rng(seed, STREAM.train)),
      iid: world(cfg.n_test, [cfg.s_train], cfg.noise, new Rng(seed, STREAM.iid)),
      ood: world(cfg.n_test, [cfg.s_ood], cfg.noise, new Rng(seed, STREAM.ood)),
    };
  }

  // Layers as [weights (inputs × outputs), biases] variables, PyTorch's default init.
  function makeModel(cfg, model, seed) {
    const rng = new Rng(seed, STREAM.init);
    const widths = [3, ...(model === "mlp" ? cfg.hidden : []), 1];
    const layers = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      const [inputs, outputs] = [widths[l], widths[l + 1]];
      const bound = 1 / Math.sqrt(inputs);
      const draw = (count) => Float32Array.from({ length: count }, () => bound * (2 * rng.uniform() - 1));
      // Inside tidy so that the initial tensors are freed; the variables survive it.
      layers.push(tf.tidy(() => ({
        w: tf.variable(tf.tensor2d(draw(inputs * outputs), [inputs, outputs])),
        b: tf.variable(tf.tensor1d(draw(outputs))),
      })));
    }
    return layers;
  }

  function predict(layers, x) {
    let h = x;
    layers.forEach(({ w, b }, l) => {
      const hidden = l + 1 < layers.length;
      h = tf.fused.matMul({ a: h, b: w, bias: b, activation: hidden ? "relu" : "linear" });
    });
    return h;
  }

  function disposeModel(layers) {
    for (const { w, b } of layers) {
      w.dispose();
      b.dispose();
    }
  }

  // Trains in place; returns the mean batch loss of every epoch.
  function train(layers, data, cfg, augment, seed) {
    const vars = layers.flatMap(({ w, b }) => [w, b]);
    const optimizer = tf.train.adam(cfg.lr, 0.9, 0.999, 1e-8);
    const shuffleRng = new Rng(seed, STREAM.shuffle);
    const augmentRng = new Rng(seed, STREAM.augment);
    const { x, y, n } = data;
    const xs = new Float32Array(n * 3);
    const ys = new Float32Array(n);
    const losses = [];
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      optimizer.learningRate = cfg.lr * Math.pow(cfg.gamma, Math.floor(epoch / cfg.step));
      const donors = augment ? augmentRng.permutation(n) : null;
      const order = shuffleRng.permutation(n);
      // The epoch's rows in their shuffled order, uploaded once, then sliced per batch.
      for (let r = 0; r < n; r++) {
        const i = order[r];
        xs[r * 3] = x[i * 3];
        xs[r * 3 + 1] = x[i * 3 + 1];
        xs[r * 3 + 2] = x[(donors ? donors[i] : i) * 3 + 2];
        ys[r] = y[i];
      }
      const xEpoch = tf.tensor2d(xs, [n, 3]);
      const yEpoch = tf.tensor2d(ys, [n, 1]);
      let lossSum = tf.scalar(0);
      let batches = 0;
      for (let start = 0; start < n; start += cfg.batch) {
        const rows = Math.min(cfg.batch, n - start);
        const next = tf.tidy(() => {
          const xb = tf.slice(xEpoch, [start, 0], [rows, 3]);
          const yb = tf.slice(yEpoch, [start, 0], [rows, 1]);
          const cost = optimizer.minimize(
            () => tf.mean(tf.squaredDifference(predict(layers, xb), yb)), true, vars);
          return tf.add(lossSum, cost);
        });
        lossSum.dispose();
        lossSum = next;
        batches++;
      }
      losses.push(lossSum.dataSync()[0] / batches);
      lossSum.dispose();
      xEpoch.dispose();
      yEpoch.dispose();
    }
    optimizer.dispose();
    return losses;
  }

  function rmse(layers, data) {
    const out = tf.tidy(() => predict(layers, tf.tensor2d(data.x, [data.n, 3])));
    const pred = out.dataSync();
    out.dispose();
    let sum = 0;
    for (let i = 0; i < data.n; i++) sum += (pred[i] - data.y[i]) ** 2;
    return Math.sqrt(sum / data.n);
  }

  function runOne(cfg, method, model, run) {
    const seed = cfg.seed + run;
    const data = datasets(cfg, method, seed);
    const layers = makeModel(cfg, model, seed);
    const losses = train(layers, data.train, cfg, method === "augmentation", seed);
    const result = {
      seed,
      rmse_iid: rmse(layers, data.iid),
      rmse_ood: rmse(layers, data.ood),
      final_loss: losses[losses.length - 1],
      training_factors: data.factors,
    };
    if (model === "linear") {
      result.weights = Array.from(layers[0].w.dataSync());
      result.bias = layers[0].b.dataSync()[0];
    } else {
      const g = tf.tidy(() => {
        const xi = tf.tensor2d(data.iid.x, [data.iid.n, 3]);
        const grad = tf.grad((input) => tf.sum(predict(layers, input)))(xi);
        return tf.mean(grad, 0);
      });
      result.weights = Array.from(g.dataSync());
      g.dispose();
      result.bias = null;
    }
    disposeModel(layers);
    return result;
  }

  function time(name, repetitions, work) {
    const seconds = [];
    for (let i = 0; i < Math.max(1, repetitions); i++) {
      const start = performance.now();
      work();
      seconds.push((performance.now() - start) / 1000);
      console.log(`${name}: repetition ${i + 1}/${repetitions}: ${seconds[i].toFixed(3)} s`);
    }
    const sorted = [...seconds].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { name, repetitions: seconds.length, median, min: sorted[0], max: sorted[sorted.length - 1], seconds };
  }

  function config(overrides) {
    return Object.assign({}, DEFAULTS, overrides || {});
  }

  // A tiny untimed run of each model, so that kernel set-up stays out of the timings.
  function warmUp(cfg) {
    const tiny = Object.assign({}, cfg, { n_train: 64, n_test: 64, epochs: 1 });
    for (const model of MODELS) for (const method of METHODS) runOne(tiny, method, model, 0);
  }

  window.spuriousBench = {
    defaults: DEFAULTS,

    // Switches to a backend; reports whether it is available and what it runs on.
    async setBackend(name) {
      let ok = false;
      let error = null;
      try {
        if (name === "wasm") tf.wasm.setWasmPaths("node_modules/@tensorflow/tfjs-backend-wasm/dist/");
        ok = await tf.setBackend(name);
        await tf.ready();
      } catch (e) {
        error = String(e && e.message ? e.message : e);
        ok = false;
      }
      ok = ok && tf.getBackend() === name;
      const info = { backend: name, available: ok, error, active: tf.getBackend(), tfjs: tf.version.tfjs };
      if (ok && name === "wasm") {
        info.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
        info.multithread = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
        info.threads = typeof tf.wasm.getThreadsCount === "function" ? tf.wasm.getThreadsCount() : null;
      }
      if (ok && name === "webgl") {
        const gl = document.createElement("canvas").getContext("webgl2");
        const ext = gl && gl.getExtension("WEBGL_debug_renderer_info");
        info.renderer = gl ? gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) : null;
      }
      info.crossOriginIsolated = self.crossOriginIsolated;
      info.hardwareConcurrency = navigator.hardwareConcurrency;
      info.userAgent = navigator.userAgent;
      return info;
    },

    // Times data generation, one linear run and one MLP run (baseline, run 0).
    pieces({ overrides, repeat = 3, only = null }) {
      const cfg = config(overrides);
      warmUp(cfg);
      const out = [time("data generation (train, IID, OOD)", 4 * repeat, () => {
        const d = datasets(cfg, "baseline", cfg.seed);
        tf.dispose([d.train, d.iid, d.ood].map((s) => tf.tensor2d(s.x, [s.n, 3])));
      })];
      if (only !== "mlp") out.push(time("one linear run (baseline)", repeat, () => runOne(cfg, "baseline", "linear", 0)));
      if (only !== "linear") out.push(time("one MLP run (baseline)", repeat, () => runOne(cfg, "baseline", "mlp", 0)));
      return { timings: out, tensors: tf.memory().numTensors };
    },

    // Every run of every method for the chosen models, in sequence, timed as a whole and
    // run by run.
    lesson({ overrides, models = MODELS }) {
      const cfg = config(overrides);
      const tensorsBefore = tf.memory().numTensors;
      const start = performance.now();
      const results = [];
      const perRun = {};
      for (const model of models) {
        for (const method of METHODS) {
          const runs = [];
          for (let r = 0; r < cfg.runs; r++) {
            const t = performance.now();
            runs.push(runOne(cfg, method, model, r));
            const seconds = (performance.now() - t) / 1000;
            (perRun[model] = perRun[model] || []).push(seconds);
            console.log(`lesson: ${method} ${model} run ${r + 1}/${cfg.runs}: ${seconds.toFixed(2)} s`);
          }
          results.push({ method, model, runs });
        }
      }
      return { seconds: (performance.now() - start) / 1000, results, perRun, config: cfg,
        tensorsLeaked: tf.memory().numTensors - tensorsBefore };
    },
  };
})();
