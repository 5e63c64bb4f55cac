"""A small Python client for inferd, for the integration tests (interoperability with a non-C++ client).

Stubs are generated at import time from the repository's proto/ files (inference.proto, model_config.proto,
health.proto) with Debian's protoc and grpc_python_plugin into a private temporary directory, so nothing
generated is ever checked in. Run with Debian's interpreter, /usr/bin/python3, which has python3-grpcio,
python3-protobuf and python3-numpy.

Settings (environment):
  INFERD_PROTO_DIR         where the .proto files are (default: <repo>/proto next to this file)
  INFERD_PROTOC            protoc binary (default: /usr/bin/protoc)
  INFERD_GRPC_PYTHON_PLUGIN  the gRPC Python plugin (default: /usr/bin/grpc_python_plugin)

Example (needs a running daemon):

    >>> import numpy as np
    >>> import inferd_pyclient
    >>> client = inferd_pyclient.connect("localhost:8001")
    >>> client.wait_for_server(timeout=10)
    True
    >>> out = client.infer("digits_fp32", {"x": np.zeros((1, 8, 8, 1), np.float32)})
    >>> out["scores"].shape
    (1, 10)
    >>> client.health_check()
    'SERVING'

Errors from the server surface as grpc.RpcError; e.code() and e.details() hold the status.
Raw access: client.stub (GRPCInferenceService), client.health_stub, and the generated modules
inferd_pyclient.pb (inference_pb2), inferd_pyclient.config_pb (model_config_pb2),
inferd_pyclient.health_pb (health_pb2).
"""

import atexit
import importlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import grpc
import numpy as np

_REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
_PROTO_FILES = ("inference.proto", "model_config.proto", "health.proto")


