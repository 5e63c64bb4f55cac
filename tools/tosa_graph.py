"""An in-memory TOSA 1.0 graph (one block) and its serialisation to a .tosa flatbuffer.

The graph is kept as plain data that mirrors engine/graph/tosa.fbs; it is written out as JSON and
turned into the binary by `flatc -b`, so the schema file stays the single source of truth for the
format. The same object feeds tosa_reference.py, which executes it, so the accuracy we report is
the accuracy of exactly the graph we write.
"""

import json
import os
import shutil
import subprocess
import tempfile

import numpy as np

# Element types as the schema names them, with the numpy type of their little-endian storage.
NUMPY_TYPES = {
    "BOOL": np.dtype("?"),
    "INT8": np.dtype("i1"),
    "INT16": np.dtype("<i2"),
    "INT32": np.dtype("<i4"),
    "FP32": np.dtype("<f4"),
    "SHAPE": np.dtype("<i8"),
}

# Union member that carries each operator's attributes (schema: one attribute table per Op).
ATTRIBUTE_TABLES = {
    "CONST": "ConstAttribute",
    "CONST_SHAPE": "ConstShapeAttribute",
    "CONV2D": "Conv2dAttribute",
    "DEPTHWISE_CONV2D": "DepthwiseConv2dAttribute",
    "MATMUL": "MatMulAttribute",
    "RESCALE": "RescaleAttribute",
    "ADD": "AddAttribute",
    "SUB": "SubAttribute",
    "MUL": "MulAttribute",
    "CLAMP": "ClampAttribute",
    "MAX_POOL2D": "MaxPool2dAttribute",
    "AVG_POOL2D": "AvgPool2dAttribute",
    "RESHAPE": "ReshapeAttribute",
    "TRANSPOSE": "TransposeAttribute",
    "TABLE": "TableAttribute",
}

# The reference serializer stores CLAMP's min/max as one value padded to 8 bytes; we do the same
# so any reader that accepts the conformance files accepts ours.
CLAMP_VALUE_BYTES = 8


def clamp_value_bytes(value, dtype):
    """Encodes one CLAMP bound of element type `dtype` as the attribute's byte list."""
    raw = np.array([value], dtype=NUMPY_TYPES[dtype]).tobytes()
    return list(raw) + [0] * (CLAMP_VALUE_BYTES - len(raw))


def clamp_value_from_bytes(data, dtype):
    nptype = NUMPY_TYPES[dtype]
    return np.frombuffer(bytes(data[:nptype.itemsize]), dtype=nptype)[0]


class Tensor:
    """A named tensor of the block: shape, element type, and data when it is a constant."""

    def __init__(self, name, shape, dtype, data=None):
        if dtype not in NUMPY_TYPES:
            raise ValueError(f"tensor {name}: unsupported element type {dtype}")
        self.name = name
        self.shape = [int(d) for d in shape]
        self.dtype = dtype
        self.data = None
        if data is not None:
            array = np.asarray(data)
            expected = tuple(self.shape)
            if array.shape != expected:
                raise ValueError(f"tensor {name}: data shape {array.shape} != {expected}")
            converted = array.astype(NUMPY_TYPES[dtype])
            if converted.dtype.kind != "f" and not np.array_equal(converted, array):
                raise ValueError(f"tensor {name}: values do not fit {dtype}")
            self.data = converted

    def to_json(self):
        entry = {"name": self.name, "shape": self.shape, "type": self.dtype}
        if self.data is not None:
            entry["data"] = list(np.ascontiguousarray(self.data).tobytes())
        return entry


class Operator:
    def __init__(self, op, inputs, outputs, attribute):
        if op not in ATTRIBUTE_TABLES:
            raise ValueError(f"operator {op} is not in the set this project's backends run")
        self.op = op
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.attribute = dict(attribute or {})

    def to_json(self):
        return {
            "op": self.op,
            "attribute_type": ATTRIBUTE_TABLES[self.op],
            "attribute": self.attribute,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }


