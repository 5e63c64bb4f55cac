#!/usr/bin/python3
"""Writes MobileNetV2-shaped TOSA 1.0 graphs (1x224x224x3, seeded random weights) for benchmarks.

The op mix is the one ExecuTorch's Arm backend emits for a quantised MobileNetV2: CONV2D and
DEPTHWISE_CONV2D followed by RESCALE + CLAMP (ReLU6), residual ADDs between RESCALEs to INT32,
AVG_POOL2D, and a RESHAPE + MATMUL classifier head. The FP32 graph has the same layers and weights
without the quantisation steps. The weights are random (He-scaled, fixed seed), so the outputs mean
nothing; the graphs exist to time the CPU kernels on realistic shapes.

    /usr/bin/python3 tools/build_mobilenet.py --output-dir DIR [--schema engine/graph/tosa.fbs]

writes DIR/mobilenet_v2_int8.tosa and DIR/mobilenet_v2_fp32.tosa.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tosa_graph  # noqa: E402
import tosa_reference  # noqa: E402

INPUT_NAME = "images"
OUTPUT_NAME = "logits"
IMAGE = 224
CLASSES = 1000
# (expansion t, output channels c, repeats n, first stride s), as in the MobileNetV2 paper.
BOTTLENECKS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
               (6, 160, 3, 2), (6, 320, 1, 1)]
FLOAT32_MAX = float(np.finfo(np.float32).max)

# INT8 activation quantisation: ReLU6 outputs use all 256 levels of [0, 6]; linear (projection and
# residual) outputs are symmetric.
RELU6 = (6.0 / 255.0, -128)
LINEAR = (8.0 / 127.0, 0)
INPUT = (1.0 / 128.0, 0)
# Residual additions happen in INT32 with this many extra fraction bits.
ADD_SHIFT = 8


def layer_plan():
    """The network as a list of layer dicts, in execution order (shapes are NHWC)."""
    layers = [{"kind": "conv", "name": "stem", "k": 3, "stride": 2, "cin": 3, "cout": 32,
               "relu6": True}]
    channels = 32
    for block, (t, c, n, s) in enumerate(BOTTLENECKS):
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = channels * t
            name = f"block{block}_{i}"
            layers.append({"kind": "begin_residual", "name": name,
                           "residual": stride == 1 and channels == c})
            if t != 1:
                layers.append({"kind": "conv", "name": f"{name}.expand", "k": 1, "stride": 1,
                               "cin": channels, "cout": hidden, "relu6": True})
            layers.append({"kind": "depthwise", "name": f"{name}.dw", "stride": stride,
                           "channels": hidden})
            layers.append({"kind": "conv", "name": f"{name}.project", "k": 1, "stride": 1,
                           "cin": hidden, "cout": c, "relu6": False})
            layers.append({"kind": "end_residual", "name": name,
                           "residual": stride == 1 and channels == c})
            channels = c
    layers.append({"kind": "conv", "name": "head", "k": 1, "stride": 1, "cin": channels,
                   "cout": 1280, "relu6": True})
    return layers


def random_weights(seed):
    """Float weights for every layer, He-scaled so activations keep a sensible range."""
    rng = np.random.default_rng(seed)
    weights = {}
    for layer in layer_plan():
        if layer["kind"] == "conv":
            k, cin, cout = layer["k"], layer["cin"], layer["cout"]
            std = np.sqrt(2.0 / (k * k * cin))
            weights[layer["name"] + ".weight"] = rng.normal(0, std, (cout, k, k, cin))
            weights[layer["name"] + ".bias"] = rng.normal(0, 0.05, cout)
        elif layer["kind"] == "depthwise":
            ch = layer["channels"]
            weights[layer["name"] + ".weight"] = rng.normal(0, np.sqrt(2.0 / 9.0), (3, 3, ch, 1))
            weights[layer["name"] + ".bias"] = rng.normal(0, 0.05, ch)
    weights["fc.weight"] = rng.normal(0, np.sqrt(1.0 / 1280), (1280, CLASSES))
    weights["fc.bias"] = rng.normal(0, 0.05, CLASSES)
    return {k: v.astype(np.float32) for k, v in weights.items()}


def same_pads(size, k, stride):
    """TOSA pads (before, after) giving ceil(size / stride) outputs, as 'same' padding does."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return total // 2, total - total // 2, out


def clamp_attr(low, high, dtype):
    return {"min_val": tosa_graph.clamp_value_bytes(low, dtype),
            "max_val": tosa_graph.clamp_value_bytes(high, dtype), "nan_mode": "PROPAGATE"}