def _generate_stubs():
    """Runs protoc into a fresh temporary directory and imports the generated modules from it."""
    proto_dir = pathlib.Path(os.environ.get("INFERD_PROTO_DIR", _REPO_ROOT / "proto"))
    protoc = os.environ.get("INFERD_PROTOC", "/usr/bin/protoc")
    plugin = os.environ.get("INFERD_GRPC_PYTHON_PLUGIN", "/usr/bin/grpc_python_plugin")
    for proto in _PROTO_FILES:
        if not (proto_dir / proto).is_file():
            raise ImportError(f"inferd_pyclient: {proto_dir / proto} not found (set INFERD_PROTO_DIR)")
    out_dir = tempfile.mkdtemp(prefix="inferd_pyclient_")
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)
    command = [
        protoc,
        f"--proto_path={proto_dir}",
        f"--python_out={out_dir}",
        f"--grpc_out={out_dir}",
        f"--plugin=protoc-gen-grpc={plugin}",
        *[str(proto_dir / proto) for proto in _PROTO_FILES],
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ImportError(f"inferd_pyclient: protoc failed: {result.stderr.strip()}")
    # The generated modules import each other by bare name ("import model_config_pb2").
    sys.path.insert(0, out_dir)
    try:
        return tuple(
            importlib.import_module(name)
            for name in ("inference_pb2", "inference_pb2_grpc", "model_config_pb2", "health_pb2",
                         "health_pb2_grpc"))
    finally:
        sys.path.remove(out_dir)


pb, pb_grpc, config_pb, health_pb, health_pb_grpc = _generate_stubs()

# KServe datatype names <-> numpy dtypes (little-endian, as on the wire).
_DTYPE_BY_NAME = {
    "BOOL": np.dtype(np.bool_),
    "UINT8": np.dtype("<u1"),
    "UINT16": np.dtype("<u2"),
    "UINT32": np.dtype("<u4"),
    "UINT64": np.dtype("<u8"),
    "INT8": np.dtype("<i1"),
    "INT16": np.dtype("<i2"),
    "INT32": np.dtype("<i4"),
    "INT64": np.dtype("<i8"),
    "FP16": np.dtype("<f2"),
    "FP32": np.dtype("<f4"),
    "FP64": np.dtype("<f8"),
}

# Which InferTensorContents field carries each datatype when sent typed (FP16 has none: raw only).
_CONTENTS_FIELD = {
    "BOOL": "bool_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
}


def datatype_of(array):
    """The KServe datatype name of a numpy array, or ValueError when the protocol has none for it."""
    for name, dtype in _DTYPE_BY_NAME.items():
        if array.dtype.kind == dtype.kind and array.dtype.itemsize == dtype.itemsize:
            return name
    raise ValueError(f"no KServe datatype for numpy dtype {array.dtype}")


def make_infer_request(model, inputs, outputs=None, model_version="", request_id="", raw=True):
    """A ModelInferRequest for {name: ndarray}; raw=False sends typed `contents` instead of raw bytes."""
    request = pb.ModelInferRequest(model_name=model, model_version=model_version, id=request_id)
    for name, value in inputs.items():
        array = np.asarray(value)
        datatype = datatype_of(array)
        tensor = request.inputs.add(name=name, datatype=datatype, shape=list(array.shape))
        if raw:
            little = array.astype(_DTYPE_BY_NAME[datatype], copy=False)
            request.raw_input_contents.append(np.ascontiguousarray(little).tobytes())
        else:
            field = _CONTENTS_FIELD.get(datatype)
            if field is None:
                raise ValueError(f"input {name!r}: {datatype} can only be sent raw")
            getattr(tensor.contents, field).extend(array.reshape(-1).tolist())
    for name in outputs or ():
        request.outputs.add(name=name)
    return request


def decode_infer_response(response):
    """{name: ndarray} from a ModelInferResponse, from raw_output_contents or typed contents."""
    results = {}
    raw = response.raw_output_contents
    if raw and len(raw) != len(response.outputs):
        raise ValueError(f"{len(raw)} raw_output_contents for {len(response.outputs)} outputs")
    for index, output in enumerate(response.outputs):
        dtype = _DTYPE_BY_NAME.get(output.datatype)
        if dtype is None:
            raise ValueError(f"output {output.name!r}: unsupported datatype {output.datatype!r}")
        shape = tuple(output.shape)
        if raw:
            array = np.frombuffer(raw[index], dtype=dtype)
        else:
            field = _CONTENTS_FIELD.get(output.datatype)
            if field is None:
                raise ValueError(f"output {output.name!r}: {output.datatype} without raw contents")
            array = np.array(getattr(output.contents, field), dtype=dtype)
        expected = int(np.prod(shape, dtype=np.int64))
        if array.size != expected:
            raise ValueError(f"output {output.name!r}: {array.size} values for shape {list(shape)}")
        results[output.name] = array.reshape(shape).copy()
    return results


class Client:
    """Synchronous client over one insecure channel. Every method takes an optional timeout (seconds)."""

    def __init__(self, url="localhost:8001", timeout=None):
        self.url = url
        self.timeout = timeout
        self.channel = grpc.insecure_channel(
            url,
            options=[("grpc.max_receive_message_length", -1),
                     ("grpc.max_send_message_length", -1)])
        self.stub = pb_grpc.GRPCInferenceServiceStub(self.channel)
        self.health_stub = health_pb_grpc.HealthStub(self.channel)

    def close(self):
        self.channel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _timeout(self, timeout):
        return self.timeout if timeout is None else timeout

    def wait_for_server(self, timeout=10.0):
        """Waits (without polling) until the server accepts connections; returns ServerLive's answer."""
        response = self.stub.ServerLive(pb.ServerLiveRequest(), timeout=timeout, wait_for_ready=True)
        return response.live

    def server_live(self, timeout=None):
        return self.stub.ServerLive(pb.ServerLiveRequest(), timeout=self._timeout(timeout)).live

    def server_ready(self, timeout=None):
        return self.stub.ServerReady(pb.ServerReadyRequest(), timeout=self._timeout(timeout)).ready

    def server_metadata(self, timeout=None):
        return self.stub.ServerMetadata(pb.ServerMetadataRequest(), timeout=self._timeout(timeout))

    def health_check(self, service="", timeout=None):
        """The grpc.health.v1 status name: 'SERVING', 'NOT_SERVING', ..."""
        response = self.health_stub.Check(health_pb.HealthCheckRequest(service=service),
                                          timeout=self._timeout(timeout))
        return health_pb.HealthCheckResponse.ServingStatus.Name(response.status)

    def model_ready(self, model, version="", timeout=None):
        request = pb.ModelReadyRequest(name=model, version=version)
        return self.stub.ModelReady(request, timeout=self._timeout(timeout)).ready

    def model_metadata(self, model, version="", timeout=None):
        request = pb.ModelMetadataRequest(name=model, version=version)
        return self.stub.ModelMetadata(request, timeout=self._timeout(timeout))

    def model_config(self, model, version="", timeout=None):
        request = pb.ModelConfigRequest(name=model, version=version)
        return self.stub.ModelConfig(request, timeout=self._timeout(timeout)).config

    def model_statistics(self, model="", version="", timeout=None):
        request = pb.ModelStatisticsRequest(name=model, version=version)
        return self.stub.ModelStatistics(request, timeout=self._timeout(timeout))

    def repository_index(self, ready=False, timeout=None):
        request = pb.RepositoryIndexRequest(ready=ready)
        return list(self.stub.RepositoryIndex(request, timeout=self._timeout(timeout)).models)

    def load(self, model, timeout=None):
        request = pb.RepositoryModelLoadRequest(model_name=model)
        self.stub.RepositoryModelLoad(request, timeout=self._timeout(timeout))

    def unload(self, model, timeout=None):
        request = pb.RepositoryModelUnloadRequest(model_name=model)
        self.stub.RepositoryModelUnload(request, timeout=self._timeout(timeout))

    def infer_response(self, model, inputs, outputs=None, model_version="", request_id="", raw=True,
                       timeout=None):
        """The ModelInferResponse message itself, for tests that inspect ids or parameters."""
        request = make_infer_request(model, inputs, outputs, model_version, request_id, raw)
        return self.stub.ModelInfer(request, timeout=self._timeout(timeout))

    def infer(self, model, inputs, outputs=None, model_version="", request_id="", raw=True,
              timeout=None):
        """Runs `model` on {name: ndarray}; returns {name: ndarray} (only `outputs` when given)."""
        response = self.infer_response(model, inputs, outputs, model_version, request_id, raw,
                                       timeout)
        return decode_infer_response(response)


def connect(url="localhost:8001", timeout=None):
    """A Client for url ("host:port")."""
    return Client(url, timeout)
