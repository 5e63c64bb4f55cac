"""Checks tools/tosa_reference.py, the numpy executor the digits exporter measures its graphs with:
the integer rescale arithmetic by hand-worked cases, and every operator it implements against the
TOSA conformance files (EXACT-mode tests), so its INT8 results are the spec's."""

import glob
import json
import os
import sys
import unittest

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import tosa_graph  # noqa: E402
import tosa_reference  # noqa: E402

SCHEMA = os.path.join(REPO, "engine", "graph", "tosa.fbs")
# Conformance folders (operators/<category>/<folder>/<test>) of the operators the executor runs.
CONFORMANCE_FOLDERS = ("conv2d_*", "matmul", "rescale", "clamp", "max_pool2d", "add", "reshape")


def conformance_dir():
    configured = os.environ.get("INFERD_TOSA_CONFORMANCE_DIR")
    if configured:
        return configured
    return os.path.join(REPO, "..", "shared", "tosa-conformance")


class ApplyScaleTest(unittest.TestCase):

    def test_single_round_rounds_halves_up(self):
        half = 1 << 30  # multiplier 2**30 with shift 31 is a scale of 0.5
        values = np.array([3, -3, 100, 1, -1])
        np.testing.assert_array_equal(tosa_reference.apply_scale_32(values, half, 31),
                                      [2, -1, 50, 1, 0])

    def test_double_round_rounds_twice_for_large_shifts(self):
        m = (1 << 31) - 1  # just under 1.0; shift 33 makes 2 * m / 2**33 just under 0.5
        np.testing.assert_array_equal(tosa_reference.apply_scale_32([2, -2], m, 33), [0, 0])
        np.testing.assert_array_equal(
            tosa_reference.apply_scale_32([2, -2], m, 33, double_round=True), [1, -1])

    def test_rejects_shifts_outside_the_spec_range(self):
        with self.assertRaises(ValueError):
            tosa_reference.apply_scale_32([1], 1 << 30, 1)
        with self.assertRaises(ValueError):
            tosa_reference.apply_scale_32([1], 1 << 30, 63)

    def test_quantize_scale_round_trips(self):
        for scale in (0.75, 1e-3, 3.2e-5, 0.5, 0.9999999999, 123.0):
            with self.subTest(scale=scale):
                multiplier, shift = tosa_reference.quantize_scale(scale)
                self.assertGreaterEqual(multiplier, 1 << 30)
                self.assertLess(multiplier, 1 << 31)
                self.assertTrue(2 <= shift <= 62)
                self.assertAlmostEqual(multiplier * 2.0**-shift / scale, 1.0, delta=2.0**-30)


class ConformanceTest(unittest.TestCase):

    def test_matches_the_reference_model_on_exact_tests(self):
        root = os.path.join(conformance_dir(), "operators")
        if not os.path.isdir(root):
            self.skipTest(f"TOSA conformance set not found at {root}; set "
                          "INFERD_TOSA_CONFORMANCE_DIR or place it at "
                          "<repo>/../shared/tosa-conformance")
        passed, unsupported = 0, []
        for pattern in CONFORMANCE_FOLDERS:
            for test_dir in sorted(glob.glob(os.path.join(root, "*", pattern, "*"))):
                with open(os.path.join(test_dir, "desc.json")) as f:
                    desc = json.load(f)
                modes = {t["mode"] for t in desc["meta"]["compliance"]["tensors"].values()}
                if modes != {"EXACT"}:
                    continue  # float accuracy modes need the spec's error bounds
                with open(os.path.join(test_dir, "test.tosa"), "rb") as f:
                    graph = tosa_graph.parse(f.read(), SCHEMA)
                feeds = {name: np.load(os.path.join(test_dir, file))
                         for name, file in zip(desc["ifm_name"], desc["ifm_file"])}
                try:
                    values = tosa_reference.run(graph, feeds)
                except NotImplementedError as e:
                    unsupported.append(f"{os.path.basename(test_dir)}: {e}")
                    continue
                for name, file in zip(desc["ofm_name"], desc["ofm_file"]):
                    expected = np.load(os.path.join(test_dir, "expected-" + file))
                    with self.subTest(test=os.path.basename(test_dir), output=name):
                        self.assertEqual(values[name].dtype, expected.dtype)
                        np.testing.assert_array_equal(values[name], expected)
                passed += 1
        # Only float CLAMP with nan_mode IGNORE lies outside what the digits graphs need.
        self.assertLessEqual(len(unsupported), 1, unsupported)
        self.assertGreater(passed, 100)


if __name__ == "__main__":
    unittest.main()
