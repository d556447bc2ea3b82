//! The sanitizer module's bindings: `WasmGuard` and the detectors it can
//! hold. The npm package in `pkg/` wraps these exports in `Guard`.

use std::cell::RefCell;
use std::sync::Arc;

use js_sys::{Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{core_error, js_error};
use crate::detect::{Engine, ImageDetector};
use crate::{Guard, Policy};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** See pkg/index.d.ts for the full Policy and Report types. */
export type PolicyObject = object;
"#;

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error("internal.serialize", &e.to_string()))
}

fn policy_from_js(policy: JsValue) -> Result<Policy, JsValue> {
    if policy.is_undefined() || policy.is_null() {
        return Ok(Policy::default());
    }
    if !policy.is_object() {
        return Err(js_error("policy.json", "the policy must be an object"));
    }
    // Through JSON text rather than serde-wasm-bindgen's deserializer: that one
    // looks up known fields only, so it could not reject an unknown (misspelled)
    // key, and a typo must never silently switch a check off.
    let json = js_sys::JSON::stringify(&policy)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| js_error("policy.json", "the policy is not JSON-serializable"))?;
    Policy::from_json(&json).map_err(core_error)
}

/// A sanitized file and the properties that describe it (`mimeType`, ...).
type FileOutput<'a, const N: usize> = (Vec<u8>, [(&'a str, JsValue); N]);

/// `{ report, bytes, ...fields }` for a sanitized file, `{ report, bytes:
/// null }` when it was blocked.
fn file_result<const N: usize>(
    report: &crate::Report,
    output: Option<FileOutput<'_, N>>,
) -> Result<JsValue, JsValue> {
    let obj = Object::new();
    Reflect::set(&obj, &JsValue::from_str("report"), &to_js(report)?)?;
    match output {
        Some((bytes, fields)) => {
            let data = js_sys::Uint8Array::from(bytes.as_slice());
            Reflect::set(&obj, &JsValue::from_str("bytes"), &data)?;
            for (key, value) in fields {
                Reflect::set(&obj, &JsValue::from_str(key), &value)?;
            }
        }
        None => {
            Reflect::set(&obj, &JsValue::from_str("bytes"), &JsValue::NULL)?;
        }
    }
    Ok(obj.into())
}

/// The text detector, read once from its model's bytes and shared by the
/// guards made with it.
#[wasm_bindgen]
pub struct WasmTextDetector {
    detector: std::sync::Arc<crate::detect::TextDetector>,
}

#[wasm_bindgen]
impl WasmTextDetector {
    /// Reads the model (`models/text-injection.onnx`).
    #[wasm_bindgen(constructor)]
    pub fn new(model: &[u8]) -> Result<WasmTextDetector, JsValue> {
        let detector = crate::detect::TextDetector::from_onnx(model).map_err(core_error)?;
        Ok(WasmTextDetector {
            detector: std::sync::Arc::new(detector),
        })
    }
}

thread_local! {
    /// The JavaScript functions that run image detectors' networks, by id:
    /// the core's engines must be `Send`, which a JS function is not, so an
    /// engine holds an id into this list (wasm has one thread).
    static RUNNERS: RefCell<Vec<Option<js_sys::Function>>> = const { RefCell::new(Vec::new()) };
}

/// An engine that calls a JavaScript function `(input: Float32Array, shape:
/// Uint32Array) => Float32Array`: the package's engine module (tract).
#[derive(Debug)]
struct JsEngine {
    id: usize,
}

impl Engine for JsEngine {
    fn name(&self) -> String {
        String::from("tract (wasm engine module)")
    }

    fn run(&self, input: &[f32], shape: &[usize]) -> crate::Result<Vec<f32>> {
        let failed = |why: String| {
            crate::Error::model("model.run", format!("the network could not run: {why}"))
        };
        let run = RUNNERS
            .with(|r| r.borrow().get(self.id).cloned().flatten())
            .ok_or_else(|| failed(String::from("its detector was freed")))?;
        let dims: Vec<u32> = shape.iter().map(|&d| d as u32).collect();
        let out = run
            .call2(
                &JsValue::NULL,
                &js_sys::Float32Array::from(input),
                &js_sys::Uint32Array::from(dims.as_slice()),
            )
            .map_err(|e| {
                failed(
                    e.dyn_ref::<js_sys::Error>()
                        .map_or_else(|| format!("{e:?}"), |e| String::from(e.message())),
                )
            })?;
        if !out.is_instance_of::<js_sys::Float32Array>() {
            return Err(failed(String::from(
                "the engine did not return a Float32Array",
            )));
        }
        Ok(js_sys::Float32Array::from(out).to_vec())
    }
}

