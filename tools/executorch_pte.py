"""Wraps a delegate's payload (a Vela bin stream, a VGF file) into an ExecuTorch program (.pte) laid
out the way ExecuTorch writes one whose graph was lowered to one Arm backend delegate, with or
without float edges.

ExecuTorch is not packaged for Debian, so this is how inferd gets .pte files for its tests. The
layout follows ExecuTorch's public file format:

- a FlatBuffer with file identifier "ET12", encoded by `flatc -b` against inferd's own subset of
  the program schema (engine/executorch/executorch_program.fbs, field ids as in ExecuTorch's);
- the extended header inserted at byte 8 ("eh00", its length 24, the program size, the segment base
  offset), padded to 16 bytes; FlatBuffer offsets are relative except the root offset at byte 0, so
  only that one moves;
- segments after the program, the first at a multiple of the segment alignment, each padded to it;
  Program.segments holds their offsets from the segment base.

The method "forward" takes and returns the tensors given, and its one chain is a DelegateCall into
the delegate whose processed data is the payload, in a segment (ExecuTorch's default) or inline in
Program.backend_delegate_data. A tensor given as `Float:1,8,8,1@0.05,-3` is a float edge, as
ExecuTorch exports a quantized model by default: the method takes (or returns) FP32, and a
quantize_per_tensor.out before the delegate call (dequantize_per_tensor.out after it) with scale
0.05 and zero point -3 turns it into the delegate's Char tensor (`@scale,zero_point,Type,qmin,qmax`
for another integer type or range). The operators are quantized_decomposed::'s, or cortex_m::'s with
--cortex-m; their arguments follow ExecuTorch's emitter (schema order, out tensor, returned value).
Options build the malformed variants the tests need: no delegate, several, a delegate of another
backend, an operator left on the CPU.

Usage: executorch_pte.py --bin-stream model.bin --out model.pte \\
           --input Char:1,8,8,1 --output Char:1,10 [--inline] [--no-header] [--delegates N]
           [--backend-id ID] [--cpu-op NAME] [--cortex-m]
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tosa_graph import find_flatc  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(REPO, "engine", "executorch", "executorch_program.fbs")

EXTENDED_HEADER_MAGIC = b"eh00"
EXTENDED_HEADER_LENGTH = 24  # magic, length, program size, segment base offset
HEADER_ALIGNMENT = 16  # the largest alignment inside the FlatBuffer (force_align: 16)
SEGMENT_ALIGNMENT = 128  # ExecuTorch's default


def align(value, alignment):
    return (value + alignment - 1) // alignment * alignment


SCALAR_TYPES = {"Byte": 0, "Char": 1, "Short": 2, "Int": 3, "UInt16": 27}
QUANT_RANGES = {"Byte": (0, 255), "Char": (-128, 127), "Short": (-32768, 32767),
                "Int": (-2**31, 2**31 - 1), "UInt16": (0, 65535)}


def tensor_value(scalar_type, dims):
    return {"val_type": "Tensor", "val": {"scalar_type": scalar_type, "sizes": dims}}


def parse_spec(spec):
    """'Float:1,8,8,1@0.05,-3[,Char,qmin,qmax]' -> (type, dims, quantization or None)."""
    tensor, _, quant = spec.partition("@")
    scalar_type, _, sizes = tensor.partition(":")
    dims = [int(d) for d in sizes.split(",")] if sizes else []
    if not quant:
        return scalar_type, dims, None
    fields = quant.split(",")
    qtype = fields[2] if len(fields) > 2 else "Char"
    qmin, qmax = QUANT_RANGES[qtype]
    if len(fields) > 4:
        qmin, qmax = int(fields[3]), int(fields[4])
    return scalar_type, dims, {"scale": float(fields[0]), "zero_point": int(fields[1]),
                               "type": qtype, "min": qmin, "max": qmax}


class Plan:
    """The values and instructions of the method, in the order ExecuTorch's emitter writes them."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.values = []
        self.operators = []
        self.instructions = []

    def add(self, value):
        self.values.append(value)
        return len(self.values) - 1

    def operator(self, name):
        key = {"name": name, "overload": "out"}
        if key not in self.operators:
            self.operators.append(key)
        return self.operators.index(key)

    def edge_tensors(self, spec):
        """The method's tensor for `spec`, the delegate's (the same one without quantization) and
        the quantization."""
        scalar_type, dims, quant = parse_spec(spec)
        index = self.add(tensor_value(scalar_type, dims))
        if quant is None:
            return index, index, None
        return index, self.add(tensor_value(quant["type"], dims)), quant

    def edge_call(self, op, source, target, quant, out_dtype):
        scalars = [
            self.add({"val_type": "Double", "val": {"double_val": quant["scale"]}}),
            self.add({"val_type": "Int", "val": {"int_val": quant["zero_point"]}}),
            self.add({"val_type": "Int", "val": {"int_val": quant["min"]}}),
            self.add({"val_type": "Int", "val": {"int_val": quant["max"]}}),
            self.add({"val_type": "Int", "val": {"int_val": SCALAR_TYPES[quant["type"]]}}),
        ]
        if out_dtype:
            scalars.append(self.add({"val_type": "Null", "val": {}}))
        self.instructions.append({
            "instr_args_type": "KernelCall",
            "instr_args": {"op_index": self.operator(f"{self.namespace}::{op}"),
                           "args": [source, *scalars, target, target]}})


