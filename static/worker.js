// A training worker. The page's first message names the lesson's own module: the address
// of its JavaScript glue and the compiled WebAssembly. Loaded here, the module sees that
// it runs in a worker, takes over the worker's messages and tells the page it is ready.
addEventListener(
  "message",
  async (event) => {
    try {
      const glue = await import(event.data.glue);
      await glue.default({ module_or_path: event.data.module });
    } catch (error) {
      // Thrown from a task of its own, the error reaches the page's error handler, which
      // says the worker did not load (thrown inside the promise, it would stay here).
      setTimeout(() => {
        throw error;
      });
    }
  },
  { once: true },
);
