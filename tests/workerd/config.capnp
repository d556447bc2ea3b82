# workerd config for the package test: the worker plus the npm package's
# workerd entry point, its JS glue and the wasm module, embedded by path.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  compatibilityDate = "2026-11-01",
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "pkg/workerd.js", esModule = embed "../../pkg/workerd.js"),
    (name = "pkg/core.js", esModule = embed "../../pkg/core.js"),
    (name = "pkg/guard-worker.js", esModule = embed "../../pkg/guard-worker.js"),
    (name = "pkg/upload.js", esModule = embed "../../pkg/upload.js"),
    (name = "pkg/dist/mmguard.js", esModule = embed "../../pkg/dist/mmguard.js"),
    (name = "pkg/dist/mmguard_bg.wasm", wasm = embed "../../pkg/dist/mmguard_bg.wasm"),
    # The opt-in engine entry and the engine module it imports.
    (name = "pkg/workerd-engine.js", esModule = embed "../../pkg/workerd-engine.js"),
    (name = "pkg/dist/mmguard_engine.js", esModule = embed "../../pkg/dist/mmguard_engine.js"),
    (name = "pkg/dist/mmguard_engine_bg.wasm", wasm = embed "../../pkg/dist/mmguard_engine_bg.wasm"),
    # The text detector's model as a Data module (an ArrayBuffer), as a
    # wrangler rule { type = "Data", globs = ["**/*.onnx"] } would bundle it.
    (name = "pkg/models/text-injection.onnx", data = embed "../../pkg/models/text-injection.onnx"),
    (name = "pkg/models/image-adversarial.onnx", data = embed "../../pkg/models/image-adversarial.onnx"),
    (name = "pkg/models/audio-adversarial.onnx", data = embed "../../pkg/models/audio-adversarial.onnx"),
  ],
);
