"""Triton's protocol extensions from a Python gRPC client, as tritonclient.grpc drives them.

tritonclient is not packaged in Debian, so these tests make the same calls with Debian's
python3-grpcio on stubs generated from our proto (Triton's field numbers): streaming, system shared
memory (a real POSIX shm object), model push (config and file: overrides), classification and log
settings, against the real daemon in explicit mode.
"""
import json
import os
import struct
import unittest
from multiprocessing import shared_memory

import grpc
import numpy as np

import inferd_pyclient
from inferd_pyclient import pb
from inferd_daemon import SOURCE_DIR, Daemon

DATA = os.path.join(SOURCE_DIR, "examples/data")
DIGITS = os.path.join(SOURCE_DIR, "examples/models/digits_int8")


def bytes_elements(raw):
    """The elements of a BYTES tensor in Triton's raw layout: a 4-byte little-endian length each."""
    elements, at = [], 0
    while at < len(raw):
        (length,) = struct.unpack_from("<I", raw, at)
        elements.append(raw[at + 4:at + 4 + length].decode())
        at += 4 + length
    return elements


class TritonExtensionsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Log settings may be changed over the API only when the operator allows it.
        cls.daemon = Daemon("--model-control-mode=explicit", "--load-model=digits_int8",
                            "--allow-log-settings-update=true")
        cls.client = inferd_pyclient.connect(f"127.0.0.1:{cls.daemon.grpc_port}", timeout=60)
        cls.stub = cls.client.stub
        cls.images = np.load(os.path.join(DATA, "digits_test_images_int8.npy"))[:8]

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        code = cls.daemon.stop()
        assert code == 0, "".join(cls.daemon.log)

    def scores(self, model, images):
        return self.client.infer(model, {"images": images})["scores"]

    def test_stream_answers_each_request_by_id_and_errors_in_stream(self):
        requests = [
            inferd_pyclient.make_infer_request("digits_int8", {"images": self.images[:2]},
                                               request_id="first"),
            inferd_pyclient.make_infer_request("no_such_model", {"images": self.images[:1]},
                                               request_id="second"),
            inferd_pyclient.make_infer_request("digits_int8", {"images": self.images[2:3]},
                                               request_id="third"),
        ]
        # The client half-closes after the third request and must still get every response.
        responses = list(self.stub.ModelStreamInfer(iter(requests), timeout=60))
        self.assertEqual(len(responses), 3)
        by_id = {}
        for response in responses:
            if response.error_message:
                by_id["error"] = response.error_message
            else:
                by_id[response.infer_response.id] = response.infer_response
        self.assertIn("no_such_model", by_id["error"])
        first = inferd_pyclient.decode_infer_response(by_id["first"])["scores"]
        np.testing.assert_array_equal(first, self.scores("digits_int8", self.images[:2]))
        self.assertIn("third", by_id)

    def test_system_shared_memory_carries_inputs_and_outputs(self):
        batch = self.images[:4]
        output_bytes = 4 * 10
        region = shared_memory.SharedMemory(create=True, size=batch.nbytes + output_bytes)
        try:
            region.buf[:batch.nbytes] = batch.tobytes()
            key = "/" + region.name
            self.stub.SystemSharedMemoryRegister(
                pb.SystemSharedMemoryRegisterRequest(name="py_region", key=key, offset=0,
                                                     byte_size=batch.nbytes + output_bytes))
            status = self.stub.SystemSharedMemoryStatus(
                pb.SystemSharedMemoryStatusRequest(name="py_region"))
            self.assertEqual(status.regions["py_region"].key, key)

            request = pb.ModelInferRequest(model_name="digits_int8")
            tensor = request.inputs.add(name="images", datatype="INT8", shape=list(batch.shape))
            tensor.parameters["shared_memory_region"].string_param = "py_region"
            tensor.parameters["shared_memory_byte_size"].int64_param = batch.nbytes
            output = request.outputs.add(name="scores")
            output.parameters["shared_memory_region"].string_param = "py_region"
            output.parameters["shared_memory_offset"].int64_param = batch.nbytes
            output.parameters["shared_memory_byte_size"].int64_param = output_bytes
            response = self.stub.ModelInfer(request, timeout=60)
            # The scores are in the region; the response keeps an empty entry in their place.
            self.assertEqual(list(response.raw_output_contents), [b""])
            self.assertEqual(
                response.outputs[0].parameters["shared_memory_region"].string_param, "py_region")
            in_region = np.frombuffer(bytes(region.buf[batch.nbytes:batch.nbytes + output_bytes]),
                                      dtype=np.int8).reshape(4, 10)
            np.testing.assert_array_equal(in_region, self.scores("digits_int8", batch))

            self.stub.SystemSharedMemoryUnregister(
                pb.SystemSharedMemoryUnregisterRequest(name="py_region"))
            status = self.stub.SystemSharedMemoryStatus(pb.SystemSharedMemoryStatusRequest())
            self.assertNotIn("py_region", status.regions)
        finally:
            region.close()
            region.unlink()

    def test_model_push_serves_a_model_from_its_config_and_file(self):
        with open(os.path.join(DIGITS, "1/model.tosa"), "rb") as model_file:
            model_bytes = model_file.read()
        config = {
            "name": "pushed_from_python", "backend": "tosa_cpu", "max_batch_size": 8,
            "input": [{"name": "images", "data_type": "TYPE_INT8", "dims": [8, 8, 1]}],
            "output": [{"name": "scores", "data_type": "TYPE_INT8", "dims": [10]}],
        }
        request = pb.RepositoryModelLoadRequest(model_name="pushed_from_python")
        request.parameters["config"].string_param = json.dumps(config)
        request.parameters["file:1/model.tosa"].bytes_param = model_bytes
        self.stub.RepositoryModelLoad(request, timeout=60)
        np.testing.assert_array_equal(self.scores("pushed_from_python", self.images),
                                      self.scores("digits_int8", self.images))
        # Triton's rule: files without a config are refused, with its wording.
        files_only = pb.RepositoryModelLoadRequest(model_name="pushed_from_python")
        files_only.parameters["file:1/model.tosa"].bytes_param = model_bytes
        with self.assertRaises(grpc.RpcError) as refused:
            self.stub.RepositoryModelLoad(files_only, timeout=60)
        self.assertIn("must be specified for model file override", refused.exception.details())

    def test_classification_returns_value_index_top_k(self):
        request = inferd_pyclient.make_infer_request("digits_int8", {"images": self.images[:2]})
        output = request.outputs.add(name="scores")
        output.parameters["classification"].int64_param = 3
        response = self.stub.ModelInfer(request, timeout=60)
        self.assertEqual(response.outputs[0].datatype, "BYTES")
        self.assertEqual(list(response.outputs[0].shape), [2, 3])
        elements = bytes_elements(response.raw_output_contents[0])
        scores = self.scores("digits_int8", self.images[:2])
        for row in range(2):
            value, index = elements[3 * row].split(":")[:2]
            self.assertEqual(int(index), int(np.argmax(scores[row])))
            self.assertEqual(float(value), float(scores[row].max()))

    def test_log_settings_are_read_and_changed(self):
        request = pb.LogSettingsRequest()
        request.settings["log_verbose_level"].uint32_param = 1
        updated = self.stub.LogSettings(request, timeout=60)
        self.assertEqual(updated.settings["log_verbose_level"].uint32_param, 1)
        current = self.stub.LogSettings(pb.LogSettingsRequest(), timeout=60)
        self.assertEqual(current.settings["log_verbose_level"].uint32_param, 1)
        back = pb.LogSettingsRequest()
        back.settings["log_verbose_level"].uint32_param = 0
        self.stub.LogSettings(back, timeout=60)


if __name__ == "__main__":
    unittest.main()
