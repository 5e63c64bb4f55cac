"""Turns trained digits-CNN weights into the FP32 and INT8 TOSA 1.0 graphs.

Everything here is a pure function of the saved float32 weights and calibration ranges (elementwise
float64 arithmetic, no reductions whose order could vary), so exporting from the same weights file
gives the same .tosa bytes on any machine.

INT8 scheme: pixels 0..16 enter as int8 with scale 1 and zero point 0 (exact); weights are
symmetric per output channel (zero point 0, range +-127); conv/matmul accumulate in int32 with an
int32 bias; RESCALE (32-bit multiplier, SINGLE_ROUND, per channel) brings each layer back to int8.
ReLU outputs use zero point -128 so their whole [0, max] range gets 256 levels; the class scores
are symmetric (zero point 0).
"""

import io
import zipfile

import numpy as np

import digits_cnn
import tosa_graph
import tosa_reference

INPUT_NAME = "images"
OUTPUT_NAME = "scores"
RELU_ZERO_POINT = -128
FLOAT32_MAX = float(np.finfo(np.float32).max)

WEIGHT_KEYS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias")
CALIBRATION_KEYS = ("relu1.max", "relu2.max", "logits.absmax")


def weights_from_params(params):
    """Maps the trainer's float64 parameters onto graph layouts (float32), raw-pixel units.

    Conv weights become TOSA's [OC, KH, KW, IC]; the trainer's 1/16 input scaling is folded into
    conv1 (a power of two, so the fold is exact).
    """
    w1 = params["w1"].reshape(3, 3, 1, digits_cnn.CONV1_CHANNELS).transpose(3, 0, 1, 2)
    w2 = params["w2"].reshape(3, 3, digits_cnn.CONV1_CHANNELS,
                              digits_cnn.CONV2_CHANNELS).transpose(3, 0, 1, 2)
    weights = {
        "conv1.weight": w1 / digits_cnn.PIXEL_MAX,
        "conv1.bias": params["b1"],
        "conv2.weight": w2,
        "conv2.bias": params["b2"],
        "fc.weight": params["w3"],
        "fc.bias": params["b3"],
    }
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}


def calibrate(weights, train_images):
    """Adds the activation ranges the INT8 graph needs, measured with the FP32 graph."""
    values = tosa_reference.run(build_fp32_graph(weights),
                                 {INPUT_NAME: train_images.astype(np.float32)})
    calibrated = dict(weights)
    calibrated["relu1.max"] = np.float32(values["relu1"].max())
    calibrated["relu2.max"] = np.float32(values["relu2"].max())
    calibrated["logits.absmax"] = np.float32(np.abs(values["fc.logits"]).max())
    return calibrated


