//! JavaScript bindings (wasm32 only): the one module that names wasm-bindgen
//! types. It converts JS values to the core's plain Rust types and back and adds
//! nothing else.
//!
//! The crate builds two wasm modules: the sanitizers (`guard`, the default)
//! and, with the `engine-module` feature, the inference engine alone
//! (`engine`), which the npm package loads only when an image detector is
//! used. Each build exports one set of bindings.
//!
//! Errors cross as a JS `Error` with a string `code` property (the core's stable
//! code), which the JS wrapper turns into `MmguardError`.

use js_sys::{Error as JsError, Reflect};
use wasm_bindgen::JsValue;

#[cfg(feature = "engine-module")]
mod engine;
#[cfg(not(feature = "engine-module"))]
mod guard;

fn js_error(code: &str, message: &str) -> JsValue {
    let err = JsError::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

fn core_error(e: crate::Error) -> JsValue {
    js_error(e.code(), e.message())
}
