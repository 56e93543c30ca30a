// A static file server for the end-to-end tests: serves one folder on a free port of
// 127.0.0.1, nothing outside it.
import { createServer } from "node:http";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";

const TYPES = {
  ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json",
};

// Refuses a folder without a built page, which would otherwise be served as 404s and
// leave a test waiting for a lesson that never loads.
export function serve(root) {
  if (!existsSync(join(root, "index.html"))) {
    const error = new Error(
      `${root} holds no built page (no index.html): build it first with ` +
      "`trunk build --release --offline` (scripts/test.sh does), or name the folder " +
      "that holds it");
    error.usage = true; // a mistake in the command, told without a stack trace
    return Promise.reject(error);
  }
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    const file = join(root, path.endsWith("/") ? `${path}index.html` : path);
    try {
      if (!file.startsWith(root)) throw new Error("outside");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end("not found");
    }
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}
