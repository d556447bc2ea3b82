# workerd config of the edge gateway: the worker and its modules, the
# mmguard package embedded by path (named as an installed package would be,
# so the worker imports "mmguard" as it would under wrangler), the per-client
# Durable Object, the settings read from the environment, and the network the
# worker may reach the upstream on.
#
#   GATEWAY_TOKEN_KEY=... UPSTREAM_URL=http://127.0.0.1:9000 \
#     node_modules/.bin/workerd serve examples/edge-gateway/config.capnp
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = .gateway),
    # global fetch() allows public addresses only by default (against SSRF);
    # the upstream in a local setup is on 127.0.0.1. UPSTREAM_URL is the
    # operator's, never the client's, so widening this is safe here.
    (name = "upstream-network", network = (allow = ["public", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "gateway") ],
);

const gateway :Workerd.Worker = (
  compatibilityDate = "2026-11-01",
  modules = [
    (name = "worker.js", esModule = embed "src/worker.js"),
    (name = "auth.js", esModule = embed "src/auth.js"),
    (name = "body.js", esModule = embed "src/body.js"),
    (name = "bucket.js", esModule = embed "src/bucket.js"),
    (name = "client-state.js", esModule = embed "src/client-state.js"),
    (name = "config.js", esModule = embed "src/config.js"),
    (name = "errors.js", esModule = embed "src/errors.js"),
    (name = "gateway.js", esModule = embed "src/gateway.js"),
    (name = "monitor.js", esModule = embed "src/monitor.js"),
    (name = "sanitize.js", esModule = embed "src/sanitize.js"),
    (name = "token.js", esModule = embed "src/token.js"),
    # "mmguard" resolves to the package's workerd entry point, as the
    # "workerd" export condition does for an installed package.
    (name = "mmguard", esModule = "export * from 'node_modules/mmguard/workerd.js';"),
    (name = "node_modules/mmguard/workerd.js", esModule = embed "../../pkg/workerd.js"),
    (name = "node_modules/mmguard/core.js", esModule = embed "../../pkg/core.js"),
    (name = "node_modules/mmguard/guard-worker.js", esModule = embed "../../pkg/guard-worker.js"),
    (name = "node_modules/mmguard/upload.js", esModule = embed "../../pkg/upload.js"),
    (name = "node_modules/mmguard/dist/mmguard.js", esModule = embed "../../pkg/dist/mmguard.js"),
    (name = "node_modules/mmguard/dist/mmguard_bg.wasm", wasm = embed "../../pkg/dist/mmguard_bg.wasm"),
    # The detectors' engine, opt-in on workerd (mmguard/workerd-engine).
    (name = "mmguard/workerd-engine", esModule = "import '/node_modules/mmguard/workerd-engine.js';"),
    (name = "node_modules/mmguard/workerd-engine.js", esModule = embed "../../pkg/workerd-engine.js"),
    (name = "node_modules/mmguard/dist/mmguard_engine.js", esModule = embed "../../pkg/dist/mmguard_engine.js"),
    (name = "node_modules/mmguard/dist/mmguard_engine_bg.wasm", wasm = embed "../../pkg/dist/mmguard_engine_bg.wasm"),
    # The detectors' models as Data modules (ArrayBuffers).
    (name = "mmguard/models/text-injection.onnx", data = embed "../../pkg/models/text-injection.onnx"),
    (name = "mmguard/models/image-adversarial.onnx", data = embed "../../pkg/models/image-adversarial.onnx"),
    (name = "mmguard/models/image-typographic.onnx", data = embed "../../pkg/models/image-typographic.onnx"),
    (name = "mmguard/models/audio-adversarial.onnx", data = embed "../../pkg/models/audio-adversarial.onnx"),
  ],
  bindings = [
    (name = "GATEWAY_TOKEN_KEY", fromEnvironment = "GATEWAY_TOKEN_KEY"),
    (name = "UPSTREAM_URL", fromEnvironment = "UPSTREAM_URL"),
    (name = "UPSTREAM_AUTHORIZATION", fromEnvironment = "UPSTREAM_AUTHORIZATION"),
    (name = "GATEWAY_CONFIG", fromEnvironment = "GATEWAY_CONFIG"),
    (name = "CLIENT_STATE", durableObjectNamespace = "ClientState"),
  ],
  durableObjectNamespaces = [ (className = "ClientState", uniqueKey = "mmguard-edge-gateway-client-state") ],
  # Buckets and monitor windows live as long as the process; use
  # (localDisk = "<service name of a disk service>") to keep them across restarts.
  durableObjectStorage = (inMemory = void),
  globalOutbound = "upstream-network",
);
