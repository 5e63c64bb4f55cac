"""Checks tools/executorch_bpte.py against ExecuTorch's bundled-program schema: the BP08 identifier,
the program's bytes kept whole, and the test cases decoding back (with flatc) to tensors whose bytes
are the values given, row-major, with the default dim order."""

import os
import struct
import sys
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import executorch_bpte  # noqa: E402
import executorch_pte  # noqa: E402

PROGRAM = b"\x10\0\0\0ET12" + bytes(range(40))
CASES = [{"inputs": [{"type": "Float", "sizes": [1, 2], "values": [0.5, -2.0]}],
          "expected_outputs": [{"type": "Char", "sizes": [2], "values": [3, -4]}]}]


def decode(bpte):
    return executorch_pte.decode(bpte, executorch_bpte.SCHEMA)


class ExecuTorchBpteTest(unittest.TestCase):
    def test_program_and_test_cases(self):
        bpte = executorch_bpte.build_bpte(PROGRAM, CASES)
        self.assertEqual(bpte[4:8], b"BP08")
        bundle = decode(bpte)
        self.assertEqual(bytes(bundle["program"]), PROGRAM)
        (suite,) = bundle["method_test_suites"]
        self.assertEqual(suite["method_name"], "forward")
        (case,) = suite["test_cases"]
        tensor = case["inputs"][0]["val"]
        self.assertEqual(case["inputs"][0]["val_type"], "Tensor")
        self.assertEqual(tensor["scalar_type"], 6)
        self.assertEqual(tensor["sizes"], [1, 2])
        self.assertEqual(tensor["dim_order"], [0, 1])
        self.assertEqual(bytes(tensor["data"]), struct.pack("<2f", 0.5, -2.0))
        expected = case["expected_outputs"][0]["val"]
        self.assertEqual(expected["scalar_type"], 1)
        self.assertEqual(bytes(expected["data"]), struct.pack("<2b", 3, -4))


if __name__ == "__main__":
    unittest.main()