class Builder:
    """Shared walk over layer_plan(); subclasses emit FP32 or INT8 operators."""

    def __init__(self, weights):
        self.w = weights
        self.g = tosa_graph.TosaGraph()

    def build(self):
        x = self.input()
        shape = [1, IMAGE, IMAGE, 3]
        stack = []
        for layer in layer_plan():
            kind, name = layer["kind"], layer["name"]
            if kind == "begin_residual":
                stack.append((x, shape))
            elif kind == "end_residual":
                skip, skip_shape = stack.pop()
                if layer["residual"]:
                    x = self.add(name + ".add", skip, x, shape)
            elif kind in ("conv", "depthwise"):
                k = layer.get("k", 3)
                top, bottom, out_h = same_pads(shape[1], k, layer["stride"])
                left, right, out_w = same_pads(shape[2], k, layer["stride"])
                cout = layer["cout"] if kind == "conv" else layer["channels"]
                out_shape = [1, out_h, out_w, cout]
                attr = {"pad": [top, bottom, left, right], "stride": [layer["stride"]] * 2,
                        "dilation": [1, 1]}
                x = self.conv(kind, name, x, out_shape, attr, layer.get("relu6", True))
                shape = out_shape
        return self.head(x, shape)


class Fp32Builder(Builder):
    def input(self):
        self.zero = np.zeros([1], np.float32)
        return self.g.add_input(INPUT_NAME, [1, IMAGE, IMAGE, 3], "FP32")

    def conv(self, kind, name, x, out_shape, attr, relu6):
        g = self.g
        w = g.add_const(name + ".weight", self.w[name + ".weight"], "FP32")
        b = g.add_const(name + ".bias", self.w[name + ".bias"], "FP32")
        izp = g.add_const(name + ".input_zp", self.zero, "FP32")
        wzp = g.add_const(name + ".weight_zp", self.zero, "FP32")
        op = "CONV2D" if kind == "conv" else "DEPTHWISE_CONV2D"
        attr = dict(attr, acc_type="FP32")
        x = g.add_op(op, [x, w, b, izp, wzp], name, out_shape, "FP32", attr)
        if relu6:
            x = g.add_op("CLAMP", [x], name + ".relu6", out_shape, "FP32",
                         clamp_attr(0.0, 6.0, "FP32"))
        return x

    def add(self, name, a, b, shape):
        return self.g.add_op("ADD", [a, b], name, shape, "FP32")

    def head(self, x, shape):
        g = self.g
        izp = g.add_const("pool.input_zp", self.zero, "FP32")
        ozp = g.add_const("pool.output_zp", self.zero, "FP32")
        pooled = [1, 1, 1, shape[3]]
        x = g.add_op("AVG_POOL2D", [x, izp, ozp], "pool", pooled, "FP32",
                     {"kernel": shape[1:3], "stride": [1, 1], "pad": [0, 0, 0, 0],
                      "acc_type": "FP32"})
        x = g.add_op("RESHAPE", [x, g.add_const_shape("flatten.shape", [1, 1, shape[3]])],
                     "flatten", [1, 1, shape[3]], "FP32")
        w = g.add_const("fc.weight", self.w["fc.weight"][None], "FP32")
        x = g.add_op("MATMUL", [x, w, g.add_const("fc.a_zp", self.zero, "FP32"),
                                g.add_const("fc.b_zp", self.zero, "FP32")],
                     "fc.matmul", [1, 1, CLASSES], "FP32", {})
        b = g.add_const("fc.bias", self.w["fc.bias"].reshape(1, 1, CLASSES), "FP32")
        x = g.add_op("ADD", [x, b], "fc.logits", [1, 1, CLASSES], "FP32")
        g.add_op("RESHAPE", [x, g.add_const_shape("logits.shape", [1, CLASSES])], OUTPUT_NAME,
                 [1, CLASSES], "FP32")
        g.mark_output(OUTPUT_NAME)
        return g


def per_channel_symmetric(w, axis):
    other = tuple(a for a in range(w.ndim) if a != axis)
    absmax = np.abs(w.astype(np.float64)).max(axis=other)
    scale = np.where(absmax > 0, absmax / 127.0, 1.0)
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