class TosaGraph:
    """A single-block TOSA 1.0 graph built operator by operator, in execution order."""

    def __init__(self):
        self.tensors = {}
        self.operators = []
        self.inputs = []
        self.outputs = []

    def _add_tensor(self, tensor):
        if tensor.name in self.tensors:
            raise ValueError(f"tensor {tensor.name} defined twice")
        self.tensors[tensor.name] = tensor
        return tensor.name

    def add_input(self, name, shape, dtype):
        self.inputs.append(self._add_tensor(Tensor(name, shape, dtype)))
        return name

    def add_const(self, name, values, dtype):
        values = np.asarray(values)
        self._add_tensor(Tensor(name, values.shape, dtype, values))
        self.operators.append(Operator("CONST", [], [name], {}))
        return name

    def add_const_shape(self, name, dims):
        dims = np.asarray(dims, dtype=np.int64)
        self._add_tensor(Tensor(name, [len(dims)], "SHAPE", dims))
        self.operators.append(Operator("CONST_SHAPE", [], [name], {}))
        return name

    def add_op(self, op, inputs, output, shape, dtype, attribute=None):
        """Adds `op` reading `inputs` and writing a new tensor `output` of `shape` and `dtype`."""
        for name in inputs:
            if name not in self.tensors:
                raise ValueError(f"{op} reads {name}, which is not defined yet")
        self._add_tensor(Tensor(output, shape, dtype))
        self.operators.append(Operator(op, inputs, [output], attribute))
        return output

    def mark_output(self, name):
        if name not in self.tensors:
            raise ValueError(f"output {name} is not a tensor of the graph")
        self.outputs.append(name)

    def to_json(self):
        block = {
            "name": "main",
            "operators": [op.to_json() for op in self.operators],
            "tensors": [t.to_json() for t in self.tensors.values()],
            "inputs": self.inputs,
            "outputs": self.outputs,
        }
        return {
            "version": {"_major": 1, "_minor": 0, "_patch": 0, "_draft": False},
            "regions": [{"name": "main", "blocks": [block]}],
        }


def find_flatc():
    flatc = shutil.which("flatc")
    if flatc is None:
        raise FileNotFoundError("flatc not found; install Debian's flatbuffers-compiler")
    return flatc


def decode_to_json(tosa_bytes, schema_path):
    """Decodes .tosa bytes with `flatc --json` into the JSON form of the schema (a dict)."""
    with tempfile.TemporaryDirectory() as tmp:
        binary_path = os.path.join(tmp, "model.tosa")
        with open(binary_path, "wb") as f:
            f.write(tosa_bytes)
        subprocess.run([find_flatc(), "--json", "--raw-binary", "--strict-json", "-o", tmp,
                        schema_path, "--", binary_path], check=True, capture_output=True)
        with open(os.path.join(tmp, "model.json")) as f:
            return json.load(f)


def parse(tosa_bytes, schema_path):
    """Reads the main block of a .tosa file back into a TosaGraph (for checks and tests).

    flatc leaves out fields that hold their default, so absent attributes read as defaults.
    """
    document = decode_to_json(tosa_bytes, schema_path)
    block = document["regions"][0]["blocks"][0]
    graph = TosaGraph()
    for entry in block.get("tensors", []):
        dtype = entry["type"]
        data = None
        if entry.get("data"):
            flat = np.frombuffer(bytes(entry["data"]), dtype=NUMPY_TYPES[dtype])
            data = flat.reshape(entry.get("shape", []))
        graph._add_tensor(Tensor(entry["name"], entry.get("shape", []), dtype, data))
    for entry in block.get("operators", []):
        op = Operator.__new__(Operator)
        op.op = entry["op"]
        op.inputs = entry.get("inputs", [])
        op.outputs = entry.get("outputs", [])
        op.attribute = entry.get("attribute", {})
        graph.operators.append(op)
    graph.inputs = block.get("inputs", [])
    graph.outputs = block.get("outputs", [])
    graph.version = document["version"]
    return graph


def serialize(graph, schema_path):
    """Returns the .tosa bytes of `graph`, encoded by flatc against `schema_path`."""
    if not os.path.exists(schema_path):
        raise FileNotFoundError(f"TOSA schema {schema_path} not found")
    with tempfile.TemporaryDirectory() as tmp:
        json_path = os.path.join(tmp, "model.json")
        with open(json_path, "w") as f:
            json.dump(graph.to_json(), f, separators=(",", ":"))
        subprocess.run([find_flatc(), "-b", "-o", tmp, schema_path, json_path], check=True,
                       capture_output=True)
        with open(os.path.join(tmp, "model.tosa"), "rb") as f:
            return f.read()
