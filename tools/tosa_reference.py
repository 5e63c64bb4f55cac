"""A numpy executor for the TOSA 1.0 operators the digits graphs use, after the spec's pseudo-code.

Integer graphs are executed exactly: int8 operands are widened to int64, accumulators are checked
to fit int32 (the spec's acc_type), RESCALE uses apply_scale_32 with its rounding, zero points and
saturation. The C++ CPU kernels implement the same pseudo-code, so their int8 results must equal
these bit for bit. Float graphs run in float32 (accumulation order may differ from C++ by ulps).

The graphs are written with batch 1; run() executes all items of a batch at once by treating the
leading dimension as the batch, which is what running the graph once per item gives.
"""

import numpy as np

import tosa_graph

INT_RANGES = {"INT8": (-128, 127), "INT16": (-32768, 32767), "INT32": (-(1 << 31), (1 << 31) - 1)}


def _scalar(tensor):
    """The single value of a one-element tensor (zero points are [1]-shaped inputs in TOSA 1.0)."""
    return np.asarray(tensor).reshape(-1)[0]


def _check_int32(values, what):
    lo, hi = INT_RANGES["INT32"]
    if values.size and (values.min() < lo or values.max() > hi):
        raise OverflowError(f"{what}: int32 accumulator overflow")
    return values


def apply_scale_32(value, multiplier, shift, double_round=False):
    """The spec's apply_scale_32, elementwise on int64 arrays (value must fit int32)."""
    value = np.asarray(value, dtype=np.int64)
    multiplier = np.broadcast_to(np.asarray(multiplier, dtype=np.int64), value.shape)
    shift = np.broadcast_to(np.asarray(shift, dtype=np.int64), value.shape)
    if np.any(multiplier < 0) or np.any(shift < 2) or np.any(shift > 62):
        raise ValueError("apply_scale_32: multiplier must be >= 0 and 2 <= shift <= 62")
    half = np.left_shift(np.int64(1), shift - 1)
    if np.any(value < -half) or np.any(value >= half):
        raise ValueError("apply_scale_32: value out of the range its shift allows")
    rounding = half.copy()
    if double_round:
        big = shift > 31
        rounding = rounding + np.where(big & (value >= 0), 1 << 30, 0)
        rounding = rounding - np.where(big & (value < 0), 1 << 30, 0)
    result = np.right_shift(value * multiplier + rounding, shift)
    _check_int32(result, "apply_scale_32 result")
    return result


def apply_scale_16(value, multiplier, shift):
    """The spec's apply_scale_16 (16-bit multiplier), elementwise on int64 arrays."""
    value = np.asarray(value, dtype=np.int64)
    multiplier = np.broadcast_to(np.asarray(multiplier, dtype=np.int64), value.shape)
    shift = np.broadcast_to(np.asarray(shift, dtype=np.int64), value.shape)
    if np.any(multiplier < 0) or np.any(shift < 2) or np.any(shift > 62):
        raise ValueError("apply_scale_16: multiplier must be >= 0 and 2 <= shift <= 62")
    result = np.right_shift(value * multiplier + np.left_shift(np.int64(1), shift - 1), shift)
    _check_int32(result, "apply_scale_16 result")
    return result


