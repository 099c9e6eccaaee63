"""Benchmark: SpectralNet's default configuration on all 70,000 images of each dataset.

Prints and writes (JSON) ACC (Hungarian-matched), NMI, ARI, fit seconds, predict
seconds and peak RSS for

* ``all``: fit on all 70,000 rows, predict them again (3 seeds by default);
* ``split``: fit on a stratified 80 % part, predict the held-out 20 % with the
  training clusters (test ACC vs train ACC);
* ``reference``: the PyPI ``spectralnet`` package with its own defaults, in the
  same run so time ratios are trustworthy on a noisy machine (extra
  ``reference``; its autoencoder + Siamese recipe is not run: see --help);
* ``agreement``: on a subset where exact eigenvectors are cheap, the subspace
  agreement (mean squared cosine of the principal angles, 1.0 = identical)
  between the network's embedding and the exact leading eigenvectors of the
  same graph.

Example::

    python benchmarks/bench_spectralnet.py --parts all split agreement reference \
        --seeds 0 1 2 --out benchmarks/results/spectralnet.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import torch
from scipy.sparse.csgraph import connected_components
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from spectralbench import SpectralNet
from spectralbench.data import load_dataset, split
from spectralbench.evaluation import cluster_accuracy, match_clusters
from spectralbench.evaluation.resources import machine_info, measure
from spectralbench.model.affinity import gaussian_affinity, knn_search
from spectralbench.model.heads import fit_head
from spectralbench.model.spectral_embedding import inverse_sqrt_degree, spectral_embedding


def scores(y, labels, mapping=None) -> dict:
    return {
        "acc": cluster_accuracy(y, labels, mapping),
        "nmi": normalized_mutual_info_score(y, labels),
        "ari": adjusted_rand_score(y, labels),
    }


def run_all(name, X, y, seed, params) -> dict:
    model = SpectralNet(random_state=seed, **params)
    with measure() as fit_m:
        model.fit(X)
    with measure() as pred_m:
        labels = model.predict(X)
    return {"part": "all", "dataset": name, "seed": seed, **scores(y, labels),
            "fit_s": fit_m.wall_seconds, "predict_s": pred_m.wall_seconds,
            "peak_mb": max(fit_m.peak_rss_mb, pred_m.peak_rss_mb),
            "epochs": model.params_["epochs"], "stage_s": model.history_["seconds"]}


def run_split(name, X, y, seed, params) -> dict:
    train, test = split(y, 0.8, random_state=seed)
    model = SpectralNet(random_state=seed, **params)
    with measure() as fit_m:
        model.fit(X[train])
    mapping = match_clusters(y[train], model.labels_)
    with measure() as pred_m:
        test_labels = model.predict(X[test])
    train_s = scores(y[train], model.labels_, mapping)
    test_s = scores(y[test], test_labels, mapping)
    return {"part": "split", "dataset": name, "seed": seed,
            "train_acc": train_s["acc"], "test_acc": test_s["acc"],
            "gap": train_s["acc"] - test_s["acc"], "test_nmi": test_s["nmi"],
            "fit_s": fit_m.wall_seconds, "predict_s": pred_m.wall_seconds,
            "peak_mb": max(fit_m.peak_rss_mb, pred_m.peak_rss_mb)}


def run_reference(name, X, y, seed) -> dict:
    from spectralbench.baselines import make

    model = make("reference_spectralnet", n_clusters=10, random_state=seed)
    with measure() as fit_m:
        labels = model.fit_predict(X)
    with measure() as pred_m:
        model.predict(X)
    return {"part": "reference", "dataset": name, "seed": seed, **scores(y, labels),
            "fit_s": fit_m.wall_seconds, "predict_s": pred_m.wall_seconds,
            "peak_mb": max(fit_m.peak_rss_mb, pred_m.peak_rss_mb)}


def run_agreement(name, X, y, seed, params, n) -> dict:
    """Train on n rows and compare with the exact eigenvectors of the same graph.

    The comparison is made on the graph's largest connected component: a
    mutual kNN graph leaves isolated points and small islands, whose indicator
    vectors are exact eigenvectors too but are no smooth function of the input
    (and the network, rightly, does not learn them).
    """
    rows = np.sort(np.random.default_rng(seed).permutation(len(y))[:n])
    X, y = X[rows], y[rows]
    model = SpectralNet(random_state=seed, **params).fit(X)
    # Rebuild the graph as fit did: the projection's output is the fit's kNN
    # space up to one global factor, which changes neither the neighbours nor
    # a "median"/"local" kernel.
    with torch.no_grad():
        Z = model.network_.projection(torch.from_numpy(X)).numpy()
    indices, distances = knn_search(Z, model.params_["k"])
    W = gaussian_affinity(indices, distances, scale=model.params_["scale"],
                          symmetrize=model.params_["symmetrize"])
    _, component = connected_components(W, directed=False)
    main = component == np.bincount(component).argmax()
    W_main = W[main][:, main]
    H = model.embedding_.shape[1]
    exact, eigenvalues = spectral_embedding(W_main, H, normalize_rows=False,
                                            random_state=seed, return_eigenvalues=True)
    exact = exact * inverse_sqrt_degree(W_main)[:, None]  # random-walk eigenvectors
    Y = model.embedding_[main].astype(np.float64)
    q_net, _ = np.linalg.qr(Y)
    q_exact, _ = np.linalg.qr(exact)
    agreement = float(np.linalg.norm(q_net.T @ q_exact) ** 2 / H)
    # Generalised Rayleigh trace tr((YᵀDY)⁻¹ Yᵀ(D−W)Y): the sum of the H smallest
    # normalised-Laplacian eigenvalues at best, which the exact solution attains.
    degree = np.asarray(W_main.sum(axis=1)).ravel()
    YDY = (Y * degree[:, None]).T @ Y
    YLY = YDY - Y.T @ (W_main @ Y)
    net_trace = float(np.trace(np.linalg.solve(YDY, YLY)))
    exact_labels = fit_head("kmeans", exact, 10, seed).predict(exact)
    return {"part": "agreement", "dataset": name, "seed": seed, "n": n,
            "main_component": int(main.sum()), "agreement": agreement,
            "net_trace": net_trace, "exact_trace": float(np.sum(1.0 - eigenvalues)),
            "net_acc_main": cluster_accuracy(y[main], model.labels_[main]),
            "exact_acc_main": cluster_accuracy(y[main], exact_labels)}


def print_table(rows: list[dict]) -> None:
    keys = [k for k in rows[0] if not isinstance(rows[0][k], dict)]
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(f"{row[k]:.3f}" if isinstance(row[k], float) else str(row[k])
                         for k in keys))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["fashion_mnist", "kmnist"])
    parser.add_argument("--parts", nargs="+", default=["all", "split", "agreement"],
                        choices=["all", "split", "agreement", "reference"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--reference-seeds", nargs="+", type=int, default=[0],
                        help="seeds for the reference package (about 500 s each per dataset)")
    parser.add_argument("--agreement-n", type=int, default=15000)
    parser.add_argument("--n", type=int, default=None, help="subsample rows (quick check)")
    parser.add_argument("--params", default="{}", help="JSON of SpectralNet parameters")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/spectralnet.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    params = json.loads(args.params)
    results = {"machine": machine_info(), "params": params, "argv": sys.argv, "rows": []}
    started = time.time()
    for name in args.datasets:
        X, y = load_dataset(name, return_X_y=True)
        if args.n:
            keep = np.sort(np.random.default_rng(0).permutation(len(y))[:args.n])
            X, y = X[keep], y[keep]
        for part in args.parts:
            seeds = args.reference_seeds if part == "reference" else args.seeds
            for seed in seeds:
                if part == "all":
                    row = run_all(name, X, y, seed, params)
                elif part == "split":
                    row = run_split(name, X, y, seed, params)
                elif part == "reference":
                    row = run_reference(name, X, y, seed)
                else:
                    row = run_agreement(name, X, y, seed, params, min(args.agreement_n, len(y)))
                results["rows"].append(row)
                print(json.dumps(row), flush=True)
    results["wall_s"] = time.time() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    for part in args.parts:
        rows = [r for r in results["rows"] if r["part"] == part]
        if rows:
            print(f"\n== {part} ==")
            print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