/// An image detector whose network runs in JavaScript's hands (the engine
/// module); its preprocessing and threshold are read here from the model.
#[wasm_bindgen]
pub struct WasmImageDetector {
    detector: Arc<ImageDetector>,
}

#[wasm_bindgen]
impl WasmImageDetector {
    /// Reads `model`'s metadata; `run(input, shape)` runs its network.
    #[wasm_bindgen(constructor)]
    pub fn new(model: &[u8], run: js_sys::Function) -> Result<WasmImageDetector, JsValue> {
        let engine = Arc::new(JsEngine::register(run));
        // On an error the engine is dropped, and its function with it.
        let detector = ImageDetector::with_engine(model, engine).map_err(core_error)?;
        Ok(WasmImageDetector {
            detector: Arc::new(detector),
        })
    }

    /// `adversarial` or `typographic`.
    pub fn kind(&self) -> String {
        String::from(match self.detector.kind() {
            crate::detect::ImageDetectorKind::Adversarial => "adversarial",
            crate::detect::ImageDetectorKind::Typographic => "typographic",
        })
    }
}

/// The audio detector, its network run like the image detectors'.
#[wasm_bindgen]
pub struct WasmAudioDetector {
    detector: Arc<crate::detect::AudioDetector>,
}

#[wasm_bindgen]
impl WasmAudioDetector {
    /// Reads `model`'s metadata; `run(input, shape)` runs its network.
    #[wasm_bindgen(constructor)]
    pub fn new(model: &[u8], run: js_sys::Function) -> Result<WasmAudioDetector, JsValue> {
        let engine = Arc::new(JsEngine::register(run));
        let detector =
            crate::detect::AudioDetector::with_engine(model, engine).map_err(core_error)?;
        Ok(WasmAudioDetector {
            detector: Arc::new(detector),
        })
    }
}

impl JsEngine {
    /// An engine calling `run`, kept in [`RUNNERS`] until the engine is dropped.
    fn register(run: js_sys::Function) -> JsEngine {
        // A slot a dropped engine left is reused.
        let id = RUNNERS.with(|r| {
            let mut r = r.borrow_mut();
            match r.iter().position(Option::is_none) {
                Some(free) => {
                    if let Some(slot) = r.get_mut(free) {
                        *slot = Some(run);
                    }
                    free
                }
                None => {
                    r.push(Some(run));
                    r.len() - 1
                }
            }
        });
        JsEngine { id }
    }
}

/// The function goes when the last guard holding its detector does.
impl Drop for JsEngine {
    fn drop(&mut self) {
        let _ = RUNNERS.try_with(|r| r.borrow_mut().get_mut(self.id).map(Option::take));
    }
}

/// A guard bound to one policy.
#[wasm_bindgen]
pub struct WasmGuard {
    guard: Guard,
}

#[wasm_bindgen]
impl WasmGuard {
    /// Creates a guard; `policy` may be partial, `undefined` means the default.
    #[wasm_bindgen(constructor)]
    pub fn new(policy: JsValue) -> Result<WasmGuard, JsValue> {
        let guard = Guard::new(policy_from_js(policy)?).map_err(core_error)?;
        Ok(WasmGuard { guard })
    }

    /// Images are from now on also scored by `detector`.
    #[wasm_bindgen(js_name = setImageDetector)]
    pub fn set_image_detector(&mut self, detector: &WasmImageDetector) {
        let kind = detector.detector.kind();
        self.guard = self
            .guard
            .clone()
            .with_image_detector(kind, Arc::clone(&detector.detector));
    }

    /// Recordings are from now on also scored by `detector`.
    #[wasm_bindgen(js_name = setAudioDetector)]
    pub fn set_audio_detector(&mut self, detector: &WasmAudioDetector) {
        self.guard = self
            .guard
            .clone()
            .with_audio_detector(Arc::clone(&detector.detector));
    }

    /// Texts are from now on also scored by `detector`.
    #[wasm_bindgen(js_name = setTextDetector)]
    pub fn set_text_detector(&mut self, detector: &WasmTextDetector) {
        self.guard = self
            .guard
            .clone()
            .with_text_detector(std::sync::Arc::clone(&detector.detector));
    }