class Int8Builder(Builder):
    def input(self):
        self.act = INPUT  # (scale, zero point) of the tensor being built on
        self.acts = {}
        x = self.g.add_input(INPUT_NAME, [1, IMAGE, IMAGE, 3], "INT8")
        self.acts[x] = INPUT
        return x

    def rescale(self, name, x, shape, scales, in_zp, in_type, out_zp, out_type):
        g = self.g
        scales = np.atleast_1d(np.asarray(scales, np.float64))
        pairs = [tosa_reference.quantize_scale(float(s)) for s in scales]
        m = g.add_const(name + ".multiplier", np.array([p[0] for p in pairs], np.int32), "INT32")
        s = g.add_const(name + ".shift", np.array([p[1] for p in pairs], np.int8), "INT8")
        izp = g.add_const(name + ".input_zp", np.array([in_zp]), in_type)
        ozp = g.add_const(name + ".output_zp", np.array([out_zp]), out_type)
        attr = {"scale32": True, "rounding_mode": "SINGLE_ROUND", "per_channel": len(pairs) > 1,
                "input_unsigned": False, "output_unsigned": False}
        return g.add_op("RESCALE", [x, m, s, izp, ozp], name, shape, out_type, attr)

    def conv(self, kind, name, x, out_shape, attr, relu6):
        g = self.g
        in_scale, in_zp = self.acts[x]
        wf = self.w[name + ".weight"]
        wq, w_scale = per_channel_symmetric(wf, 0 if kind == "conv" else 2)
        acc_scale = in_scale * w_scale
        bias = np.round(self.w[name + ".bias"].astype(np.float64) / acc_scale).astype(np.int32)
        w = g.add_const(name + ".weight", wq, "INT8")
        b = g.add_const(name + ".bias", bias, "INT32")
        izp = g.add_const(name + ".input_zp", np.array([in_zp], np.int8), "INT8")
        wzp = g.add_const(name + ".weight_zp", np.zeros([1], np.int8), "INT8")
        op = "CONV2D" if kind == "conv" else "DEPTHWISE_CONV2D"
        attr = dict(attr, acc_type="INT32")
        acc = g.add_op(op, [x, w, b, izp, wzp], name + ".acc", out_shape, "INT32", attr)
        out_scale, out_zp = RELU6 if relu6 else LINEAR
        x = self.rescale(name + ".rescale", acc, out_shape, acc_scale / out_scale, 0, "INT32",
                         out_zp, "INT8")
        if relu6:
            x = g.add_op("CLAMP", [x], name + ".relu6", out_shape, "INT8",
                         clamp_attr(out_zp, 127, "INT8"))
        self.acts[x] = (out_scale, out_zp)
        return x

    def add(self, name, a, b, shape):
        out_scale, out_zp = LINEAR
        wide = []
        for tag, x in (("lhs", a), ("rhs", b)):
            scale, zp = self.acts[x]
            wide.append(self.rescale(f"{name}.{tag}", x, shape, scale / out_scale * 2**ADD_SHIFT,
                                     zp, "INT8", 0, "INT32"))
        total = self.g.add_op("ADD", wide, name + ".sum", shape, "INT32")
        x = self.rescale(name, total, shape, 2.0**-ADD_SHIFT, 0, "INT32", out_zp, "INT8")
        self.acts[x] = (out_scale, out_zp)
        return x

    def head(self, x, shape):
        g = self.g
        scale, zp = self.acts[x]
        pooled = [1, 1, 1, shape[3]]
        x = g.add_op("AVG_POOL2D", [x, g.add_const("pool.input_zp", np.array([zp], np.int8), "INT8"),
                                    g.add_const("pool.output_zp", np.array([zp], np.int8), "INT8")],
                     "pool", pooled, "INT8",
                     {"kernel": shape[1:3], "stride": [1, 1], "pad": [0, 0, 0, 0],
                      "acc_type": "INT32"})
        x = g.add_op("RESHAPE", [x, g.add_const_shape("flatten.shape", [1, 1, shape[3]])],
                     "flatten", [1, 1, shape[3]], "INT8")
        wq, w_scale = per_channel_symmetric(self.w["fc.weight"], 1)
        acc_scale = scale * w_scale
        w = g.add_const("fc.weight", wq[None], "INT8")
        x = g.add_op("MATMUL", [x, w, g.add_const("fc.a_zp", np.array([zp], np.int8), "INT8"),
                                g.add_const("fc.b_zp", np.zeros([1], np.int8), "INT8")],
                     "fc.acc", [1, 1, CLASSES], "INT32", {})
        bias = np.round(self.w["fc.bias"].astype(np.float64) / acc_scale).astype(np.int32)
        b = g.add_const("fc.bias", bias.reshape(1, 1, CLASSES), "INT32")
        x = g.add_op("ADD", [x, b], "fc.acc_bias", [1, 1, CLASSES], "INT32")
        logit_scale = 16.0 / 127.0
        x = self.rescale("fc.logits", x, [1, 1, CLASSES], acc_scale / logit_scale, 0, "INT32", 0,
                         "INT8")
        g.add_op("RESHAPE", [x, g.add_const_shape("logits.shape", [1, CLASSES])], OUTPUT_NAME,
                 [1, CLASSES], "INT8")
        g.mark_output(OUTPUT_NAME)
        return g


def main():
    global BOTTLENECKS
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--schema", default=os.path.join(repo, "engine", "graph", "tosa.fbs"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--blocks", type=int, default=len(BOTTLENECKS),
                        help="keep only the first N bottleneck stages (smaller graphs for tests)")
    args = parser.parse_args()
    BOTTLENECKS = BOTTLENECKS[:args.blocks]
    os.makedirs(args.output_dir, exist_ok=True)
    weights = random_weights(args.seed)
    for tag, builder in (("fp32", Fp32Builder), ("int8", Int8Builder)):
        graph = builder(weights).build()
        path = os.path.join(args.output_dir, f"mobilenet_v2_{tag}.tosa")
        data = tosa_graph.serialize(graph, args.schema)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
        print(f"{path}: {len(graph.operators)} operators, {len(data)} bytes")


if __name__ == "__main__":
    main()
