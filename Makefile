# mmguard: `make demo` and `make test`, and the steps they are made of.
# Every step installs what it needs (idempotently) on a fresh Debian 12 machine
# with rustup, Node 20 and npm: see `setup`.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

WASM_BINDGEN_VERSION := 0.2.130
WASM_TARGET := wasm32-unknown-unknown
WASM_OUT := target/$(WASM_TARGET)/release/mmguard.wasm
DIST := pkg/dist
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
# Tests that read the shared corpora (UDHR, emoji) find them here.
export MMGUARD_SHARED_DATA ?= $(abspath $(CURDIR)/../shared/data)
COUNTED := tools/run-counted.sh

.PHONY: help setup setup-apt setup-rust setup-npm setup-ort wasm wasm-engine wasm-nosimd check-simd size demo test \
        fmt clippy test-native test-wasm test-js test-types test-browser test-workerd bench bench-browser bench-browser-image bench-browser-worker bench-browser-audio bench-browser-detect \
        setup-fuzz fuzz setup-train models eval-models

help:
	@echo "make demo   build the npm package and serve the demo on http://127.0.0.1:8080/www/"
	@echo "make test   every check: fmt, clippy, native + wasm + JS + types + Chromium tests"
	@echo "make models      retrain the detectors in models/ (Python, CPU; see training/README.md)"
	@echo "make eval-models print the detectors' metrics on their held-out splits"

## --- setup: what the machine needs ---------------------------------------
setup: setup-apt setup-rust setup-npm

setup-apt:
	@if ! command -v chromium >/dev/null || ! command -v wasm2wat >/dev/null || ! command -v brotli >/dev/null; then \
	  echo "installing chromium, wabt, brotli (apt)"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium wabt brotli >/dev/null; \
	fi

setup-rust:
	@rustup component add rustfmt clippy >/dev/null 2>&1 || true
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes)"; \
	  cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION); \
	fi

# The Vite example (examples/vite-app) has its own install, as an app would.
setup-npm:
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi
	@if [ ! -d examples/vite-app/node_modules ] || [ examples/vite-app/package-lock.json -nt examples/vite-app/node_modules/.package-lock.json ]; then \
	  npm ci --prefix examples/vite-app --no-audit --no-fund; fi

# cargo-fuzz builds with -Z sanitizer flags; this machine has only the stable
# toolchain, so the fuzz build (and only it) sets RUSTC_BOOTSTRAP=1.
setup-fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