def program_json(inputs, outputs, delegates, backend_id, inline, blob, cpu_op, cortex_m=False):
    plan = Plan("cortex_m" if cortex_m else "quantized_decomposed")
    method_inputs, method_outputs, delegate_inputs, delegate_outputs = [], [], [], []
    dequantize = []
    for spec in inputs:
        index, delegated, quant = plan.edge_tensors(spec)
        method_inputs.append(index)
        delegate_inputs.append(delegated)
        if quant is not None:
            plan.edge_call("quantize_per_tensor", index, delegated, quant, out_dtype=False)
    for spec in outputs:
        index, delegated, quant = plan.edge_tensors(spec)
        method_outputs.append(index)
        delegate_outputs.append(delegated)
        if quant is not None:
            dequantize.append((index, delegated, quant))
    if cpu_op:
        plan.instructions.append({
            "instr_args_type": "KernelCall",
            "instr_args": {"op_index": len(plan.operators),
                           "args": method_inputs + method_outputs}})
        plan.operators.append({"name": cpu_op, "overload": "out"})
    delegate_list = []
    for index in range(delegates):
        delegate_list.append({
            "id": backend_id,
            "processed": {"location": "INLINE" if inline else "SEGMENT", "index": 0},
        })
        plan.instructions.append({"instr_args_type": "DelegateCall",
                                  "instr_args": {"delegate_index": index,
                                                 "args": delegate_inputs + delegate_outputs}})
    for index, quantized, quant in dequantize:
        # quantized_decomposed's dequantize has the optional out_dtype argument; cortex_m's not.
        plan.edge_call("dequantize_per_tensor", quantized, index, quant, out_dtype=not cortex_m)
    program = {
        "version": 0,
        "execution_plan": [{
            "name": "forward",
            "values": plan.values,
            "inputs": method_inputs,
            "outputs": method_outputs,
            "chains": [{"instructions": plan.instructions}],
            "operators": plan.operators,
            "delegates": delegate_list,
        }],
    }
    if inline:
        program["backend_delegate_data"] = [{"data": list(blob)}]
    else:
        program["segments"] = [{"offset": 0, "size": len(blob)}]
    return program


def encode(document, schema=SCHEMA):
    """`document` (a dict in flatc's JSON form) as a FlatBuffer of `schema` (flatc -b)."""
    with tempfile.TemporaryDirectory() as tmp:
        json_path = os.path.join(tmp, "data.json")
        with open(json_path, "w") as f:
            json.dump(document, f, separators=(",", ":"))
        subprocess.run([find_flatc(), "-b", "-o", tmp, schema, json_path], check=True,
                       capture_output=True)
        (written,) = [name for name in os.listdir(tmp) if name != "data.json"]
        with open(os.path.join(tmp, written), "rb") as f:
            return f.read()


def decode(data, schema=SCHEMA):
    """The FlatBuffer `data` as a dict (flatc --json against `schema`), for tests and inspection."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "data.bin")
        with open(path, "wb") as f:
            f.write(data)
        subprocess.run([find_flatc(), "--json", "--raw-binary", "--strict-json", "-o", tmp, schema,
                        "--", path], check=True, capture_output=True)
        with open(os.path.join(tmp, "data.json")) as f:
            return json.load(f)


def build_pte(blob, inputs, outputs, *, inline=False, header=True, delegates=1,
              backend_id="EthosUBackend", cpu_op=None, cortex_m=False):
    """Returns the .pte bytes."""
    if not header and not inline:
        raise ValueError("a program without the extended header cannot have segments")
    flatbuffer = encode(program_json(inputs, outputs, delegates, backend_id, inline, blob, cpu_op,
                                    cortex_m))
    if flatbuffer[4:8] != b"ET12":
        raise RuntimeError("flatc did not write the ET12 file identifier")
    if not header:
        return flatbuffer
    inserted = align(EXTENDED_HEADER_LENGTH, HEADER_ALIGNMENT)
    program_size = len(flatbuffer) + inserted
    segment_base = 0 if inline else align(program_size, SEGMENT_ALIGNMENT)
    extended = struct.pack("<4sIQQ", EXTENDED_HEADER_MAGIC, EXTENDED_HEADER_LENGTH, program_size,
                           segment_base)
    extended += b"\0" * (inserted - len(extended))
    (root,) = struct.unpack_from("<I", flatbuffer, 0)
    out = struct.pack("<I", root + inserted) + flatbuffer[4:8] + extended + flatbuffer[8:]
    if not inline:
        out += b"\0" * (segment_base - len(out))
        out += blob
        out += b"\0" * (align(len(out), SEGMENT_ALIGNMENT) - len(out))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin-stream", "--payload", dest="bin_stream", required=True,
                        help="the delegate's payload to wrap (a Vela bin stream, a VGF file)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--input", action="append", default=[],
                        help="ScalarType:d0,d1,...[@scale,zero_point[,Type,qmin,qmax]]")
    parser.add_argument("--output", action="append", default=[],
                        help="ScalarType:d0,d1,...[@scale,zero_point[,Type,qmin,qmax]]")
    parser.add_argument("--inline", action="store_true", help="delegate data inline, not a segment")
    parser.add_argument("--no-header", action="store_true", help="leave out the extended header")
    parser.add_argument("--delegates", type=int, default=1)
    parser.add_argument("--backend-id", default="EthosUBackend")
    parser.add_argument("--cpu-op", help="an operator that runs outside the delegate")
    parser.add_argument("--cortex-m", action="store_true",
                        help="cortex_m:: quantize / dequantize operators at the float edges")
    args = parser.parse_args()
    with open(args.bin_stream, "rb") as f:
        blob = f.read()
    data = build_pte(blob, args.input, args.output, inline=args.inline, header=not args.no_header,
                     delegates=args.delegates, backend_id=args.backend_id, cpu_op=args.cpu_op,
                     cortex_m=args.cortex_m)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
