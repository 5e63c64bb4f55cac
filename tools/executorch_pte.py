"""Wraps a Vela bin stream into an ExecuTorch program (.pte) laid out the way ExecuTorch writes one
whose graph was lowered whole to the Arm EthosUBackend.

ExecuTorch is not packaged for Debian, so this is how inferd gets .pte files for its tests. The
layout follows ExecuTorch's public file format:

- a FlatBuffer with file identifier "ET12", encoded by `flatc -b` against inferd's own subset of
  the program schema (backends/ethosu/payload/executorch_program.fbs, field ids as in ExecuTorch's);
- the extended header inserted at byte 8 ("eh00", its length 24, the program size, the segment base
  offset), padded to 16 bytes; FlatBuffer offsets are relative except the root offset at byte 0, so
  only that one moves;
- segments after the program, the first at a multiple of the segment alignment, each padded to it;
  Program.segments holds their offsets from the segment base.

The method "forward" takes and returns the tensors given, and its one chain is a single
DelegateCall into the delegate whose processed data is the bin stream, in a segment (ExecuTorch's
default) or inline in Program.backend_delegate_data. Options build the malformed variants the
tests need: no delegate, several, a delegate of another backend, an operator left on the CPU.

Usage: executorch_pte.py --bin-stream model.bin --out model.pte \\
           --input Char:1,8,8,1 --output Char:1,10 [--inline] [--no-header] [--delegates N]
           [--backend-id ID] [--cpu-op NAME]
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
SCHEMA = os.path.join(REPO, "backends", "ethosu", "payload", "executorch_program.fbs")

EXTENDED_HEADER_MAGIC = b"eh00"
EXTENDED_HEADER_LENGTH = 24  # magic, length, program size, segment base offset
HEADER_ALIGNMENT = 16  # the largest alignment inside the FlatBuffer (force_align: 16)
SEGMENT_ALIGNMENT = 128  # ExecuTorch's default


def align(value, alignment):
    return (value + alignment - 1) // alignment * alignment


def tensor_value(spec):
    """'Char:1,8,8,1' -> an EValue holding that tensor."""
    scalar_type, _, sizes = spec.partition(":")
    dims = [int(d) for d in sizes.split(",")] if sizes else []
    return {"val_type": "Tensor", "val": {"scalar_type": scalar_type, "sizes": dims}}


def program_json(inputs, outputs, delegates, backend_id, inline, blob, cpu_op):
    values = [tensor_value(spec) for spec in inputs + outputs]
    io = list(range(len(values)))
    instructions = []
    operators = []
    if cpu_op:
        operators.append({"name": cpu_op, "overload": "out"})
        instructions.append({"instr_args_type": "KernelCall",
                             "instr_args": {"op_index": 0, "args": io}})
    delegate_list = []
    for index in range(delegates):
        delegate_list.append({
            "id": backend_id,
            "processed": {"location": "INLINE" if inline else "SEGMENT", "index": 0},
        })
        instructions.append({"instr_args_type": "DelegateCall",
                             "instr_args": {"delegate_index": index, "args": io}})
    program = {
        "version": 0,
        "execution_plan": [{
            "name": "forward",
            "values": values,
            "inputs": io[:len(inputs)],
            "outputs": io[len(inputs):],
            "chains": [{"instructions": instructions}],
            "operators": operators,
            "delegates": delegate_list,
        }],
    }
    if inline:
        program["backend_delegate_data"] = [{"data": list(blob)}]
    else:
        program["segments"] = [{"offset": 0, "size": len(blob)}]
    return program


def encode(document):
    with tempfile.TemporaryDirectory() as tmp:
        json_path = os.path.join(tmp, "program.json")
        with open(json_path, "w") as f:
            json.dump(document, f, separators=(",", ":"))
        subprocess.run([find_flatc(), "-b", "-o", tmp, SCHEMA, json_path], check=True,
                       capture_output=True)
        with open(os.path.join(tmp, "program.pte"), "rb") as f:
            return f.read()


def build_pte(blob, inputs, outputs, *, inline=False, header=True, delegates=1,
              backend_id="EthosUBackend", cpu_op=None):
    """Returns the .pte bytes."""
    if not header and not inline:
        raise ValueError("a program without the extended header cannot have segments")
    flatbuffer = encode(program_json(inputs, outputs, delegates, backend_id, inline, blob, cpu_op))
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
    parser.add_argument("--bin-stream", required=True, help="the Vela bin stream to wrap")
    parser.add_argument("--out", required=True)
    parser.add_argument("--input", action="append", default=[], help="ScalarType:d0,d1,...")
    parser.add_argument("--output", action="append", default=[], help="ScalarType:d0,d1,...")
    parser.add_argument("--inline", action="store_true", help="delegate data inline, not a segment")
    parser.add_argument("--no-header", action="store_true", help="leave out the extended header")
    parser.add_argument("--delegates", type=int, default=1)
    parser.add_argument("--backend-id", default="EthosUBackend")
    parser.add_argument("--cpu-op", help="an operator that runs outside the delegate")
    args = parser.parse_args()
    with open(args.bin_stream, "rb") as f:
        blob = f.read()
    data = build_pte(blob, args.input, args.output, inline=args.inline, header=not args.no_header,
                     delegates=args.delegates, backend_id=args.backend_id, cpu_op=args.cpu_op)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
