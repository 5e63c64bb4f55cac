"""Interop: Debian's python3-grpcio client, built from our proto, against the real inferd daemon.

Run by ctest with /usr/bin/python3; INFERD_BINARY and INFERD_SOURCE_DIR come from the build.
"""
import os
import re
import unittest
import urllib.request

import grpc
import numpy as np

import inferd_pyclient
from inferd_daemon import SOURCE_DIR, Daemon

DATA = os.path.join(SOURCE_DIR, "examples/data")


class InteropTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.client = inferd_pyclient.connect(f"127.0.0.1:{cls.daemon.grpc_port}", timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        code = cls.daemon.stop()
        assert code == 0, "".join(cls.daemon.log)

    def io_names(self, model):
        metadata = self.client.model_metadata(model)
        return metadata.inputs[0].name, metadata.outputs[0].name

    def classify(self, model, images, raw=True):
        input_name, output_name = self.io_names(model)
        scores = []
        for first in range(0, len(images), 50):
            outputs = self.client.infer(model, {input_name: images[first:first + 50]}, raw=raw)
            scores.append(outputs[output_name])
        return np.concatenate(scores)

    def test_server_metadata(self):
        metadata = self.client.server_metadata()
        self.assertEqual(metadata.name, "inferd")
        self.assertIn("model_repository", metadata.extensions)
        self.assertTrue(self.client.server_live())
        self.assertTrue(self.client.server_ready())

    def test_classifies_held_out_digits_like_the_trainer(self):
        labels = np.load(os.path.join(DATA, "digits_test_labels.npy"))
        for model, suffix in (("digits_fp32", "fp32"), ("digits_int8", "int8")):
            images = np.load(os.path.join(DATA, f"digits_test_images_{suffix}.npy"))
            expected = np.load(os.path.join(DATA, f"expected_scores_{suffix}.npy"))
            scores = self.classify(model, images)
            accuracy = float(np.mean(np.argmax(scores, axis=1) == labels))
            self.assertGreaterEqual(accuracy, 0.95, model)
            if suffix == "int8":
                np.testing.assert_array_equal(scores, expected)
            else:
                np.testing.assert_allclose(scores, expected, atol=1e-3)

    def test_typed_contents_give_the_same_answer_as_raw(self):
        images = np.load(os.path.join(DATA, "digits_test_images_int8.npy"))[:5]
        np.testing.assert_array_equal(self.classify("digits_int8", images, raw=False),
                                      self.classify("digits_int8", images, raw=True))

    def test_wrong_dtype_is_invalid_argument(self):
        input_name, _ = self.io_names("digits_int8")
        with self.assertRaises(grpc.RpcError) as caught:
            self.client.infer("digits_int8", {input_name: np.zeros((1, 8, 8, 1), np.float32)})
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("digits_int8", caught.exception.details())
        self.assertIn("INT8", caught.exception.details())

    def test_metrics_scrape_counts_requests(self):
        before = self.client.model_statistics("digits_fp32").model_stats[0].inference_stats.success.count
        input_name, _ = self.io_names("digits_fp32")
        self.client.infer("digits_fp32", {input_name: np.zeros((3, 8, 8, 1), np.float32)})
        text = urllib.request.urlopen(
            f"http://127.0.0.1:{self.daemon.metrics_port}/metrics", timeout=30).read().decode()
        match = re.search(
            r'^inferd_inference_request_success\{model="digits_fp32",version="1"\} (\S+)$', text, re.M)
        self.assertIsNotNone(match, text[:2000])
        self.assertEqual(float(match.group(1)), before + 1)


if __name__ == "__main__":
    unittest.main()
