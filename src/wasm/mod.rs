//! JavaScript bindings (wasm32 only): the one module that names wasm-bindgen
//! types. It converts JS values to the core's plain Rust types and back and adds
//! nothing else; the npm package in `pkg/` wraps these exports in `Guard`.
//!
//! Errors cross as a JS `Error` with a string `code` property (the core's stable
//! code), which the JS wrapper turns into `MmguardError`.

use js_sys::{Error as JsError, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{Guard, Policy, Report};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** See pkg/index.d.ts for the full Policy and Report types. */
export type PolicyObject = object;
"#;

fn js_error(code: &str, message: &str) -> JsValue {
    let err = JsError::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

fn core_error(e: crate::Error) -> JsValue {
    js_error(e.code(), e.message())
}

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
    let policy: Policy = serde_wasm_bindgen::from_value(policy)
        .map_err(|e| js_error("policy.json", &format!("invalid policy: {e}")))?;
    policy.validate().map_err(core_error)?;
    Ok(policy)
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

    /// Sanitizes text: `{ text: string | null, report }`.
    pub fn text(&self, input: JsValue) -> Result<JsValue, JsValue> {
        let Some(input) = input.as_string() else {
            return Err(js_error("input.type", "guard.text expects a string"));
        };
        let result = self.guard.text(&input).map_err(core_error)?;
        text_result(result.output, &result.report)
    }

    /// The effective policy with every default filled in.
    pub fn policy(&self) -> Result<JsValue, JsValue> {
        to_js(self.guard.policy())
    }
}

fn text_result(output: Option<String>, report: &Report) -> Result<JsValue, JsValue> {
    let obj = Object::new();
    let text = output.map_or(JsValue::NULL, |s| JsValue::from_str(&s));
    Reflect::set(&obj, &JsValue::from_str("text"), &text)?;
    Reflect::set(&obj, &JsValue::from_str("report"), &to_js(report)?)?;
    Ok(obj.into())
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
