"""Re-exports the digits example models from the committed weights and compares with the committed
files: the .tosa graphs must come out byte for byte, the held-out accuracies as stated."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools"))

import digits_dataset  # noqa: E402
import tosa_graph  # noqa: E402
import tosa_reference  # noqa: E402

TRAINER = os.path.join(REPO, "tools", "train_digits.py")
SCHEMA = os.path.join(REPO, "engine", "graph", "tosa.fbs")
WEIGHTS = os.path.join(REPO, "examples", "data", "digits_weights.npz")
MODELS = ("digits_fp32", "digits_int8")
ALLOWED_OPS = {"CONST", "CONST_SHAPE", "CONV2D", "DEPTHWISE_CONV2D", "MATMUL", "RESCALE", "ADD",
               "SUB", "MUL", "CLAMP", "MAX_POOL2D", "AVG_POOL2D", "RESHAPE", "TRANSPOSE", "TABLE"}


def _read(root, *parts):
    with open(os.path.join(root, *parts), "rb") as f:
        return f.read()


@unittest.skipUnless(os.path.exists(digits_dataset.DIGITS_CSV),
                     "python3-sklearn's digits data set is not installed")
class DigitsExportTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = cls.tmp.name
        run = subprocess.run([sys.executable, TRAINER, "--export-only", "--weights", WEIGHTS,
                              "--out-root", cls.out], capture_output=True, text=True)
        if run.returncode != 0:
            raise AssertionError(f"export failed:\n{run.stdout}\n{run.stderr}")
        cls.log = run.stdout

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_tosa_files_are_byte_identical(self):
        for model in MODELS:
            with self.subTest(model=model):
                path = ("examples", "models", model, "1", "model.tosa")
                self.assertEqual(_read(self.out, *path), _read(REPO, *path))

    def test_configs_are_identical(self):
        for model in MODELS:
            with self.subTest(model=model):
                path = ("examples", "models", model, "config.pbtxt")
                self.assertEqual(_read(self.out, *path), _read(REPO, *path))

    def test_held_out_split_files_are_identical(self):
        for name in ("digits_test_images_fp32.npy", "digits_test_images_int8.npy",
                     "digits_test_labels.npy", "expected_scores_int8.npy"):
            with self.subTest(file=name):
                self.assertEqual(_read(self.out, "examples", "data", name),
                                 _read(REPO, "examples", "data", name))

    def test_fp32_expected_scores_match(self):
        # Float sums may round differently on another BLAS; the committed file must stay close.
        fresh = np.load(os.path.join(self.out, "examples", "data", "expected_scores_fp32.npy"))
        committed = np.load(os.path.join(REPO, "examples", "data", "expected_scores_fp32.npy"))
        np.testing.assert_allclose(fresh, committed, rtol=1e-5, atol=1e-5)

    def test_accuracies_are_as_stated(self):
        fresh = json.loads(_read(self.out, "examples", "data", "digits_accuracy.json"))
        stated = json.loads(_read(REPO, "examples", "data", "digits_accuracy.json"))
        self.assertEqual(fresh, stated)
        self.assertGreaterEqual(stated["fp32_accuracy_percent"], 95.0)
        self.assertGreaterEqual(stated["int8_accuracy_percent"], 95.0)
        self.assertLessEqual(stated["fp32_accuracy_percent"] - stated["int8_accuracy_percent"],
                             1.0)
        self.assertIn(f"{stated['fp32_accuracy_percent']:.2f} %", self.log)
        self.assertIn(f"{stated['int8_accuracy_percent']:.2f} %", self.log)

    def test_committed_graphs_compute_the_expected_scores(self):
        # Decoding the binary (not the exporter's in-memory graph) proves the file itself holds
        # what the simulation ran.
        images = {
            "digits_fp32": np.load(os.path.join(REPO, "examples/data/digits_test_images_fp32.npy")),
            "digits_int8": np.load(os.path.join(REPO, "examples/data/digits_test_images_int8.npy")),
        }
        expected = {
            "digits_fp32": np.load(os.path.join(REPO, "examples/data/expected_scores_fp32.npy")),
            "digits_int8": np.load(os.path.join(REPO, "examples/data/expected_scores_int8.npy")),
        }
        for model in MODELS:
            with self.subTest(model=model):
                graph = tosa_graph.parse(_read(REPO, "examples", "models", model, "1",
                                               "model.tosa"), SCHEMA)
                scores = tosa_reference.run(graph, {graph.inputs[0]: images[model]})
                result = scores[graph.outputs[0]]
                if model == "digits_int8":
                    self.assertEqual(result.dtype, np.int8)
                    np.testing.assert_array_equal(result, expected[model])
                else:
                    np.testing.assert_allclose(result, expected[model], rtol=1e-5, atol=1e-5)

    def test_graphs_use_tosa_1_0_and_only_the_cpu_backends_ops(self):
        for model in MODELS:
            with self.subTest(model=model):
                graph = tosa_graph.parse(_read(REPO, "examples", "models", model, "1",
                                               "model.tosa"), SCHEMA)
                self.assertEqual(graph.version, {"_major": 1, "_minor": 0, "_patch": 0,
                                                 "_draft": False})
                self.assertLessEqual({op.op for op in graph.operators}, ALLOWED_OPS)
                self.assertEqual(graph.tensors[graph.inputs[0]].shape, [1, 8, 8, 1])
                self.assertEqual(graph.tensors[graph.outputs[0]].shape, [1, 10])

    def test_config_tensor_names_are_the_graphs(self):
        for model in MODELS:
            with self.subTest(model=model):
                graph = tosa_graph.parse(_read(REPO, "examples", "models", model, "1",
                                               "model.tosa"), SCHEMA)
                config = _read(REPO, "examples", "models", model, "config.pbtxt").decode()
                self.assertIn(f'name: "{model}"', config)
                self.assertIn(f'name: "{graph.inputs[0]}"', config)
                self.assertIn(f'name: "{graph.outputs[0]}"', config)
                dtype = "TYPE_INT8" if model.endswith("int8") else "TYPE_FP32"
                self.assertEqual(config.count(f"data_type: {dtype}"), 2)


if __name__ == "__main__":
    unittest.main()
