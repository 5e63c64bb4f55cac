#!/usr/bin/python3
"""Trains the digits CNN and writes the example models digits_fp32 and digits_int8 (TOSA 1.0).

  /usr/bin/python3 tools/train_digits.py                 # train, then export everything
  /usr/bin/python3 tools/train_digits.py --export-only   # re-export from the saved weights

Writes, under --out-root (default: the repository root):
  examples/models/digits_{fp32,int8}/config.pbtxt and 1/model.tosa
  examples/data/digits_weights.npz (trained float weights + calibration ranges)
  examples/data/digits_test_*.npy, expected_scores_{fp32,int8}.npy, digits_accuracy.json
Accuracies are measured by executing the exported graphs with tosa_reference.py (exact integer
semantics for INT8). Training is deterministic for a fixed --seed on a given numpy/BLAS build;
exporting from a given weights file is deterministic everywhere.
"""

import os

# Single-threaded BLAS: the same reduction order every run, whatever the machine's core count.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import sys
import time

import numpy as np

import digits_cnn
import digits_dataset
import digits_export
import tosa_graph
import tosa_reference

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN_SEED = 7
WEIGHTS_FILE = os.path.join("examples", "data", "digits_weights.npz")
DATA_DIR = os.path.join("examples", "data")
MODELS_DIR = os.path.join("examples", "models")


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


def _save_npy(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, array, allow_pickle=False)


def export(weights, test_images, test_labels, out_root, schema):
    """Builds both graphs, measures them on the held-out split and writes every output file."""
    results = {}
    images = {"fp32": test_images.astype(np.float32), "int8": test_images.astype(np.int8)}
    builders = {"fp32": digits_export.build_fp32_graph, "int8": digits_export.build_int8_graph}
    config_types = {"fp32": "TYPE_FP32", "int8": "TYPE_INT8"}
    for kind in ("fp32", "int8"):
        graph = builders[kind](weights)
        scores = tosa_reference.run(graph, {digits_export.INPUT_NAME: images[kind]})
        scores = scores[digits_export.OUTPUT_NAME]
        correct = int(np.sum(scores.argmax(axis=1) == test_labels))
        results[kind] = correct
        model_dir = os.path.join(out_root, MODELS_DIR, f"digits_{kind}")
        _write(os.path.join(model_dir, "1", "model.tosa"),
               tosa_graph.serialize(graph, schema))
        _write(os.path.join(model_dir, "config.pbtxt"),
               digits_export.model_config(f"digits_{kind}", config_types[kind]))
        data_dir = os.path.join(out_root, DATA_DIR)
        _save_npy(os.path.join(data_dir, f"digits_test_images_{kind}.npy"), images[kind])
        _save_npy(os.path.join(data_dir, f"expected_scores_{kind}.npy"), scores)
    _save_npy(os.path.join(out_root, DATA_DIR, "digits_test_labels.npy"),
              test_labels.astype(np.int64))
    total = len(test_labels)
    summary = {
        "held_out_images": total,
        "fp32_correct": results["fp32"],
        "int8_correct": results["int8"],
        "fp32_accuracy_percent": round(100.0 * results["fp32"] / total, 2),
        "int8_accuracy_percent": round(100.0 * results["int8"] / total, 2),
    }
    _write(os.path.join(out_root, DATA_DIR, "digits_accuracy.json"),
           json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--export-only", action="store_true",
                        help="skip training; export from the weights file")
    parser.add_argument("--weights", help="weights .npz to read (--export-only) or write; "
                        f"default <out-root>/{WEIGHTS_FILE}")
    parser.add_argument("--out-root", default=REPO_ROOT,
                        help="where examples/ is written (default: the repository root)")
    parser.add_argument("--schema", default=os.path.join(REPO_ROOT, "engine", "graph", "tosa.fbs"),
                        help="the TOSA flatbuffer schema flatc encodes against")
    parser.add_argument("--seed", type=int, default=TRAIN_SEED, help="training seed")
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args(argv)
    weights_path = args.weights or os.path.join(args.out_root, WEIGHTS_FILE)

    (train_images, train_labels), (test_images, test_labels) = digits_dataset.load_split()
    print(f"digits: {len(train_labels)} training images, {len(test_labels)} held out "
          f"(split seed {digits_dataset.SPLIT_SEED})")
    if args.export_only:
        weights = digits_export.load_weights(weights_path)
        print(f"loaded weights from {weights_path}")
    else:
        start = time.time()
        params = digits_cnn.train(train_images, train_labels, seed=args.seed, epochs=args.epochs)
        float_accuracy = np.mean(digits_cnn.predict(params, test_images) == test_labels)
        print(f"trained in {time.time() - start:.1f} s; float64 model held-out accuracy "
              f"{100 * float_accuracy:.2f} %")
        weights = digits_export.calibrate(digits_export.weights_from_params(params),
                                          train_images)
        os.makedirs(os.path.dirname(weights_path), exist_ok=True)
        digits_export.save_weights(weights_path, weights)
        print(f"wrote {weights_path}")

    summary = export(weights, test_images, test_labels, args.out_root, args.schema)
    total = summary["held_out_images"]
    print(f"FP32 graph accuracy: {summary['fp32_correct']}/{total} = "
          f"{summary['fp32_accuracy_percent']:.2f} %")
    print(f"INT8 graph accuracy: {summary['int8_correct']}/{total} = "
          f"{summary['int8_accuracy_percent']:.2f} % (exact integer simulation)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
