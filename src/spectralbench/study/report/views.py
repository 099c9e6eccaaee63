"""The report's figures that look at clusters: confusion matrices, embeddings, examples.

They show the headline runs (:func:`~.aggregate.headline_runs`): confusion
matrices summed over seeds with class names, a 2-D PCA view of a stored
embedding sample coloured by true class, and a grid of example test images per
cluster (registry image datasets only), which is what a person looks at first
to judge clusters.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

from .aggregate import Figure, Omitted, headline_runs
from .figures import new_figure, save
from .results import StudyResults

__all__ = ["EXAMPLES_PER_CLUSTER", "confusion_figure", "embedding_figure", "examples_figure"]

logger = logging.getLogger(__name__)

EXAMPLES_PER_CLUSTER = 8
"""Images shown per cluster in the example grid."""


def confusion_figure(results: StudyResults, folder: Path, dpi: int) -> Figure | Omitted:
    """Row-normalised confusion matrices (true class x matched cluster), one per dataset."""
    title = "Confusion matrices"
    panels = []
    for dataset, rows in headline_runs(results).items():
        part = "test" if rows["test_confusion"].notna().all() else "train"
        matrices = [np.asarray(m, dtype=float) for m in rows[f"{part}_confusion"]]
        if matrices:
            panels.append((dataset, rows.iloc[0], part, np.sum(matrices, axis=0)))
    if not panels:
        return Omitted("confusion", title)
    figure, axes = new_figure(1, len(panels), (4.6, 4.2))
    for ax, (dataset, run, part, matrix) in zip(axes[0], panels, strict=True):
        names = list(run["class_names"])
        totals = matrix.sum(axis=1, keepdims=True)
        shares = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
        image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        ticks = np.arange(len(names))
        ax.set_xticks(ticks, names, rotation=60, ha="right", fontsize=7)
        ax.set_yticks(ticks, names, fontsize=7)
        ax.set_xlabel("predicted class (matched cluster)")
        ax.set_ylabel("true class")
        ax.set_title(f"{dataset}: {run['label']}, {part} part", fontsize=9)
        for i, j in zip(*np.nonzero(shares >= 0.01), strict=True):
            ax.text(j, i, f"{shares[i, j]:.2f}", ha="center", va="center", fontsize=5,
                    color="white" if shares[i, j] > 0.5 else "black")
    figure.colorbar(image, ax=axes[0, -1], shrink=0.7, label="share of the true class")
    caption = ("Rows: true class; columns: the class each cluster was matched to (Hungarian "
               "mapping from the training part). Counts summed over seeds, rows normalised.")
    return save(figure, folder, "confusion", title, caption, dpi)


def embedding_figure(results: StudyResults, folder: Path, dpi: int) -> Figure | Omitted:
    """2-D PCA view of each headline run's stored embedding sample, coloured by true class."""
    title = "Embedding views"
    panels = []
    for dataset, rows in headline_runs(results).items():
        for _, run in rows.iterrows():
            arrays = results.artifact(run["key"])
            embedding = arrays.get("sample_embedding")
            if embedding is not None and len(embedding) > 2 and embedding.ndim == 2:
                panels.append((dataset, run, embedding, arrays["sample_true"]))
                break
    if not panels:
        return Omitted("embedding", title, "no embedding views: no headline run stored an "
                                           "embedding (methods without one, e.g. k-means)")
    figure, axes = new_figure(1, len(panels), (4.4, 3.8))
    for ax, (dataset, run, embedding, true) in zip(axes[0], panels, strict=True):
        n_components = min(2, embedding.shape[1])
        view = PCA(n_components, random_state=0).fit_transform(embedding)
        if n_components == 1:
            view = np.column_stack([view[:, 0], np.zeros(len(view))])
        names = list(run["class_names"])
        for code, name in enumerate(names):
            mask = true == code
            ax.scatter(view[mask, 0], view[mask, 1], s=4, alpha=0.7, label=name,
                       color=_palette(code))
        ax.set_title(f"{dataset}: {run['label']}, seed {run['seed']} ({len(view)} rows)",
                     fontsize=9)
        ax.set_xlabel("PC 1")
        ax.set_ylabel("PC 2")
        ax.legend(fontsize=6, markerscale=2, loc="best", ncols=2)
    caption = ("The method's embedding of a sample of training rows, projected to its first "
               "two principal components; colours are the true classes.")
    return save(figure, folder, "embedding", title, caption, dpi)


def _strip(images: np.ndarray, width: int, pad: int = 2) -> np.ndarray:
    """Up to ``width`` images side by side with ``pad`` blank pixels around each."""
    size = images.shape[1:] if len(images) else (28, 28)
    strip = np.zeros((size[0] + 2 * pad, width * (size[1] + 2 * pad)), dtype=np.uint8)
    for i, image in enumerate(images[:width]):
        left = i * (size[1] + 2 * pad) + pad
        strip[pad:pad + size[0], left:left + size[1]] = image
    return strip


def _palette(index: int) -> Any:
    import matplotlib

    return matplotlib.colormaps["tab10"](index % 10)


def examples_figure(results: StudyResults, folder: Path, dpi: int) -> Figure | Omitted:
    """Example test images of each cluster, one row per cluster, per image dataset."""
    from ...data import DATASETS, load_dataset

    title = "Example images per cluster"
    panels = []
    for dataset, rows in headline_runs(results).items():
        run = rows.iloc[0]
        if dataset not in DATASETS or run["dataset_path"] is not None:
            continue
        arrays = results.artifact(run["key"])
        if "test_pred" in arrays:
            rows_, pred, part = arrays["test_rows"], arrays["test_pred"], "test"
        elif "sample_pred" in arrays:
            rows_, pred, part = arrays["sample_rows"], arrays["sample_pred"], "train"
        else:
            continue
        images = load_dataset(dataset, split=run["data_split"], return_images=True).images
        panels.append((dataset, run, images[rows_], pred, part))
    if not panels:
        return Omitted("examples", title, "no example images: the headline runs are not on an "
                                          "image dataset, or stored no labels")
    n_rows = max(len(np.unique(pred)) for *_, pred, _ in panels)
    figure, axes = new_figure(1, len(panels), (4.2, 0.45 * n_rows + 0.6))
    for ax, (dataset, run, images, pred, part) in zip(axes[0], panels, strict=True):
        mapping = dict(run["mapping"] or [])
        names = list(run["class_names"])
        clusters = np.unique(pred)
        tiles, labels = [], []
        for cluster in clusters:
            members = np.flatnonzero(pred == cluster)[:EXAMPLES_PER_CLUSTER]
            tiles.append(_strip(images[members], EXAMPLES_PER_CLUSTER))
            target = mapping.get(int(cluster))
            name = names[target] if target is not None else "unmatched"
            labels.append(f"{cluster} → {name} ({int(np.sum(pred == cluster))})")
        ax.imshow(np.vstack(tiles), cmap="gray_r", vmin=0, vmax=255)
        height = tiles[0].shape[0]
        ax.set_yticks(height * np.arange(len(clusters)) + height / 2, labels, fontsize=7)
        ax.set_xticks([])
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_title(f"{dataset}: {run['label']}, {part} part", fontsize=9)
    caption = (f"Up to {EXAMPLES_PER_CLUSTER} images per cluster (seed {panels[0][1]['seed']}); "
               "each row is labelled with the cluster id, the class it was matched to and, in "
               "brackets, its size.")
    return save(figure, folder, "examples", title, caption, dpi)
