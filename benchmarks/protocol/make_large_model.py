"""Writes the protocol benchmark's large-input model into a model repository: one FP32 input of
1x256x256x16 (4 MiB) through a 32x32 MAX_POOL2D to a 1x8x8x16 output (4 KiB), so that a request
moves 4 MiB in and little out and the model's own work (one max over each input value) stays
small beside the transfer. Written at benchmark time, never committed.

    /usr/bin/python3 benchmarks/protocol/make_large_model.py REPOSITORY [--name large_fp32]
"""
import argparse
import os
import sys

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO_ROOT, "tools"))
import tosa_graph  # noqa: E402

INPUT_SHAPE = [1, 256, 256, 16]
POOL = 32
OUTPUT_SHAPE = [1, 256 // POOL, 256 // POOL, 16]


def build():
    graph = tosa_graph.TosaGraph()
    x = graph.add_input("x", INPUT_SHAPE, "FP32")
    y = graph.add_op("MAX_POOL2D", [x], "y", OUTPUT_SHAPE, "FP32",
                     {"kernel": [POOL, POOL], "stride": [POOL, POOL], "pad": [0, 0, 0, 0],
                      "nan_mode": "PROPAGATE"})
    graph.mark_output(y)
    return graph


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repository", help="the model repository to write the model into")
    parser.add_argument("--name", default="large_fp32", help="the model's folder name")
    parser.add_argument("--schema", default=os.path.join(REPO_ROOT, "engine", "graph", "tosa.fbs"))
    args = parser.parse_args(argv)
    version_dir = os.path.join(args.repository, args.name, "1")
    os.makedirs(version_dir, exist_ok=True)
    with open(os.path.join(version_dir, "model.tosa"), "wb") as f:
        f.write(tosa_graph.serialize(build(), args.schema))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