    /// Sanitizes text: `{ report, text: string | null }`, or `{ report, splices,
    /// replacements }` where `splices` is a `Uint32Array` of triples `start, end,
    /// length`: UTF-16 ranges of the input, each replaced by the next `length`
    /// units of the `replacements` string. Rebuilding the output from the
    /// input the caller holds is much cheaper than decoding it whole.
    pub fn text(&self, input: JsValue) -> Result<JsValue, JsValue> {
        let Some(input) = input.as_string() else {
            return Err(js_error("input.type", "guard.text expects a string"));
        };
        let (result, splices) = self.guard.text_spliced(&input).map_err(core_error)?;
        let obj = Object::new();
        Reflect::set(&obj, &JsValue::from_str("report"), &to_js(&result.report)?)?;
        match (result.output, splices) {
            (Some(output), Some(splices)) => {
                let (numbers, replacements) = splices_to_js(&input, &output, &splices);
                Reflect::set(&obj, &JsValue::from_str("splices"), &numbers)?;
                Reflect::set(&obj, &JsValue::from_str("replacements"), &replacements)?;
            }
            (output, _) => {
                let text = output.map_or(JsValue::NULL, |s| JsValue::from_str(&s));
                Reflect::set(&obj, &JsValue::from_str("text"), &text)?;
            }
        }
        Ok(obj.into())
    }

    /// Sanitizes an image: `{ report, bytes: Uint8Array | null, mimeType,
    /// width, height }` (`bytes` null and the rest absent when blocked).
    /// `declared_type` is the MIME type or file name the caller was given.
    pub fn image(&self, bytes: &[u8], declared_type: Option<String>) -> Result<JsValue, JsValue> {
        let input = crate::ImageInput {
            declared_type: declared_type.as_deref(),
        };
        let result = self.guard.image(bytes, &input).map_err(core_error)?;
        let output = result.output.map(|out| {
            let fields = [
                ("mimeType", JsValue::from_str(out.format.mime_type())),
                ("width", JsValue::from(out.width)),
                ("height", JsValue::from(out.height)),
            ];
            (out.bytes, fields)
        });
        file_result(&result.report, output)
    }

    /// Sanitizes a recording: `{ report, bytes: Uint8Array | null, sampleRate,
    /// channels, duration }` (a WAV file; `bytes` null and the rest absent
    /// when blocked). `on_progress` is called with the share done (0..1);
    /// if it throws, it is not called again and the call fails with what it
    /// threw once the recording is done.
    pub fn audio(
        &self,
        bytes: &[u8],
        declared_type: Option<String>,
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let input = crate::AudioInput {
            declared_type: declared_type.as_deref(),
        };
        let mut thrown: Option<JsValue> = None;
        let mut progress = |done: f64| {
            if let (Some(f), None) = (&on_progress, &thrown) {
                if let Err(e) = f.call1(&JsValue::NULL, &JsValue::from(done)) {
                    thrown = Some(e);
                }
            }
        };
        let result = self
            .guard
            .audio_with_progress(bytes, &input, &mut progress)
            .map_err(core_error)?;
        if let Some(e) = thrown {
            return Err(e);
        }
        let output = result.output.map(|out| {
            let fields = [
                ("sampleRate", JsValue::from(out.sample_rate)),
                ("channels", JsValue::from(out.channels)),
                ("duration", JsValue::from(out.seconds)),
            ];
            (out.bytes, fields)
        });
        file_result(&result.report, output)
    }

    /// The effective policy with every default filled in.
    pub fn policy(&self) -> Result<JsValue, JsValue> {
        to_js(self.guard.policy())
    }
}

/// The splices as `start, end, length` triples (UTF-16 units) and all
/// replacements in one string: one string crosses to JavaScript, not one per
/// splice, each of which costs a decoder call.
fn splices_to_js(
    input: &str,
    output: &str,
    splices: &[crate::text::splice::Splice],
) -> (JsValue, JsValue) {
    let mut numbers: Vec<u32> = Vec::with_capacity(splices.len() * 3);
    let mut replacements = String::new();
    // UTF-16 offsets counted forward from one splice to the next.
    let (mut byte, mut unit) = (0usize, 0usize);
    for sp in splices {
        for to in [sp.input.0, sp.input.1] {
            unit += crate::text::utf8::utf16_len(input.as_bytes().get(byte..to).unwrap_or(&[]));
            byte = to;
            numbers.push(unit as u32);
        }
        let replacement = output.get(sp.output.0..sp.output.1).unwrap_or("");
        numbers.push(crate::text::utf8::utf16_len(replacement.as_bytes()) as u32);
        replacements.push_str(replacement);
    }
    (
        js_sys::Uint32Array::from(numbers.as_slice()).into(),
        JsValue::from_str(&replacements),
    )
}

