"""Fit SpectralNet data-parallel on several processes with torch.distributed (DDP).

Start it with torchrun; every process loads the same rows, trains its share of
each batch, and rank 0 reports the accuracy and saves the model::

    torchrun --standalone --nproc_per_node 2 examples/ddp_fit.py \\
        --dataset fashion_mnist --n-samples 10000 --out fmnist.pt

On several hosts use torchrun's ``--nnodes``/``--rdzv-endpoint`` options and
keep the data where every host reads the same file. Without torchrun the
script runs as one ordinary process. Gloo is used on CPUs, NCCL on GPUs (one
process per GPU: ``--nproc_per_node`` = number of GPUs, ``--device auto``).
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np
import torch.distributed as dist

from spectralbench import SpectralNet
from spectralbench.data import load_dataset, load_user_dataset
from spectralbench.evaluation import cluster_accuracy
from spectralbench.model.distributed import init_from_env


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=["fashion_mnist", "kmnist"], default="fashion_mnist")
    source.add_argument("--npz", help="your own .npz with arrays X and y instead")
    # Not "--n": torchrun reads it as an ambiguous abbreviation of its own options.
    parser.add_argument("--n-samples", type=int, default=None,
                        help="fit on this many rows drawn at random (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the rows drawn and the fit")
    parser.add_argument("--epochs", type=int, default=None, help="default: about 5,000 steps")
    parser.add_argument("--batch-size", type=int, default=512,
                        help="global batch, split between the processes")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    parser.add_argument("--out", help="save the fitted model to this file (rank 0)")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    rank, world_size = init_from_env()
    logging.basicConfig(level=logging.INFO if rank == 0 else logging.WARNING,
                        format=f"[rank {rank}] %(message)s")
    if args.npz:
        X, y = load_user_dataset(args.npz, return_X_y=True)
        name = args.npz
    else:
        X, y = load_dataset(args.dataset, return_X_y=True)
        name = args.dataset
    if args.n_samples is not None and args.n_samples < len(y):  # the same rows on every rank
        rows = np.sort(np.random.default_rng(args.seed).permutation(len(y))[:args.n_samples])
        X, y = X[rows], y[rows]

    model = SpectralNet(n_clusters=len(np.unique(y)), epochs=args.epochs,
                        batch_size=args.batch_size, device=args.device,
                        random_state=args.seed)
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    if rank == 0:
        accuracy = cluster_accuracy(y, model.labels_)
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in model.history_["seconds"].items())
        print(f"{name}: {len(y)} rows, {world_size} process(es): ACC {accuracy:.4f}, "
              f"fit {seconds:.1f} s ({stages}); {len(model.history_['spectralnet'])} epochs, "
              f"{model.history_['stop_reason']}")
        if args.out:
            print(f"saved {model.save(args.out)}")
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
