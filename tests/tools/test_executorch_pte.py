"""Checks tools/executorch_pte.py against ExecuTorch's published .pte layout: the ET12 identifier,
the eh00 extended header at byte 8 and what it says, the segment base aligned and holding the
delegate blob, and the program decoding back (with flatc) to one EthosUBackend delegate."""

import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import executorch_pte  # noqa: E402
from tosa_graph import find_flatc  # noqa: E402

BLOB = b"vela_bin_stream".ljust(32, b"\0") + bytes(range(48))  # any bytes: the tool only wraps
IO = (["Char:1,8,8,1"], ["Char:1,10"])


def decode(pte):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "program.pte")
        with open(path, "wb") as f:
            f.write(pte)
        subprocess.run([find_flatc(), "--json", "--raw-binary", "--strict-json", "-o", tmp,
                        executorch_pte.SCHEMA, "--", path], check=True, capture_output=True)
        with open(os.path.join(tmp, "program.json")) as f:
            return json.load(f)


class ExecuTorchPteTest(unittest.TestCase):
    def test_segment_layout_follows_the_extended_header(self):
        pte = executorch_pte.build_pte(BLOB, *IO)
        self.assertEqual(pte[4:8], b"ET12")
        magic, length, program_size, segment_base = struct.unpack_from("<4sIQQ", pte, 8)
        self.assertEqual(magic, b"eh00")
        self.assertEqual(length, 24)
        self.assertLess(program_size, segment_base)
        self.assertEqual(segment_base % executorch_pte.SEGMENT_ALIGNMENT, 0)
        self.assertEqual(pte[segment_base:segment_base + len(BLOB)], BLOB)
        self.assertEqual(len(pte) % executorch_pte.SEGMENT_ALIGNMENT, 0)
        program = decode(pte)
        plan = program["execution_plan"][0]
        self.assertEqual(plan["name"], "forward")
        self.assertEqual([d["id"] for d in plan["delegates"]], ["EthosUBackend"])
        self.assertEqual(plan["delegates"][0]["processed"]["location"], "SEGMENT")
        (segment,) = program["segments"]  # flatc leaves out fields at their default (offset 0)
        self.assertEqual((segment.get("offset", 0), segment["size"]), (0, len(BLOB)))
        # The root offset moved with the inserted header: the tables still decode.
        self.assertEqual(plan["values"][0]["val"]["sizes"], [1, 8, 8, 1])

    def test_inline_data_without_a_header(self):
        pte = executorch_pte.build_pte(BLOB, *IO, inline=True, header=False)
        self.assertNotEqual(pte[8:10], b"eh")
        program = decode(pte)
        self.assertEqual(bytes(program["backend_delegate_data"][0]["data"]), BLOB)

    def test_a_cpu_operator_is_a_kernel_call_before_the_delegate_call(self):
        program = decode(executorch_pte.build_pte(BLOB, *IO, cpu_op="aten::add"))
        kinds = [i["instr_args_type"]
                 for i in program["execution_plan"][0]["chains"][0]["instructions"]]
        self.assertEqual(kinds, ["KernelCall", "DelegateCall"])

    def test_segments_need_the_header(self):
        with self.assertRaises(ValueError):
            executorch_pte.build_pte(BLOB, *IO, header=False)


if __name__ == "__main__":
    unittest.main()
