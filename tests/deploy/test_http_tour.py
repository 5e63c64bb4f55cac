"""The README's tour over HTTP/REST, run as written against a fresh daemon.

- Every `$ command` of the README tour's console block over HTTP (the one whose commands use port
  8000) and of docs/http.md's console blocks runs in the repository root, with `localhost:8000`
  rewritten to the daemon's HTTP port, and prints what the docs show under it (console_blocks.py).
- examples/clients/http_tour.py, a client on Python's standard library alone, run by
  /usr/bin/python3 against the same daemon, classifies the tour's digit, and its scores, as JSON
  and as binary tensor data, equal those gRPC returns for the same pixels (Debian's python3-grpcio
  through inferd_pyclient), for the INT8 and the FP32 model.
"""
import json
import os
import subprocess
import sys
import unittest

import numpy as np

from console_blocks import console_blocks, console_steps, matches
from deploy_support import SOURCE_DIR

sys.path.insert(0, os.path.join(SOURCE_DIR, "tests/integration/python"))
import inferd_pyclient  # noqa: E402
from inferd_daemon import Daemon  # noqa: E402

HTTP_TOUR = os.path.join(SOURCE_DIR, "examples/clients/http_tour.py")
TOUR_DIGIT = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0,
              0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0,
              0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0]


def read(path):
    with open(os.path.join(SOURCE_DIR, path)) as f:
        return f.read()


def http_blocks(text):
    """The console blocks of `text` whose commands talk to port 8000."""
    return [block for block in console_blocks(text) if "localhost:8000" in block]


def tour_section():
    text = read("README.md")
    start = text.index("## Five-minute tour")
    return text[start:text.index("\n## ", start + 1)]


class HttpTourTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()
        cls.grpc = inferd_pyclient.connect(f"127.0.0.1:{cls.daemon.grpc_port}", timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.grpc.close()
        code = cls.daemon.stop()
        assert code == 0, "".join(cls.daemon.log)

    def run_command(self, command):
        command = command.replace("localhost:8000", f"127.0.0.1:{self.daemon.http_port}")
        return subprocess.run(command, shell=True, cwd=SOURCE_DIR, capture_output=True, text=True)

    def check_block(self, block):
        steps = console_steps(block)
        for command, expected in steps:
            with self.subTest(command=command):
                result = self.run_command(command)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertTrue(matches(expected, result.stdout.splitlines()),
                                "the docs show:\n" + "\n".join(expected) +
                                "\n\nthe command printed:\n" + result.stdout)
        return [command for command, _ in steps]

    def test_readme_tour_over_http(self):
        blocks = http_blocks(tour_section())
        self.assertEqual(len(blocks), 1, "the tour should have one console block over HTTP")
        commands = self.check_block(blocks[0])
        # Health, metadata, inference, classification with curl; then the Python client.
        self.assertEqual(len(commands), 5)
        self.assertIn("/v2/health/ready", commands[0])
        self.assertTrue(commands[1].endswith("/v2/models/digits_int8"))
        self.assertIn("/infer", commands[2])
        self.assertIn('"classification":1', commands[3])
        self.assertIn("examples/clients/http_tour.py", commands[4])

    def test_docs_http_md_commands(self):
        blocks = http_blocks(read("docs/http.md"))
        self.assertGreaterEqual(len(blocks), 1)
        for block in blocks:
            self.check_block(block)

    def python_tour(self, model):
        """{'label': 'value'} of http_tour.py's lines for `model`."""
        result = subprocess.run(
            ["/usr/bin/python3", HTTP_TOUR, "--url", f"http://127.0.0.1:{self.daemon.http_port}",
             "--model", model], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        return dict(line.split(": ", 1) for line in result.stdout.splitlines())

    def grpc_scores(self, model, dtype):
        images = np.array(TOUR_DIGIT, dtype=dtype).reshape(1, 8, 8, 1)
        return self.grpc.infer(model, {"images": images})["scores"][0]

    def check_python_tour(self, model, dtype):
        lines = self.python_tour(model)
        self.assertEqual(lines["server"], "inferd, live: true, ready: true")
        self.assertTrue(lines["model"].startswith(f"{model} versions 1: images "))
        expected = self.grpc_scores(model, dtype)
        json_scores = np.array(json.loads(lines["scores (JSON)"]), dtype=expected.dtype)
        binary_scores = np.array(json.loads(lines["scores (binary tensor data)"]),
                                 dtype=expected.dtype)
        np.testing.assert_array_equal(json_scores, expected)
        np.testing.assert_array_equal(binary_scores, expected)
        # The tour's image is a 0; classification gives the top score and its class.
        self.assertEqual(lines["class"], "0")
        self.assertEqual(int(np.argmax(expected)), 0)
        top = lines["top class (classification extension)"]
        self.assertTrue(top.endswith(":0"), top)
        # The value as the server writes it in text: exact for INT8, to its printed digits for FP32.
        self.assertAlmostEqual(float(top.split(":")[0]), float(expected[0]), places=4)

    def test_python_client_int8(self):
        self.check_python_tour("digits_int8", np.int8)

    def test_python_client_fp32(self):
        self.check_python_tour("digits_fp32", np.float32)

    def test_python_client_reports_server_errors(self):
        result = subprocess.run(
            ["/usr/bin/python3", HTTP_TOUR, "--url", f"http://127.0.0.1:{self.daemon.http_port}",
             "--model", "no_such_model"], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 1)
        self.assertIn("HTTP 404", result.stderr)
        self.assertIn("no_such_model", result.stderr)


if __name__ == "__main__":
    unittest.main()
