"""Benchmark: SpectralNet from 100,000 to 1,000,000 images on one machine.

The data are Fashion-MNIST training images deformed at random (rotation, zoom,
shift, elastic field; labels kept), written once to a uint8 memmap of shape
(1,000,000, 784) with ``spectralbench.data.augment``; each size is a prefix of it.
Every size runs in a fresh process, so its peak RSS (the kernel's high-water
mark, VmHWM, which includes the memmap pages the process touched) is its own.

Per size it records fit seconds (with each stage), predict seconds on all N
rows, ACC/NMI of the fit labels, held-out ACC on the 10,000 official test images
(undeformed; cluster -> class mapping from the fit labels) and peak RSS. It
writes a JSON file, a Markdown table and a log-log plot of time against N.

Example::

    python benchmarks/bench_scaling.py --sizes 100000 300000 1000000 \
        --out benchmarks/results/scaling.json --plot benchmarks/figures/scaling.png
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
DEFAULT_DATA = ROOT / "results" / "fashion_mnist_augmented"


def make_data(data_dir: Path, n_samples: int) -> None:
    """Write the deformed dataset if it is missing or too small."""
    from spectralbench.data import load_dataset
    from spectralbench.data.augment import open_augmented, write_augmented_memmap

    try:
        X, _ = open_augmented(data_dir)
        if X.shape[0] >= n_samples:
            return
    except FileNotFoundError:
        pass
    bunch = load_dataset("fashion_mnist", "train", return_images=True)
    start = time.perf_counter()
    write_augmented_memmap(bunch.images, bunch.target, n_samples, data_dir, random_state=0)
    print(f"wrote {n_samples} deformed images to {data_dir} in "
          f"{time.perf_counter() - start:.0f} s", file=sys.stderr)


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark (VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(n: int, data_dir: Path, seed: int, params: dict) -> dict:
    """Fit and predict on the first ``n`` rows; runs in its own process."""
    from sklearn.metrics import normalized_mutual_info_score

    from spectralbench import SpectralNet
    from spectralbench.data import load_dataset
    from spectralbench.data.augment import open_augmented
    from spectralbench.evaluation import cluster_accuracy, match_clusters

    X, y = open_augmented(data_dir, n)
    test = load_dataset("fashion_mnist", "test", return_images=True)
    X_test = test.images.reshape(len(test.images), -1)  # uint8, as the training rows
    model = SpectralNet(random_state=seed, **params)
    start = time.perf_counter()
    model.fit(X)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    labels = model.predict(X)
    predict_s = time.perf_counter() - start
    mapping = match_clusters(y, labels)
    return {
        "n": n, "seed": seed,
        "fit_s": fit_s, "predict_s": predict_s, "total_s": fit_s + predict_s,
        "stage_s": model.history_["seconds"], "epochs_run": len(model.history_["spectralnet"]),
        "acc": cluster_accuracy(y, labels), "nmi": normalized_mutual_info_score(y, labels),
        "test_acc": cluster_accuracy(test.target, model.predict(X_test), mapping),
        "labels_match_predict": float(np.mean(labels == model.labels_)),
        "peak_rss_mb": peak_rss_mb(),
        "memmap_mb": X.nbytes / 2**20,
    }


def run_size(n: int, args) -> dict:
    command = [sys.executable, __file__, "--worker", str(n), "--data", str(args.data),
               "--seed", str(args.seed), "--params", json.dumps(args.params)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"size {n} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    base = rows[0]
    lines = [
        "| N | fit s | predict s | total s | time / time(N0) | kNN s | training s | "
        "peak RSS MB | ACC | NMI | held-out ACC |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['fit_s']:.0f} | {r['predict_s']:.1f} | {r['total_s']:.0f} | "
            f"{r['total_s'] / base['total_s']:.2f} | {r['stage_s']['graph']:.0f} | "
            f"{r['stage_s']['spectralnet']:.0f} | {r['peak_rss_mb']:.0f} | {r['acc']:.3f} | "
            f"{r['nmi']:.3f} | {r['test_acc']:.3f} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = np.array([r["n"] for r in rows], dtype=float)
    fig, ax = plt.subplots(figsize=(5, 4))
    for key, label in [("total_s", "fit + predict"), ("fit_s", "fit"),
                       ("predict_s", "predict (all N rows)")]:
        ax.loglog(n, [r[key] for r in rows], "o-", label=label)
    ax.loglog(n, rows[0]["total_s"] * n / n[0], "k:", label="linear in N")
    if len(rows) > 1:
        slope = np.polyfit(np.log(n), np.log([r["total_s"] for r in rows]), 1)[0]
        ax.set_title(f"SpectralNet scaling (fit + predict slope {slope:.2f})")
    ax.set_xlabel("N (deformed Fashion-MNIST images)")
    ax.set_ylabel("seconds (2 CPU cores)")
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder of the deformed dataset (written if missing)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--params", type=json.loads, default={},
                        help='SpectralNet parameters as JSON, e.g. \'{"k": 10}\'')
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "scaling.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "figures" / "scaling.png")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.seed, args.params)))
        return
    make_data(args.data, max(args.sizes))
    rows = []
    for n in sorted(args.sizes):
        rows.append(run_size(n, args))
        print(json.dumps(rows[-1]), file=sys.stderr)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=2))
    print(table(rows))
    plot(rows, args.plot)


if __name__ == "__main__":
    main()
