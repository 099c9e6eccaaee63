"""Every clustering method on Fashion-MNIST and KMNIST: accuracy, time and memory, one table.

By default each method clusters all 70,000 images of each dataset (official train
rows then test rows) with its default parameters and seed 0; ACC, NMI and ARI are
scored on those labels (noise, id -1, counts as wrong in ACC). ``predict`` is then
timed on the official test rows, and "agree" says how often it gives the label
``fit`` gave them. With ``--protocol split`` a method is fitted on the train rows
only and "test ACC" scores ``predict`` on the test rows with the cluster-to-class
mapping found on the train rows.

Each (dataset, method) runs in its own Python process, so its peak memory (the
process's peak resident set size during fit, data included) is its own and a
crash or ``--timeout`` only loses that row.

Examples
--------
Prove it works end to end on a small subset::

    nice -n 10 python benchmarks/bench_baselines.py --n 3000 --out baselines_3000.json

The full run (tens of minutes on two cores)::

    python benchmarks/bench_baselines.py --out results/baselines_70k.json
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from spectralbench.baselines import available, make
from spectralbench.data import load_dataset
from spectralbench.evaluation import evaluate, machine_info, measure

DATASETS = ("fashion_mnist", "kmnist")
N_TRAIN_ROWS = 60_000  # official train rows come first in load_dataset(split="all")
COLUMNS = [  # key, header, width, number format ("" for text, left-aligned)
    ("dataset", "dataset", 13, ""), ("method", "method", 21, ""), ("n_fit", "n", 6, "d"),
    ("accuracy", "ACC", 6, ".3f"), ("nmi", "NMI", 6, ".3f"), ("ari", "ARI", 6, ".3f"),
    ("noise_fraction", "noise", 6, ".3f"), ("test_accuracy", "testACC", 7, ".3f"),
    ("agree", "agree", 6, ".3f"), ("fit_seconds", "fit s", 8, ".1f"),
    ("predict_seconds", "pred s", 7, ".2f"), ("peak_mb", "peak MB", 8, ".0f"),
]


def select_rows(n: int | None, seed: int) -> np.ndarray:
    """Row numbers of the 70,000 to use: all, or ``n`` drawn at random (sorted)."""
    total = 70_000
    if n is None or n >= total:
        return np.arange(total)
    return np.sort(np.random.default_rng(seed).permutation(total)[:n])


def run_one(dataset: str, method: str, n: int | None, protocol: str, seed: int) -> dict:
    """Fit, predict and score one method on one dataset in this process."""
    X, y = load_dataset(dataset, split="all", return_X_y=True)
    rows = select_rows(n, seed)
    X, y, is_test = X[rows], y[rows], rows >= N_TRAIN_ROWS
    fit_rows = ~is_test if protocol == "split" else np.ones(len(rows), dtype=bool)
    X_fit, y_fit, X_new, y_new = X[fit_rows], y[fit_rows], X[is_test], y[is_test]
    model = make(method, n_clusters=10, random_state=seed)
    with measure() as fit_cost:
        labels = model.fit_predict(X_fit)
    scores = evaluate(y_fit, labels)
    row = {"dataset": dataset, "method": method, "n_fit": len(X_fit),
           "accuracy": scores.accuracy, "nmi": scores.nmi, "ari": scores.ari,
           "noise_fraction": scores.noise_fraction, "fit_seconds": fit_cost.wall_seconds,
           "peak_mb": fit_cost.peak_rss_mb, "params": getattr(model, "params_", None)}
    try:
        with measure() as predict_cost:
            predicted = model.predict(X_new)
    except NotImplementedError as exc:
        row["predict_error"] = str(exc)
        return row
    row["predict_seconds"] = predict_cost.wall_seconds
    row["peak_mb"] = max(row["peak_mb"], predict_cost.peak_rss_mb)
    if protocol == "split":
        row["test_accuracy"] = evaluate(y_new, predicted, mapping=scores.mapping).accuracy
    else:
        row["agree"] = float(np.mean(predicted == labels[is_test]))
    return row


def run_isolated(args: argparse.Namespace, dataset: str, method: str) -> dict:
    """Run one (dataset, method) in a child process; a failure becomes an error row."""
    command = [sys.executable, __file__, "--worker", "--datasets", dataset, "--methods", method,
               "--protocol", args.protocol, "--seed", str(args.seed)]
    if args.n is not None:
        command += ["--n", str(args.n)]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"dataset": dataset, "method": method, "error": f"timeout after {args.timeout} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"dataset": dataset, "method": method, "error": last,
                "seconds": time.perf_counter() - start}
    return json.loads(done.stdout.strip().splitlines()[-1])


def format_table(rows: list[dict]) -> str:
    """One line per row; blank cells where a value does not apply."""

    def cell(value, width: int, spec: str) -> str:
        if not spec:
            return f"{value:<{width}}"
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return " " * width
        return f"{value:>{width}{spec}}"

    lines = ["  ".join(f"{head:<{w}}" if not spec else f"{head:>{w}}"
                       for _, head, w, spec in COLUMNS)]
    for row in rows:
        line = "  ".join(cell(row.get(key), w, spec) for key, _, w, spec in COLUMNS)
        if "error" in row:
            line += f"  ERROR: {row['error']}"
        lines.append(line.rstrip())
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=None,
                        help="use n random rows of the 70,000 (default: all)")
    parser.add_argument("--methods", nargs="+", default=available(), choices=available(),
                        metavar="METHOD", help=f"default: all of {', '.join(available())}")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--protocol", choices=("all", "split"), default="all",
                        help="fit on all rows (default) or on the official train rows only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds one (dataset, method) may take")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.worker:
        row = run_one(args.datasets[0], args.methods[0], args.n, args.protocol, args.seed)
        print(json.dumps(row, default=float))
        return
    rows = []
    for dataset in args.datasets:
        for method in args.methods:
            row = run_isolated(args, dataset, method)
            rows.append(row)
            print(format_table([row]).splitlines()[-1], file=sys.stderr, flush=True)
    print(format_table(rows))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        report = {"rows": rows, "machine": machine_info(), "n": args.n,
                  "protocol": args.protocol, "seed": args.seed}
        args.out.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
