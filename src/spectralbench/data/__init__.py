"""Datasets: registry, verified loading, preprocessing, sampling and splits.

``load_dataset("fashion_mnist")`` and ``load_dataset("kmnist")`` return the
bundled, checksum-verified data as float32 rows in [0, 1];
``load_user_dataset`` reads your own ``.npz``/``.csv``. ``sample`` draws the
study's balanced and unbalanced subsets and ``split`` makes stratified
train/test splits.
"""

from .loaders import SplitStatus, dataset_status, load_dataset
from .locate import cache_dir, search_dirs
from .preprocess import decode_labels, encode_labels, flatten_images, impute_missing
from .readers import read_idx
from .registry import DATASETS, DatasetInfo, FileSpec, SplitSource, available_datasets
from .sampling import PAPER_FRACTIONS, class_counts_for, sample
from .splits import PAPER_TRAIN_SIZES, split
from .user import load_user_dataset

__all__ = [
    "DATASETS",
    "PAPER_FRACTIONS",
    "PAPER_TRAIN_SIZES",
    "DatasetInfo",
    "FileSpec",
    "SplitSource",
    "SplitStatus",
    "available_datasets",
    "cache_dir",
    "class_counts_for",
    "dataset_status",
    "decode_labels",
    "encode_labels",
    "flatten_images",
    "impute_missing",
    "load_dataset",
    "load_user_dataset",
    "read_idx",
    "sample",
    "search_dirs",
    "split",
]
