"""inferd-vgf (tools/vgf) as a user runs it: --help, convert of an example model, dump of the
result as text and JSON, and the refusals. The binary comes from $INFERD_VGF_TOOL (ctest sets it)."""

import json
import os
import subprocess
import tempfile
import unittest

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL = os.environ.get("INFERD_VGF_TOOL", "")
DIGITS = os.path.join(REPO, "examples", "models", "digits_int8", "1", "model.tosa")
CONFORMANCE = os.environ.get("INFERD_TOSA_CONFORMANCE_DIR") or os.path.join(
    REPO, "..", "shared", "tosa-conformance")


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60)


@unittest.skipUnless(TOOL and os.path.exists(TOOL), "INFERD_VGF_TOOL does not name the binary")
class InferdVgfTest(unittest.TestCase):
    def test_help_explains_both_commands(self):
        result = run("--help")
        self.assertEqual(result.returncode, 0)
        self.assertIn("inferd-vgf dump MODEL.vgf", result.stdout)
        self.assertIn("inferd-vgf convert MODEL.tosa MODEL.vgf", result.stdout)

    def test_convert_then_dump(self):
        with tempfile.TemporaryDirectory() as tmp:
            vgf = os.path.join(tmp, "digits.vgf")
            result = run("convert", DIGITS, vgf)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("VGF 0.4.3", result.stdout)
            text = run("dump", vgf)
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertIn("VGF format 0.4.3", text.stdout)
            self.assertIn("inputs 0 'images'", text.stdout)
            self.assertIn("CONV2D(images:INT8[1,8,8,1]", text.stdout)
            dumped = json.loads(run("dump", "--json", vgf).stdout)
            self.assertEqual(dumped["version"], "0.4.3")
            self.assertEqual(dumped["input_names"], ["images"])
            self.assertEqual(dumped["output_names"], ["scores"])
            ops = [op["op"] for op in dumped["graph"]["operators"]]
            self.assertIn("CONV2D", ops)
            self.assertNotIn("IDENTITY", ops)
            self.assertEqual(dumped["graph"]["outputs"][0]["shape"], [1, 10])

    def test_dump_names_compute_segments(self):
        # A GRAPH + COMPUTE file (the fuzz seed written from tests/engine/graph/vgf's fixture).
        two = os.path.join(REPO, "tests", "fuzz", "seeds", "vgf_reader", "two_segments_spirv.vgf")
        text = run("dump", two)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertIn("#1 COMPUTE 'scale' entry 'main', SPIR-V", text.stdout)
        self.assertIn("0 COMPUTE 'scale_segment' (SPIR-V, workgroups 1x1x1)(x:INT32[1,8])",
                      text.stdout)
        dumped = json.loads(run("dump", "--json", two).stdout)
        compute = dumped["graph"]["operators"][0]["compute_segment"]
        self.assertEqual(compute["name"], "scale_segment")
        self.assertEqual([b["set"] for b in compute["bindings"]], [2, 2])
        self.assertEqual([b["writes"] for b in compute["bindings"]], [False, True])

    def test_dump_refuses_a_file_that_is_not_vgf(self):
        result = run("dump", DIGITS)
        self.assertEqual(result.returncode, 1)
        self.assertIn("bad magic", result.stderr)

    def test_bad_usage_exits_2(self):
        self.assertEqual(run("convert", DIGITS).returncode, 2)
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run("dump", "x.vgf", "--input-shape", "nodims").returncode, 2)

    def test_convert_refuses_control_flow_naming_it(self):
        folder = os.path.join(CONFORMANCE, "operators", "control_flow")
        if not os.path.isdir(folder):
            self.skipTest("the shared conformance set is absent")
        tosa = None
        for root, _, files in sorted(os.walk(folder)):
            if "test.tosa" in files and "cond_if" in root:
                tosa = os.path.join(root, "test.tosa")
                break
        self.assertIsNotNone(tosa)
        with tempfile.TemporaryDirectory() as tmp:
            result = run("convert", tosa, os.path.join(tmp, "out.vgf"))
        self.assertEqual(result.returncode, 1)
        self.assertIn("control flow (COND_IF, WHILE_LOOP)", result.stderr)


if __name__ == "__main__":
    unittest.main()