/// The default policy as an object.
#[wasm_bindgen(js_name = defaultPolicy)]
pub fn default_policy() -> Result<JsValue, JsValue> {
    to_js(&Policy::default())
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    String::from(env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn policy(json: &str) -> JsValue {
        js_sys::JSON::parse(json).unwrap()
    }

    fn code_of(err: JsValue) -> String {
        Reflect::get(&err, &JsValue::from_str("code"))
            .unwrap()
            .as_string()
            .unwrap()
    }

    fn field(obj: &JsValue, name: &str) -> JsValue {
        Reflect::get(obj, &JsValue::from_str(name)).unwrap()
    }

    #[test]
    fn a_clean_text_needs_no_splices() {
        // The caller's own string is the output: nothing crosses back but the report.
        let g = WasmGuard::new(JsValue::UNDEFINED).unwrap();
        let r = g.text(JsValue::from_str("plain \u{1F600} text")).unwrap();
        assert_eq!(js_sys::Uint32Array::from(field(&r, "splices")).length(), 0);
        let verdict = field(&field(&r, "report"), "verdict");
        assert_eq!(verdict.as_string().as_deref(), Some("clean"));
    }

    #[test]
    fn a_modified_text_comes_back_as_splices_of_the_input() {
        let g = WasmGuard::new(JsValue::UNDEFINED).unwrap();
        let input = "a\u{202E}b \u{1F600}\u{200B}c key AKIAIOSFODNN7EXAMPLE";
        let r = g.text(JsValue::from_str(input)).unwrap();
        let verdict = field(&field(&r, "report"), "verdict");
        assert_eq!(verdict.as_string().as_deref(), Some("modified"));
        // Rebuilt as the JavaScript wrapper does, in UTF-16 units.
        let splices = js_sys::Uint32Array::from(field(&r, "splices")).to_vec();
        let replacements: Vec<u16> = field(&r, "replacements")
            .as_string()
            .unwrap()
            .encode_utf16()
            .collect();
        let units: Vec<u16> = input.encode_utf16().collect();
        let (mut out, mut at, mut taken) = (Vec::new(), 0, 0);
        for t in splices.chunks(3) {
            out.extend(&units[at..t[0] as usize]);
            out.extend(&replacements[taken..taken + t[2] as usize]);
            at = t[1] as usize;
            taken += t[2] as usize;
        }
        out.extend(&units[at..]);
        assert_eq!(
            String::from_utf16(&out).unwrap(),
            "ab \u{1F600}c key [REDACTED:aws_access_key]"
        );
    }

    #[test]
    fn blocked_text_is_null() {
        let g = WasmGuard::new(policy(r#"{"text":{"bidi":{"action":"block"}}}"#)).unwrap();
        let r = g.text(JsValue::from_str("a\u{202E}b")).unwrap();
        assert!(Reflect::get(&r, &JsValue::from_str("text"))
            .unwrap()
            .is_null());
    }

    #[test]
    fn errors_carry_stable_codes() {
        assert_eq!(
            code_of(WasmGuard::new(policy(r#"{"txt":{}}"#)).err().unwrap()),
            "policy.json"
        );
        assert_eq!(
            code_of(WasmGuard::new(JsValue::from_f64(3.0)).err().unwrap()),
            "policy.json"
        );
        assert_eq!(
            code_of(
                WasmGuard::new(policy(r#"{"text":{"injection":{"threshold":9}}}"#))
                    .err()
                    .unwrap()
            ),
            "policy.invalid"
        );
        let g = WasmGuard::new(policy(r#"{"limits":{"text":{"max_chars":2}}}"#)).unwrap();
        assert_eq!(
            code_of(g.text(JsValue::from_str("abc")).err().unwrap()),
            "limit.text_chars"
        );
        assert_eq!(
            code_of(g.text(JsValue::from_f64(1.0)).err().unwrap()),
            "input.type"
        );
    }
}
