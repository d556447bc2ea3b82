//! Just enough of the ONNX format (protocol buffers) to read a model's
//! graph: its nodes' operators and its float32 initializers. Every length
//! and offset is checked against the bytes; nothing is trusted.

use crate::error::{Error, Result};

fn malformed(what: &str) -> Error {
    Error::model(
        "model.malformed",
        format!("the model is not valid ONNX: {what}"),
    )
}

/// A protocol-buffer field: its number and its value.
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    /// Fixed 32- and 64-bit values, skipped.
    Fixed,
}

/// The fields of one message, in order.
struct Fields<'a> {
    rest: &'a [u8],
}

fn varint(b: &mut &[u8]) -> Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = b
            .split_first()
            .ok_or_else(|| malformed("a number is cut short"))?;
        *b = rest;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(malformed("a number is too long"))
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Value<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        Some(self.field())
    }
}

impl<'a> Fields<'a> {
    fn new(message: &'a [u8]) -> Self {
        Fields { rest: message }
    }

    fn field(&mut self) -> Result<(u64, Value<'a>)> {
        let key = varint(&mut self.rest)?;
        let value = match key & 7 {
            0 => Value::Varint(varint(&mut self.rest)?),
            2 => {
                let len = usize::try_from(varint(&mut self.rest)?).unwrap_or(usize::MAX);
                if len > self.rest.len() {
                    self.rest = &[];
                    return Err(malformed("a field is longer than the file"));
                }
                let (bytes, rest) = self.rest.split_at(len);
                self.rest = rest;
                Value::Bytes(bytes)
            }
            wire @ (1 | 5) => {
                let n = if wire == 1 { 8 } else { 4 };
                self.rest = self
                    .rest
                    .get(n..)
                    .ok_or_else(|| malformed("a field is cut short"))?;
                Value::Fixed
            }
            _ => {
                self.rest = &[];
                return Err(malformed("an unknown field type"));
            }
        };
        Ok((key >> 3, value))
    }
}

/// A float32 tensor stored in the model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tensor {
    pub(crate) name: String,
    pub(crate) dims: Vec<u64>,
    pub(crate) values: Vec<f32>,
}

/// The graph's node operators, in order, its float32 initializers, and the
/// model's metadata (key, value) pairs.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Graph {
    pub(crate) operators: Vec<String>,
    pub(crate) initializers: Vec<Tensor>,
    pub(crate) metadata: Vec<(String, String)>,
}

impl Graph {
    /// The metadata value under `key`.
    pub(crate) fn meta(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The metadata value under `key` as a finite number; `Ok(None)` when
    /// there is none, `unsupported`'s error when it is not a number.
    pub(crate) fn number(
        &self,
        key: &str,
        unsupported: impl Fn(String) -> Error,
    ) -> Result<Option<f64>> {
        self.meta(key)
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| unsupported(format!("its {key} is {v:?}, not a number")))
            })
            .transpose()
    }

    /// [`Graph::number`], which the model must have.
    pub(crate) fn required(&self, key: &str, unsupported: impl Fn(String) -> Error) -> Result<f64> {
        self.number(key, &unsupported)?
            .ok_or_else(|| unsupported(format!("its metadata has no {key}")))
    }
}

/// Field numbers (onnx.proto): ModelProto.graph and .metadata_props,
/// StringStringEntryProto.key and .value, GraphProto.node and
/// .initializer, NodeProto.op_type, TensorProto.dims, .data_type, .name,
/// .float_data and .raw_data.
const MODEL_GRAPH: u64 = 7;
const MODEL_METADATA: u64 = 14;
const ENTRY_KEY: u64 = 1;
const ENTRY_VALUE: u64 = 2;
const GRAPH_NODE: u64 = 1;
const GRAPH_INITIALIZER: u64 = 5;
const NODE_OP_TYPE: u64 = 4;
const TENSOR_DIMS: u64 = 1;
const TENSOR_DATA_TYPE: u64 = 2;
const TENSOR_FLOAT_DATA: u64 = 4;
const TENSOR_NAME: u64 = 8;
const TENSOR_RAW_DATA: u64 = 9;
/// TensorProto.DataType FLOAT and FLOAT16.
const FLOAT: u64 = 1;
const FLOAT16: u64 = 10;
/// TensorProto.int32_data, where float16 values may be stored one per number.
const TENSOR_INT32_DATA: u64 = 5;

