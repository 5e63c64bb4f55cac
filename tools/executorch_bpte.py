"""Bundles an ExecuTorch program (.pte) with test cases into a bundled program (.bpte), laid out as
ExecuTorch's bundled_program schema (engine/executorch/bundled_program.fbs, file identifier
"BP08", field ids as in ExecuTorch's): the program's bytes, and for a method the test cases, each
its inputs and the outputs they should produce. ExecuTorch is not packaged for Debian; this is how
inferd gets .bpte files for its tests.

The test cases come as JSON: a list of objects
  {"inputs": [TENSOR, ...], "expected_outputs": [TENSOR, ...]}
where TENSOR is {"type": "Float", "sizes": [1, 4], "values": [0.5, ...]} (ExecuTorch ScalarType
names: Byte, Char, Short, Int, Long, Float, Double, Bool, UInt16), written row-major with the
default dim order.

Usage: executorch_bpte.py --program model.pte --cases cases.json --out model.bpte [--method forward]
"""

import argparse
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import executorch_pte  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(REPO, "engine", "executorch", "bundled_program.fbs")

# ScalarType name -> (number, struct format of one element)
SCALAR_TYPES = {
    "Byte": (0, "B"), "Char": (1, "b"), "Short": (2, "h"), "Int": (3, "i"), "Long": (4, "q"),
    "Float": (6, "f"), "Double": (7, "d"), "Bool": (11, "?"), "UInt16": (27, "H"),
}


def tensor_value(tensor):
    number, element = SCALAR_TYPES[tensor["type"]]
    sizes = list(tensor["sizes"])
    data = struct.pack("<%d%s" % (len(tensor["values"]), element), *tensor["values"])
    return {"val_type": "Tensor",
            "val": {"scalar_type": number, "sizes": sizes, "data": list(data),
                    "dim_order": list(range(len(sizes)))}}


def bundle_json(program, cases, method):
    return {
        "version": 0,
        "method_test_suites": [{
            "method_name": method,
            "test_cases": [{
                "inputs": [tensor_value(t) for t in case["inputs"]],
                "expected_outputs": [tensor_value(t) for t in case["expected_outputs"]],
            } for case in cases],
        }],
        "program": list(program),
    }


def build_bpte(program, cases, method="forward"):
    """Returns the .bpte bytes."""
    data = executorch_pte.encode(bundle_json(program, cases, method), SCHEMA)
    if data[4:8] != b"BP08":
        raise RuntimeError("flatc did not write the BP08 file identifier")
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--program", required=True, help="the .pte to bundle")
    parser.add_argument("--cases", required=True, help="the test cases, as JSON (see above)")
    parser.add_argument("--method", default="forward")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.program, "rb") as f:
        program = f.read()
    with open(args.cases) as f:
        cases = json.load(f)
    data = build_bpte(program, cases, args.method)
    with open(args.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
