"""The ONNX file: written node by node from the torch weights, read back, run.

Owns the graph (opset 17, IR version 8, producer mmguard-training, a
dynamic batch axis N) and its metadata. Plain ops only: Add, Mul, Conv,
Relu, MaxPool, AveragePool, Flatten, Gemm, Sigmoid.
"""

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper

import features
import nets

OPSET = 17
IR_VERSION = 8


def _t(name, a):
    return numpy_helper.from_array(np.ascontiguousarray(np.asarray(a, dtype=np.float32)), name)


def _w(layer):
    return layer.weight.detach().numpy(), layer.bias.detach().numpy()


def write(path, model, metadata):
    inits = [_t("in_shift", np.float32(nets.IN_SHIFT)), _t("in_scale", np.float32(nets.IN_SCALE))]
    for i in (1, 2, 3):
        w, b = _w(getattr(model, f"c{i}"))
        inits += [_t(f"c{i}_w", w), _t(f"c{i}_b", b)]
    wf, bf = _w(model.fc)
    inits += [_t("fc_w", wf), _t("fc_b", bf)]
    frames_after = features.FRAMES // 4  # 98 -> 49 -> 24
    conv = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    pool = dict(kernel_shape=[2, 2], strides=[2, 2])
    nodes = [
        helper.make_node("Add", ["features", "in_shift"], ["shifted"], name="shift"),
        helper.make_node("Mul", ["shifted", "in_scale"], ["scaled"], name="scale"),
        helper.make_node("Conv", ["scaled", "c1_w", "c1_b"], ["h1"], name="c1", **conv),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("MaxPool", ["a1"], ["p1"], name="pool1", **pool),
        helper.make_node("Conv", ["p1", "c2_w", "c2_b"], ["h2"], name="c2", **conv),
        helper.make_node("Relu", ["h2"], ["a2"], name="relu2"),
        helper.make_node("MaxPool", ["a2"], ["p2"], name="pool2", **pool),
        helper.make_node("Conv", ["p2", "c3_w", "c3_b"], ["h3"], name="c3", **conv),
        helper.make_node("Relu", ["h3"], ["a3"], name="relu3"),
        helper.make_node("AveragePool", ["a3"], ["t"], kernel_shape=[1, frames_after], strides=[1, frames_after],
                         name="time_mean"),
        helper.make_node("Flatten", ["t"], ["f"], axis=1, name="flatten"),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logit"], transB=1, name="fc"),
        helper.make_node("Sigmoid", ["logit"], ["score"], name="sigmoid"),
    ]
    graph = helper.make_graph(
        nodes, "audio_adversarial",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 1, features.MELS, features.FRAMES])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])],
        initializer=inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="mmguard-training",
                          ir_version=IR_VERSION,
                          doc_string="mmguard audio adversarial-perturbation detector: per-window score of the "
                                     "log-mel features of 1 s of 16 kHz audio. See models/audio-adversarial.md "
                                     "for the feature rule and the aggregation (max over windows).")
    helper.set_model_props(m, {k: str(v) for k, v in sorted(metadata.items())})
    onnx.checker.check_model(m, full_check=True)
    path.write_bytes(m.SerializeToString())


def metadata(path):
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}


def ops(path):
    return sorted({n.op_type for n in onnx.load(str(path)).graph.node})


def session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def run(sess, X, batch=512):
    out = [sess.run(["score"], {"features": np.ascontiguousarray(X[i:i + batch], dtype=np.float32)})[0][:, 0]
           for i in range(0, len(X), batch)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def load(path):
    """A Detector holding the file's weights, for checking the runtime."""
    w = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(str(path)).graph.initializer}
    if float(w["in_shift"]) != nets.IN_SHIFT or float(w["in_scale"]) != nets.IN_SCALE:
        raise SystemExit("input scaling in the file differs from nets.py")
    m = nets.Detector()
    with torch.no_grad():
        for i in (1, 2, 3):
            getattr(m, f"c{i}").weight.copy_(w[f"c{i}_w"])
            getattr(m, f"c{i}").bias.copy_(w[f"c{i}_b"])
        m.fc.weight.copy_(w["fc_w"])
        m.fc.bias.copy_(w["fc_b"])
    return m.eval()