## --- build -----------------------------------------------------------------
wasm: setup-rust
	cargo build --lib --release --target $(WASM_TARGET) --no-default-features --features wasm-simd
	wasm-bindgen --target web --out-dir $(DIST) --out-name mmguard $(WASM_OUT)
	$(MAKE) --no-print-directory wasm-engine
	$(MAKE) --no-print-directory wasm-nosimd
	mkdir -p pkg/models && cp models/*.onnx pkg/models/

# The same two modules without SIMD, for engines that lack it (the package
# picks at load time): RUSTFLAGS replaces .cargo/config.toml's flags, so it
# repeats all but +simd128, and the `wasm-simd` feature stays off. Their own
# target directories; the JS glue must come out identical, so one copy serves
# both builds of each module.
NOSIMD_FLAGS := --cfg getrandom_backend="unsupported"
wasm-nosimd: setup-rust
	RUSTFLAGS='$(NOSIMD_FLAGS)' cargo build --lib --release --target $(WASM_TARGET) \
	  --no-default-features --target-dir target/nosimd
	RUSTFLAGS='$(NOSIMD_FLAGS)' CARGO_PROFILE_RELEASE_OPT_LEVEL=$(ENGINE_OPT) cargo build --lib --release \
	  --target $(WASM_TARGET) --no-default-features --features engine-module --target-dir target/engine-nosimd
	@for m in mmguard:nosimd mmguard_engine:engine-nosimd; do \
	  name=$${m%%:*}; dir=target/$${m#*:}; \
	  wasm-bindgen --target web --out-dir $$dir/bindgen --out-name $$name $$dir/$(WASM_TARGET)/release/mmguard.wasm; \
	  cmp -s $$dir/bindgen/$$name.js $(DIST)/$$name.js || { echo "$$name.js differs between the SIMD and the baseline build"; exit 1; }; \
	  cp $$dir/bindgen/$${name}_bg.wasm $(DIST)/$${name}_nosimd_bg.wasm; \
	done

# The engine module (tract, for the image detectors), loaded by the package
# only when one is used: its own target directory, so the two builds do not
# undo each other, and optimized for size (ENGINE_OPT, see README "Measured").
ENGINE_OPT ?= s
wasm-engine: setup-rust
	CARGO_PROFILE_RELEASE_OPT_LEVEL=$(ENGINE_OPT) cargo build --lib --release --target $(WASM_TARGET) \
	  --no-default-features --features engine-module,wasm-simd --target-dir target/engine
	wasm-bindgen --target web --out-dir $(DIST) --out-name mmguard_engine target/engine/$(WASM_TARGET)/release/mmguard.wasm

# RUSTFLAGS in the environment would replace .cargo/config.toml's +simd128.
check-simd: wasm
	@n=$$(wasm2wat --enable-all $(DIST)/mmguard_bg.wasm | grep -cE '\b(v128|i8x16|i16x8|i32x4|i64x2)\.' || true); \
	  echo "SIMD instructions in $(DIST)/mmguard_bg.wasm: $$n"; [ "$$n" -gt 0 ]
	@for f in $(DIST)/mmguard_nosimd_bg.wasm $(DIST)/mmguard_engine_nosimd_bg.wasm; do \
	  n=$$(wasm2wat --enable-all $$f | grep -cE '\bv128\b|\b(i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\.' || true); \
	  echo "SIMD instructions in $$f: $$n"; [ "$$n" -eq 0 ]; done

size: wasm
	@for f in $(DIST)/mmguard_bg.wasm $(DIST)/mmguard_nosimd_bg.wasm $(DIST)/mmguard_engine_bg.wasm \
	  $(DIST)/mmguard_engine_nosimd_bg.wasm pkg/models/*.onnx; do \
	  printf '%s: %s bytes raw, %s gzip -9, %s brotli\n' $$f \
	    $$(wc -c < $$f) $$(gzip -9 -c $$f | wc -c) $$(brotli -c $$f | wc -c); done

demo: setup wasm
	@echo "demo: http://127.0.0.1:8080/www/"
	node tools/serve.mjs . 8080

## --- test ------------------------------------------------------------------
test: setup fmt clippy test-native check-simd size test-wasm test-js test-types test-browser test-workerd fuzz
	@echo "make test: all steps passed"

fmt:
	cargo fmt --check

clippy: setup-rust
	cargo clippy --all-targets --features ort -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --no-default-features --features wasm-simd -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --no-default-features --features engine-module,wasm-simd -- -D warnings

test-native: setup-ort
	$(COUNTED) cargo -- cargo test --features ort

# ONNX Runtime for the `ort` engine's tests: the library from the PyPI wheel
# (nothing else is downloaded), under target/onnxruntime/.
ORT_VERSION := 1.31.1
ORT_DIR := target/onnxruntime
setup-ort:
	@[ -f $(ORT_DIR)/libonnxruntime.so.$(ORT_VERSION) ] || { \
	  python3 -m pip --version >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-pip >/dev/null; \
	  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 \
	    onnxruntime==$(ORT_VERSION) -d $(ORT_DIR)/wheel && \
	  python3 -m zipfile -e $(ORT_DIR)/wheel/onnxruntime-$(ORT_VERSION)-*.whl $(ORT_DIR)/unpacked && \
	  cp $(ORT_DIR)/unpacked/onnxruntime/capi/libonnxruntime.so.$(ORT_VERSION) $(ORT_DIR)/ && \
	  rm -rf $(ORT_DIR)/unpacked; }

# Unit tests compiled to wasm32 and run in Node by wasm-bindgen-test-runner.
test-wasm: setup-rust
	$(COUNTED) cargo -- cargo test --lib --target $(WASM_TARGET) --no-default-features --features wasm-simd

test-js: wasm setup-npm
	$(COUNTED) node -- node --test pkg/test/

test-types: setup-npm
	tsc -p pkg/tsconfig.json

test-browser: wasm setup-npm setup-apt
	$(COUNTED) node -- node --test tests/browser/

# The package's "workerd" entry point in a local workerd (npm `workerd`),
# and the edge gateway example (examples/edge-gateway/) in front of a stub upstream.
test-workerd: wasm setup-npm
	$(COUNTED) node -- node --test tests/workerd/
	$(COUNTED) node -- node --test examples/edge-gateway/test/

# A short time-boxed run of every fuzz target from its seeds (new corpus entries go
# to a temporary folder, not into the repository); FUZZ_SECONDS to go longer.
FUZZ_SECONDS ?= 30
SHARED_DATA ?= ../shared/data
fuzz: setup-fuzz
	@for t in text policy_json image audio model; do \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  corpus=$$(mktemp -d); \
	  extra=""; \
	  if [ $$t = image ]; then \
	    for f in png jpeg gif; do \
	      d=$(SHARED_DATA)/go-fuzz-corpus-images/$$f/corpus; if [ -d $$d ]; then extra="$$extra $$d"; fi; \
	    done; \
	  fi; \
	  RUSTC_BOOTSTRAP=1 cargo fuzz run $$t $$corpus fuzz/seeds/$$t $$extra -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 2>&1 | tail -n 3; \
	  rm -rf $$corpus; \
	done

# Without the default features: the command-line tool (feature cli) would be
# built beside the bench, its lib with panic=abort and the bench's with
# unwind, into the same file names.
bench:
	cargo bench --bench text --no-default-features

bench-browser: wasm setup-npm setup-apt
	node benches/browser/run.mjs

# The image bench's photo comes from Debian's mate-backgrounds (GPL-2+ artwork,
# not copied into the repository).
PHOTO ?= /usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg
bench-browser-image: wasm setup-npm setup-apt
	@[ -f $(PHOTO) ] || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq mate-backgrounds >/dev/null
	MMGUARD_BENCH_PHOTO=$(PHOTO) node benches/browser/image.mjs

# GuardWorker against Guard on the main thread: time per 12 MP photo, the
# page's longest frame gap meanwhile, pool throughput, text round trips.
bench-browser-worker: wasm setup-npm setup-apt
	@[ -f $(PHOTO) ] || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq mate-backgrounds >/dev/null
	MMGUARD_BENCH_PHOTO=$(PHOTO) node benches/browser/worker.mjs

bench-browser-audio: wasm setup-npm setup-apt
	node benches/browser/audio.mjs

bench-browser-detect: wasm setup-npm setup-apt
	node benches/browser/detect.mjs

## --- detectors: training and evaluation (not part of `make test`) ------------
TRAIN_VENV := training/.venv

setup-train:
	@if [ ! -x $(TRAIN_VENV)/bin/python ] || [ training/requirements.txt -nt $(TRAIN_VENV)/.installed ]; then \
	  python3 -m venv $(TRAIN_VENV) && $(TRAIN_VENV)/bin/pip install -q -r training/requirements.txt && touch $(TRAIN_VENV)/.installed; \
	fi

# Recreates every model from the shared data (fixed seeds; about 30 s for text).
# The text model's calibration reads the guard's heuristic scores through the
# command-line tool (training/text/heuristics.py), so it is built first.
models: setup-train
	cargo build --bin mmguard
	$(TRAIN_VENV)/bin/python training/text/train.py
	@# the image detectors read pictures and fonts from Debian packages
	@p="mate-backgrounds plasma-workspace-wallpapers lomiri-wallpapers ukui-wallpapers fonts-dejavu-core fonts-dejavu-extra fonts-liberation"; dpkg -s $$p >/dev/null 2>&1 || { $(SUDO) apt-get update -qq; DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$p >/dev/null; }
	nice -n 19 $(TRAIN_VENV)/bin/python training/image/train.py
	nice -n 19 $(TRAIN_VENV)/bin/python training/audio/train.py

# Scores each committed model on its held-out split; fails when a model, its
# data or its metrics no longer match what training recorded.
eval-models: setup-train
	cargo build --bin mmguard
	$(TRAIN_VENV)/bin/python training/text/evaluate.py
	@# the image detectors read pictures and fonts from Debian packages
	@p="mate-backgrounds plasma-workspace-wallpapers lomiri-wallpapers ukui-wallpapers fonts-dejavu-core fonts-dejavu-extra fonts-liberation"; dpkg -s $$p >/dev/null 2>&1 || { $(SUDO) apt-get update -qq; DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$p >/dev/null; }
	nice -n 19 $(TRAIN_VENV)/bin/python training/image/evaluate.py
	nice -n 19 $(TRAIN_VENV)/bin/python training/audio/evaluate.py
	@echo "latency natively (criterion: guard.text on 5 texts of 1,000 characters, with and without the text detector):"
	cargo bench --bench text --no-default-features -- detector 2>&1 | grep -E '^detector|time:'
	@echo "latency natively (criterion: the image and audio detectors on tract, and on ONNX Runtime's CPU):"
	$(MAKE) --no-print-directory setup-ort
	MMGUARD_ONNXRUNTIME=$(CURDIR)/$(ORT_DIR)/libonnxruntime.so.$(ORT_VERSION) \
	  cargo bench --bench detect --no-default-features --features ort 2>&1 | grep -E '^detectors|time:'
	@echo "latency in headless Chromium:"
	$(MAKE) --no-print-directory bench-browser-detect