def save_weights(path, weights):
    """Writes an .npz (loadable with np.load) whose bytes depend only on the arrays."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for key in WEIGHT_KEYS + CALIBRATION_KEYS:
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(weights[key], dtype=np.float32),
                                      allow_pickle=False)
            entry = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, buffer.getvalue())


def load_weights(path):
    with np.load(path, allow_pickle=False) as archive:
        missing = [k for k in WEIGHT_KEYS + CALIBRATION_KEYS if k not in archive.files]
        if missing:
            raise ValueError(f"{path}: missing arrays {missing}")
        return {k: archive[k].astype(np.float32) for k in WEIGHT_KEYS + CALIBRATION_KEYS}


def _conv_attr(acc_type):
    return {"pad": [1, 1, 1, 1], "stride": [1, 1], "dilation": [1, 1], "acc_type": acc_type}


POOL_ATTR = {"kernel": [2, 2], "stride": [2, 2], "pad": [0, 0, 0, 0], "nan_mode": "PROPAGATE"}


def _clamp_attr(low, high, dtype):
    return {
        "min_val": tosa_graph.clamp_value_bytes(low, dtype),
        "max_val": tosa_graph.clamp_value_bytes(high, dtype),
        "nan_mode": "PROPAGATE",
    }


def build_fp32_graph(weights):
    g = tosa_graph.TosaGraph()
    x = g.add_input(INPUT_NAME, [1, 8, 8, 1], "FP32")
    zero = np.zeros([1], np.float32)
    shapes = {"conv1": [1, 8, 8, 8], "conv2": [1, 4, 4, 16]}
    pooled = {"conv1": [1, 4, 4, 8], "conv2": [1, 2, 2, 16]}
    for layer, relu, pool in (("conv1", "relu1", "pool1"), ("conv2", "relu2", "pool2")):
        w = g.add_const(f"{layer}.weight", weights[f"{layer}.weight"], "FP32")
        b = g.add_const(f"{layer}.bias", weights[f"{layer}.bias"], "FP32")
        izp = g.add_const(f"{layer}.input_zp", zero, "FP32")
        wzp = g.add_const(f"{layer}.weight_zp", zero, "FP32")
        x = g.add_op("CONV2D", [x, w, b, izp, wzp], layer, shapes[layer], "FP32",
                     _conv_attr("FP32"))
        x = g.add_op("CLAMP", [x], relu, shapes[layer], "FP32",
                     _clamp_attr(0.0, FLOAT32_MAX, "FP32"))
        x = g.add_op("MAX_POOL2D", [x], pool, pooled[layer], "FP32", POOL_ATTR)
    flat_shape = g.add_const_shape("flatten.shape", [1, 1, 64])
    x = g.add_op("RESHAPE", [x, flat_shape], "flatten", [1, 1, 64], "FP32")
    w = g.add_const("fc.weight", weights["fc.weight"][None], "FP32")
    a_zp = g.add_const("fc.a_zp", zero, "FP32")
    b_zp = g.add_const("fc.b_zp", zero, "FP32")
    x = g.add_op("MATMUL", [x, w, a_zp, b_zp], "fc.matmul", [1, 1, 10], "FP32", {})
    b = g.add_const("fc.bias", weights["fc.bias"].reshape(1, 1, 10), "FP32")
    x = g.add_op("ADD", [x, b], "fc.logits", [1, 1, 10], "FP32")
    out_shape = g.add_const_shape("scores.shape", [1, 10])
    g.add_op("RESHAPE", [x, out_shape], OUTPUT_NAME, [1, 10], "FP32")
    g.mark_output(OUTPUT_NAME)
    return g


def _per_channel_symmetric(weights, channel_axis):
    """int8 weights with one scale per channel along `channel_axis` (zero point 0, +-127)."""
    w = weights.astype(np.float64)
    other_axes = tuple(a for a in range(w.ndim) if a != channel_axis)
    absmax = np.abs(w).max(axis=other_axes)
    scale = np.where(absmax > 0, absmax / 127.0, 1.0)
    shape = [1] * w.ndim
    shape[channel_axis] = -1
    q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
    return q, scale


def _rescale_params(scales):
    pairs = [tosa_reference.quantize_scale(s) for s in scales]
    return (np.array([m for m, _ in pairs], np.int32), np.array([s for _, s in pairs], np.int8))


def _add_rescale(g, name, x, shape, scales, output_zp):
    multiplier, shift = _rescale_params(scales)
    m = g.add_const(f"{name}.multiplier", multiplier, "INT32")
    s = g.add_const(f"{name}.shift", shift, "INT8")
    izp = g.add_const(f"{name}.input_zp", np.zeros([1], np.int32), "INT32")
    ozp = g.add_const(f"{name}.output_zp", np.array([output_zp], np.int8), "INT8")
    attr = {"scale32": True, "rounding_mode": "SINGLE_ROUND", "per_channel": True,
            "input_unsigned": False, "output_unsigned": False}
    return g.add_op("RESCALE", [x, m, s, izp, ozp], name, shape, "INT8", attr)


def int8_scales(weights):
    """The real-valued scale of each INT8 activation (input, relu1, relu2, logits)."""
    return {
        "input": 1.0,
        "relu1": float(weights["relu1.max"]) / 255.0,
        "relu2": float(weights["relu2.max"]) / 255.0,
        "logits": float(weights["logits.absmax"]) / 127.0,
    }


def build_int8_graph(weights):
    act = int8_scales(weights)
    g = tosa_graph.TosaGraph()
    x = g.add_input(INPUT_NAME, [1, 8, 8, 1], "INT8")
    shapes = {"conv1": [1, 8, 8, 8], "conv2": [1, 4, 4, 16]}
    pooled = {"conv1": [1, 4, 4, 8], "conv2": [1, 2, 2, 16]}
    input_scale, input_zp = act["input"], 0
    for layer, relu, pool in (("conv1", "relu1", "pool1"), ("conv2", "relu2", "pool2")):
        wq, w_scale = _per_channel_symmetric(weights[f"{layer}.weight"], channel_axis=0)
        acc_scale = input_scale * w_scale
        bias = np.round(weights[f"{layer}.bias"].astype(np.float64) / acc_scale)
        w = g.add_const(f"{layer}.weight", wq, "INT8")
        b = g.add_const(f"{layer}.bias", bias.astype(np.int32), "INT32")
        izp = g.add_const(f"{layer}.input_zp", np.array([input_zp], np.int8), "INT8")
        wzp = g.add_const(f"{layer}.weight_zp", np.zeros([1], np.int8), "INT8")
        x = g.add_op("CONV2D", [x, w, b, izp, wzp], f"{layer}.acc", shapes[layer], "INT32",
                     _conv_attr("INT32"))
        x = _add_rescale(g, f"{layer}.rescale", x, shapes[layer], acc_scale / act[relu],
                         RELU_ZERO_POINT)
        # ReLU: real 0 is RELU_ZERO_POINT, so clamping there keeps the negative side at zero.
        x = g.add_op("CLAMP", [x], relu, shapes[layer], "INT8",
                     _clamp_attr(RELU_ZERO_POINT, 127, "INT8"))
        x = g.add_op("MAX_POOL2D", [x], pool, pooled[layer], "INT8", POOL_ATTR)
        input_scale, input_zp = act[relu], RELU_ZERO_POINT
    flat_shape = g.add_const_shape("flatten.shape", [1, 1, 64])
    x = g.add_op("RESHAPE", [x, flat_shape], "flatten", [1, 1, 64], "INT8")
    wq, w_scale = _per_channel_symmetric(weights["fc.weight"], channel_axis=1)
    acc_scale = input_scale * w_scale
    w = g.add_const("fc.weight", wq[None], "INT8")
    a_zp = g.add_const("fc.a_zp", np.array([input_zp], np.int8), "INT8")
    b_zp = g.add_const("fc.b_zp", np.zeros([1], np.int8), "INT8")
    x = g.add_op("MATMUL", [x, w, a_zp, b_zp], "fc.acc", [1, 1, 10], "INT32", {})
    bias = np.round(weights["fc.bias"].astype(np.float64) / acc_scale).astype(np.int32)
    b = g.add_const("fc.bias", bias.reshape(1, 1, 10), "INT32")
    x = g.add_op("ADD", [x, b], "fc.acc_bias", [1, 1, 10], "INT32")
    x = _add_rescale(g, "fc.logits", x, [1, 1, 10], acc_scale / act["logits"], 0)
    out_shape = g.add_const_shape("scores.shape", [1, 10])
    g.add_op("RESHAPE", [x, out_shape], OUTPUT_NAME, [1, 10], "INT8")
    g.mark_output(OUTPUT_NAME)
    return g


def model_config(name, data_type):
    """config.pbtxt (Triton's protobuf text format) for one of the digits models."""
    return f"""name: "{name}"
backend: "tosa_cpu"
max_batch_size: 64
input [
  {{
    name: "{INPUT_NAME}"
    data_type: {data_type}
    dims: [ 8, 8, 1 ]
  }}
]
output [
  {{
    name: "{OUTPUT_NAME}"
    data_type: {data_type}
    dims: [ 10 ]
  }}
]
instance_group [
  {{
    count: 1
    kind: KIND_CPU
  }}
]
# Requests that queue while an instance is busy run together; none waits for company, so a lone
# request is not delayed (see docs/models.md).
dynamic_batching {{
  preferred_batch_size: [ 16, 32 ]
  max_queue_delay_microseconds: 0
}}
"""