def quantize_scale(scale):
    """Splits a positive real scale into (multiplier, shift) with scale ~= multiplier * 2**-shift.

    The multiplier is a 31-bit fixed-point value in [2**30, 2**31), as apply_scale_32 expects.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale}")
    mantissa, exponent = np.frexp(np.float64(scale))  # scale = mantissa * 2**exponent
    multiplier = int(np.round(np.float64(mantissa) * 2.0**31))
    if multiplier == 1 << 31:
        multiplier >>= 1
        exponent += 1
    shift = 31 - int(exponent)
    if shift > 62:  # tiny scales: give up multiplier precision to keep shift in range
        multiplier >>= shift - 62
        shift = 62
    if shift < 2:
        raise ValueError(f"scale {scale} is too large for a 32-bit RESCALE")
    return multiplier, shift


def _conv2d(x, w, bias, input_zp, weight_zp, attr, out_dtype):
    pad_top, pad_bottom, pad_left, pad_right = attr["pad"]
    stride_y, stride_x = attr["stride"]
    dil_y, dil_x = attr["dilation"]
    oc, kh, kw, ic = w.shape
    n, ih, iw, _ = x.shape
    integer = out_dtype == "INT32"
    work = np.int64 if integer else np.float32
    # Subtracting the zero point first makes padded positions contribute exactly nothing, as in
    # the spec, where out-of-bounds taps are skipped.
    xs = x.astype(work) - work(_scalar(input_zp))
    ws = w.astype(work) - work(_scalar(weight_zp))
    padded = np.zeros((n, ih + pad_top + pad_bottom, iw + pad_left + pad_right, ic), dtype=work)
    padded[:, pad_top:pad_top + ih, pad_left:pad_left + iw, :] = xs
    oh = (ih + pad_top + pad_bottom - dil_y * (kh - 1) - 1) // stride_y + 1
    ow = (iw + pad_left + pad_right - dil_x * (kw - 1) - 1) // stride_x + 1
    taps = []
    for ky in range(kh):
        for kx in range(kw):
            y0, x0 = ky * dil_y, kx * dil_x
            taps.append(padded[:, y0:y0 + stride_y * (oh - 1) + 1:stride_y,
                               x0:x0 + stride_x * (ow - 1) + 1:stride_x, :])
    cols = np.concatenate(taps, axis=3)  # [n, oh, ow, kh*kw*ic] in (ky, kx, ic) order
    acc = cols @ ws.reshape(oc, -1).T
    bias = bias.astype(work)
    acc = acc + (bias if bias.size == oc else bias[0])
    if integer:
        return _check_int32(acc, "CONV2D").astype(np.int32)
    return acc.astype(np.float32)


def _matmul(a, b, a_zp, b_zp, out_dtype):
    if out_dtype == "INT32":
        acc = np.matmul(a.astype(np.int64) - int(_scalar(a_zp)),
                        b.astype(np.int64) - int(_scalar(b_zp)))
        return _check_int32(acc, "MATMUL").astype(np.int32)
    return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(np.float32)


def _rescale(x, multiplier, shift, input_zp, output_zp, attr, out_dtype):
    rounding = attr.get("rounding_mode", "SINGLE_ROUND")
    if rounding not in ("SINGLE_ROUND", "DOUBLE_ROUND"):
        raise NotImplementedError(f"RESCALE rounding {rounding}")
    bits = np.dtype(x.dtype).itemsize * 8
    value = x.astype(np.int64)
    in_zp = int(_scalar(input_zp))
    if attr.get("input_unsigned", False):  # the same bits read as unsigned (zero-extended)
        value = value & ((1 << bits) - 1)
        in_zp &= (1 << bits) - 1
    value = value - in_zp
    if attr.get("per_channel", False):
        channels = x.shape[-1]
        if multiplier.shape != (channels,) or shift.shape != (channels,):
            raise ValueError("per-channel RESCALE needs one multiplier and shift per channel")
    else:
        multiplier, shift = _scalar(multiplier), _scalar(shift)
    if attr.get("scale32", False):
        result = apply_scale_32(value, multiplier, shift, rounding == "DOUBLE_ROUND")
    else:
        result = apply_scale_16(value, multiplier, shift)
    out_type = tosa_graph.NUMPY_TYPES[out_dtype]
    out_zp = int(_scalar(output_zp))
    if attr.get("output_unsigned", False):
        out_bits = out_type.itemsize * 8
        out_zp &= (1 << out_bits) - 1
        unsigned = np.clip(result + out_zp, 0, (1 << out_bits) - 1)
        return unsigned.astype(out_type.str.replace("i", "u")).view(out_type)
    lo, hi = INT_RANGES[out_dtype]
    return np.clip(result + out_zp, lo, hi).astype(out_type)


def _max_pool2d(x, attr):
    kh, kw = attr["kernel"]
    sy, sx = attr["stride"]
    top, bottom, left, right = attr["pad"]
    n, ih, iw, c = x.shape
    low = np.finfo(x.dtype).min if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    padded = np.full((n, ih + top + bottom, iw + left + right, c), low, dtype=x.dtype)
    padded[:, top:top + ih, left:left + iw, :] = x
    oh = (ih + top + bottom - kh) // sy + 1
    ow = (iw + left + right - kw) // sx + 1
    out = None
    for ky in range(kh):
        for kx in range(kw):
            tap = padded[:, ky:ky + sy * (oh - 1) + 1:sy, kx:kx + sx * (ow - 1) + 1:sx, :]
            out = tap if out is None else np.maximum(out, tap)
    return out.copy()


def _add(a, b, out_dtype):
    if out_dtype == "INT32":
        return _check_int32(a.astype(np.int64) + b.astype(np.int64), "ADD").astype(np.int32)
    return (a.astype(np.float32) + b.astype(np.float32)).astype(np.float32)


def run(graph, feeds):
    """Executes `graph` (a tosa_graph.TosaGraph) on `feeds` {input name: array}.

    When the graph's inputs have batch dimension 1 and the feeds carry N items, all N run at once
    (RESHAPE keeps the leading dimension as the batch); otherwise shapes must match exactly.
    Returns every tensor's value by name, so callers can read intermediate activations too.
    """
    values = {}
    batch = None
    for name in graph.inputs:
        tensor = graph.tensors[name]
        array = np.asarray(feeds[name])
        if array.dtype != tosa_graph.NUMPY_TYPES[tensor.dtype]:
            raise ValueError(f"input {name}: dtype {array.dtype}, graph wants {tensor.dtype}")
        batched = (len(tensor.shape) > 0 and tensor.shape[0] == 1 and array.ndim > 0
                   and list(array.shape[1:]) == tensor.shape[1:])
        if batched and array.shape[0] != 1:
            if batch not in (None, array.shape[0]):
                raise ValueError(f"input {name}: batch {array.shape[0]} differs from {batch}")
            batch = array.shape[0]
        elif list(array.shape) != tensor.shape:
            raise ValueError(f"input {name}: shape {array.shape} does not match {tensor.shape}")
        values[name] = array

    def runtime_shape(shape):
        return [batch] + list(shape[1:]) if batch is not None else list(shape)

    for op in graph.operators:
        out = graph.tensors[op.outputs[0]]
        args = [values[name] for name in op.inputs]
        attr = op.attribute
        if op.op in ("CONST", "CONST_SHAPE"):
            values[out.name] = out.data
            continue
        if op.op == "CONV2D":
            result = _conv2d(*args, attr, out.dtype)
        elif op.op == "MATMUL":
            result = _matmul(*args, out.dtype)
        elif op.op == "RESCALE":
            result = _rescale(*args, attr, out.dtype)
        elif op.op == "ADD":
            result = _add(*args, out.dtype)
        elif op.op == "CLAMP":
            in_dtype = graph.tensors[op.inputs[0]].dtype
            if in_dtype == "FP32" and attr.get("nan_mode", "PROPAGATE") != "PROPAGATE":
                raise NotImplementedError("CLAMP nan_mode IGNORE is not used by these graphs")
            lo = tosa_graph.clamp_value_from_bytes(attr["min_val"], in_dtype)
            hi = tosa_graph.clamp_value_from_bytes(attr["max_val"], in_dtype)
            result = np.clip(args[0], lo, hi).astype(args[0].dtype)
        elif op.op == "MAX_POOL2D":
            result = _max_pool2d(args[0], attr)
        elif op.op == "RESHAPE":
            # The reference serializer stores the empty (rank 0) shape as a 0-d SHAPE tensor.
            dims = [int(d) for d in args[1].reshape(-1)] if args[1].ndim else []
            if batch is not None and (not dims or dims[0] != 1):
                raise ValueError("RESHAPE: a batched run needs the batch dimension (1) first")
            result = args[0].reshape(runtime_shape(dims))
        else:
            raise NotImplementedError(f"operator {op.op}")
        if list(result.shape) != runtime_shape(out.shape):
            raise ValueError(f"{op.op} -> {out.name}: shape {list(result.shape)}, graph says "
                             f"{out.shape}")
        values[out.name] = result
    return values
