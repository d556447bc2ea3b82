"""The ONNX files: written node by node from the torch weights, read back, run.

Owns both graphs (opset 17, IR version 8, producer mmguard-training, a
dynamic batch axis N) and their metadata. Only plain ops are used: Conv,
Clip, Abs, Relu, AveragePool, MaxPool, GlobalAveragePool, Flatten, Gemm,
Sigmoid.
"""

import numpy as np
import torch
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import nets
import preprocess

OPSET = 17
IR_VERSION = 8


def _t(name, a):
    return numpy_helper.from_array(np.ascontiguousarray(np.asarray(a, dtype=np.float32)), name)


def _w(layer):
    return layer.weight.detach().numpy(), layer.bias.detach().numpy()


def _save(path, nodes, inp, inits, name, doc, metadata):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(inp[0], TensorProto.FLOAT, ["N", *inp[1]])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["N", 1])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="mmguard-training", ir_version=IR_VERSION, doc_string=doc)
    helper.set_model_props(model, {k: str(v) for k, v in sorted(metadata.items())})
    onnx.checker.check_model(model, full_check=True)
    path.write_bytes(model.SerializeToString())


def write_adversarial(path, model, metadata):
    w1, b1 = _w(model.c1)
    w2, b2 = _w(model.c2)
    w3, b3 = _w(model.c3)
    wf, bf = _w(model.fc)
    inits = [
        _t("srm_w", model.srm.numpy()),
        _t("clip_min", np.float32(-nets.TRUNCATION)), _t("clip_max", np.float32(nets.TRUNCATION)),
        _t("c1_w", w1 / np.float32(nets.TRUNCATION)), _t("c1_b", b1),
        _t("c2_w", w2), _t("c2_b", b2), _t("c3_w", w3), _t("c3_b", b3), _t("fc_w", wf), _t("fc_b", bf),
    ]
    pool = dict(kernel_shape=[2, 2], strides=[2, 2])
    nodes = [
        helper.make_node("Conv", ["crops", "srm_w"], ["residual"], kernel_shape=[5, 5], name="srm"),
        helper.make_node("Clip", ["residual", "clip_min", "clip_max"], ["truncated"], name="truncate"),
        helper.make_node("Conv", ["truncated", "c1_w", "c1_b"], ["h1"], kernel_shape=[3, 3], name="c1"),
        helper.make_node("Abs", ["h1"], ["a1"], name="abs1"),
        helper.make_node("AveragePool", ["a1"], ["p1"], name="pool1", **pool),
        helper.make_node("Conv", ["p1", "c2_w", "c2_b"], ["h2"], kernel_shape=[3, 3], name="c2"),
        helper.make_node("Relu", ["h2"], ["a2"], name="relu2"),
        helper.make_node("AveragePool", ["a2"], ["p2"], name="pool2", **pool),
        helper.make_node("Conv", ["p2", "c3_w", "c3_b"], ["h3"], kernel_shape=[3, 3], name="c3"),
        helper.make_node("Relu", ["h3"], ["a3"], name="relu3"),
        helper.make_node("GlobalAveragePool", ["a3"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], axis=1, name="flatten"),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logit"], transB=1, name="fc"),
        helper.make_node("Sigmoid", ["logit"], ["score"], name="sigmoid"),
    ]
    _save(path, nodes, ("crops", [3, preprocess.S, preprocess.S]), inits, "image_adversarial",
          "mmguard adversarial-perturbation detector: per-crop score of a 64x64 RGB crop at native "
          "resolution. See models/image-adversarial.md for the crop rule and the aggregation.", metadata)


def write_typographic(path, model, metadata):
    inits, nodes = [], []
    x = "image"
    for i, layer in enumerate((model.c1, model.c2, model.c3, model.c4), 1):
        w, b = _w(layer)
        inits += [_t(f"c{i}_w", w), _t(f"c{i}_b", b)]
        nodes.append(helper.make_node("Conv", [x, f"c{i}_w", f"c{i}_b"], [f"h{i}"], kernel_shape=[3, 3],
                                      pads=[1, 1, 1, 1], name=f"c{i}"))
        nodes.append(helper.make_node("Relu", [f"h{i}"], [f"a{i}"], name=f"relu{i}"))
        x = f"a{i}"
        if i < 4:
            nodes.append(helper.make_node("MaxPool", [x], [f"p{i}"], kernel_shape=[2, 2], strides=[2, 2], name=f"pool{i}"))
            x = f"p{i}"
    wf, bf = _w(model.fc)
    inits += [_t("fc_w", wf), _t("fc_b", bf)]
    nodes += [
        helper.make_node("GlobalAveragePool", [x], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], axis=1, name="flatten"),
        helper.make_node("Gemm", ["f", "fc_w", "fc_b"], ["logit"], transB=1, name="fc"),
        helper.make_node("Sigmoid", ["logit"], ["score"], name="sigmoid"),
    ]
    _save(path, nodes, ("image", [1, preprocess.G, preprocess.G]), inits, "image_typographic",
          "mmguard typographic-image detector: score of a 64x64 box-averaged gray image. "
          "See models/image-typographic.md for the preprocessing.", metadata)


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
    name = sess.get_inputs()[0].name
    out = [sess.run(["score"], {name: np.ascontiguousarray(X[i:i + batch], dtype=np.float32)})[0][:, 0]
           for i in range(0, len(X), batch)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


def _init(path):
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(str(path)).graph.initializer}


def load_adversarial(path):
    """An AdvDetector holding the file's weights (1/T unfolded), for checking the runtime."""
    w = _init(path)
    m = nets.AdvDetector()
    with torch.no_grad():
        m.srm.copy_(w["srm_w"])
        m.c1.weight.copy_(w["c1_w"] * nets.TRUNCATION)
        for i in (1, 2, 3):
            getattr(m, f"c{i}").bias.copy_(w[f"c{i}_b"])
        m.c2.weight.copy_(w["c2_w"])
        m.c3.weight.copy_(w["c3_w"])
        m.fc.weight.copy_(w["fc_w"])
        m.fc.bias.copy_(w["fc_b"])
    return m.eval()


def load_typographic(path):
    w = _init(path)
    m = nets.TypoDetector()
    with torch.no_grad():
        for i in (1, 2, 3, 4):
            getattr(m, f"c{i}").weight.copy_(w[f"c{i}_w"])
            getattr(m, f"c{i}").bias.copy_(w[f"c{i}_b"])
        m.fc.weight.copy_(w["fc_w"])
        m.fc.bias.copy_(w["fc_b"])
    return m.eval()
