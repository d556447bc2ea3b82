"""The ONNX file: writing it by hand, reading it back, running it.

Owns the graph (features float32 [N, D] -> MatMul by W [D, 1] -> Add b [1] ->
Sigmoid -> score float32 [N, 1], opset 17, IR version 8 so that older
runtimes and pure-Rust engines load it) and the metadata stored with it.
W is stored as float16 and widened by a Cast node: half the download (the
model travels to browsers), and the scores move by less than 1e-3 (training
rounds the weights the same way before it measures anything; see
`round_weights`).
"""

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import features

OPSET = 17
IR_VERSION = 8
BATCH = 256  # rows per onnxruntime call: a dense row is D floats (1 MiB)


def round_weights(weights):
    """The weights as the file stores them: rounded to float16."""
    return np.asarray(weights).astype(np.float16).astype(np.float64)


def write(path, weights, bias, metadata):
    d = features.D
    w = numpy_helper.from_array(np.asarray(weights).astype(np.float16).reshape(d, 1), "W")
    b = numpy_helper.from_array(np.asarray([bias], dtype=np.float32), "b")
    nodes = [
        helper.make_node("Cast", ["W"], ["W_float"], to=TensorProto.FLOAT),
        helper.make_node("MatMul", ["features", "W_float"], ["logit_wx"]),
        helper.make_node("Add", ["logit_wx", "b"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["score"]),
    ]
    graph = helper.make_graph(
        nodes,
        "text_injection",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", d])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])],
        initializer=[w, b],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="mmguard-training",
        ir_version=IR_VERSION,
        doc_string="mmguard text prompt-injection detector: hashed byte n-grams, logistic regression. "
        "See models/text-injection.md for the feature specification.",
    )
    helper.set_model_props(model, {k: str(v) for k, v in sorted(metadata.items())})
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())


def read_params(path):
    """(W float32 [D], b float32, metadata dict) from the file's initializers."""
    model = onnx.load(str(path))
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    meta = {p.key: p.value for p in model.metadata_props}
    return init["W"].reshape(-1).astype(np.float32), np.float32(init["b"].reshape(-1)[0]), meta


def session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def run(sess, X):
    """Scores of the rows of a CSR matrix, in batches of dense rows."""
    out = np.empty(X.shape[0], dtype=np.float32)
    for i in range(0, X.shape[0], BATCH):
        dense = X[i : i + BATCH].toarray().astype(np.float32)
        out[i : i + BATCH] = sess.run(["score"], {"features": dense})[0][:, 0]
    return out


def recompute(W, b, X):
    """The same scores without the runtime: sigmoid(X W + b) in float64."""
    z = X.astype(np.float64) @ W.astype(np.float64) + float(b)
    return 1.0 / (1.0 + np.exp(-z))
