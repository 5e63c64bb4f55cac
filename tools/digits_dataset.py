"""The 8x8 handwritten digits data set that Debian's python3-sklearn ships, and its fixed split.

The file is read directly (no sklearn import) so that the trainer only needs numpy. Pixels are the
data set's own integers 0..16; the split is a seeded permutation, so every run holds out the same
images.
"""

import gzip
import os

import numpy as np

DIGITS_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
SPLIT_SEED = 20240229
HELD_OUT_FRACTION = 0.2


def load_digits(path=DIGITS_CSV):
    """Returns (images [N,8,8,1] uint8 with values 0..16, labels [N] int64)."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"{path} not found; install Debian's python3-sklearn, which ships the digits data set")
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 65:
        raise ValueError(f"{path}: expected 65 columns (64 pixels + label), got {table.shape}")
    pixels = table[:, :64]
    if pixels.min() < 0 or pixels.max() > 16:
        raise ValueError(f"{path}: pixel values outside 0..16")
    images = pixels.reshape(-1, 8, 8, 1).astype(np.uint8)
    labels = table[:, 64].astype(np.int64)
    return images, labels


def split_indices(count, seed=SPLIT_SEED, held_out_fraction=HELD_OUT_FRACTION):
    """Returns (train_indices, test_indices): a seeded permutation, the last part held out.

    Both index lists are sorted so that the held-out files keep the data set's own order.
    """
    order = np.random.default_rng(seed).permutation(count)
    held_out = int(round(count * held_out_fraction))
    return np.sort(order[held_out:]), np.sort(order[:held_out])


def load_split():
    """Returns ((train_images, train_labels), (test_images, test_labels))."""
    images, labels = load_digits()
    train, test = split_indices(len(labels))
    return (images[train], labels[train]), (images[test], labels[test])