/// Reads the graph of an ONNX model.
///
/// # Errors
/// `model.malformed` for bytes that are not a well-formed model with a graph.
pub(crate) fn read(model: &[u8]) -> Result<Graph> {
    let mut graph = None;
    let mut metadata = Vec::new();
    for field in Fields::new(model) {
        match field? {
            (MODEL_GRAPH, Value::Bytes(g)) => graph = Some(g),
            (MODEL_METADATA, Value::Bytes(entry)) => {
                let (mut key, mut value) = (String::new(), String::new());
                for f in Fields::new(entry) {
                    match f? {
                        (ENTRY_KEY, Value::Bytes(k)) => {
                            key = String::from_utf8_lossy(k).into_owned()
                        }
                        (ENTRY_VALUE, Value::Bytes(v)) => {
                            value = String::from_utf8_lossy(v).into_owned();
                        }
                        _ => {}
                    }
                }
                metadata.push((key, value));
            }
            _ => {}
        }
    }
    let g = graph.ok_or_else(|| malformed("it has no graph"))?;
    let mut out = Graph {
        metadata,
        ..Graph::default()
    };
    for field in Fields::new(g) {
        match field? {
            (GRAPH_NODE, Value::Bytes(node)) => {
                for f in Fields::new(node) {
                    if let (NODE_OP_TYPE, Value::Bytes(op)) = f? {
                        out.operators.push(String::from_utf8_lossy(op).into_owned());
                    }
                }
            }
            (GRAPH_INITIALIZER, Value::Bytes(t)) => out.initializers.push(tensor(t)?),
            _ => {}
        }
    }
    Ok(out)
}

fn tensor(t: &[u8]) -> Result<Tensor> {
    let (mut name, mut dims, mut kind) = (String::new(), Vec::new(), 0);
    let (mut raw_values, mut halves): (Option<&[u8]>, Vec<u16>) = (None, Vec::new());
    for field in Fields::new(t) {
        match field? {
            (TENSOR_DIMS, Value::Varint(d)) => dims.push(d),
            // Packed repeated dimensions.
            (TENSOR_DIMS, Value::Bytes(mut packed)) => {
                while !packed.is_empty() {
                    dims.push(varint(&mut packed)?);
                }
            }
            (TENSOR_DATA_TYPE, Value::Varint(k)) => kind = k,
            (TENSOR_NAME, Value::Bytes(n)) => name = String::from_utf8_lossy(n).into_owned(),
            (TENSOR_RAW_DATA | TENSOR_FLOAT_DATA, Value::Bytes(raw)) => raw_values = Some(raw),
            (TENSOR_INT32_DATA, Value::Bytes(mut packed)) => {
                while !packed.is_empty() {
                    halves.push(varint(&mut packed)? as u16);
                }
            }
            _ => {}
        }
    }
    // Float16 (half the size; the text model's weights) is widened here.
    let values = match (kind, raw_values) {
        (FLOAT, Some(raw)) => raw
            .chunks_exact(4)
            .filter_map(|b| b.try_into().ok().map(f32::from_le_bytes))
            .collect(),
        (FLOAT16, Some(raw)) => raw
            .chunks_exact(2)
            .filter_map(|b| b.try_into().ok().map(|b| f16_to_f32(u16::from_le_bytes(b))))
            .collect(),
        (FLOAT16, None) => halves.into_iter().map(f16_to_f32).collect(),
        (FLOAT, None) => Vec::new(),
        _ => {
            return Err(Error::model(
                "model.unsupported",
                format!("the tensor {name:?} is not float32 or float16"),
            ))
        }
    };
    let count = dims.iter().try_fold(1u64, |n, &d| n.checked_mul(d));
    if count != Some(values.len() as u64) {
        return Err(malformed(&format!(
            "the tensor {name:?} has {} values for dimensions {dims:?}",
            values.len()
        )));
    }
    Ok(Tensor { name, dims, values })
}

/// An IEEE 754 half-precision number, widened exactly.
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exponent = u32::from((h >> 10) & 0x1F);
    let mantissa = u32::from(h & 0x3FF);
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        // Subnormal: mantissa × 2^-24.
        (0, m) => {
            let v = m as f32 * f32::powi(2.0, -24);
            return if sign == 0 { v } else { -v };
        }
        (0x1F, m) => sign | 0x7F80_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn halves_widen_exactly() {
        for (h, f) in [
            (0x0000, 0.0),
            (0x3C00, 1.0),
            (0xC000, -2.0),
            (0x3555, 0.333_251_95),
            (0x7BFF, 65504.0),
            (0x0001, 5.960_464_5e-8),
            (0x8001, -5.960_464_5e-8),
            (0x03FF, 1023.0 / 16_777_216.0),
        ] {
            assert_eq!(f16_to_f32(h), f, "{h:#06x}");
        }
        assert!(f16_to_f32(0x7C00).is_infinite() && f16_to_f32(0x7E00).is_nan());
    }

    #[test]
    fn broken_bytes_are_typed_errors() {
        for bad in [
            &b""[..],
            b"\x3a",
            b"\x3a\x05ab",
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
            b"\x3b",
        ] {
            let e = read(bad).unwrap_err();
            assert_eq!(e.code(), "model.malformed", "{bad:?}");
        }
    }
}
