"""The report's curve figures: Figure 2, Figure 3, sensitivity plots and loss curves.

Each builder draws one matplotlib figure (object-oriented API, Agg canvas, no
pyplot state), saves it as ``<folder>/<id>.png`` and returns a
:class:`~.aggregate.Figure`, or an :class:`~.aggregate.Omitted` note when the
study holds no runs for it. Error bands and bars are ± one standard deviation
over seeds.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from ..._optional import import_optional
from .aggregate import (
    SWEPT_PARAMS,
    Figure,
    Omitted,
    aggregate,
    headline_runs,
    score_column,
    with_swept_value,
)
from .results import StudyResults

__all__ = ["figure2", "figure3", "loss_curves", "new_figure", "save", "sensitivity_figure"]

logger = logging.getLogger(__name__)

_STYLES = {"balanced": "-"}
_SWEEPS = (("embedding_dim", "H (embedding dimension)", True),
           ("k", "k (nearest neighbours)", False),
           ("learning_rate", "learning rate", True))


def new_figure(n_rows: int, n_cols: int, size: tuple[float, float]) -> tuple[Any, np.ndarray]:
    """A matplotlib Figure on an Agg canvas and its axes as a 2-D array."""
    figure_module = import_optional("matplotlib.figure", extra="study",
                                    feature="the study report's figures", package="matplotlib")
    figure = figure_module.Figure(figsize=(size[0] * n_cols, size[1] * n_rows),
                                  layout="constrained")
    axes = figure.subplots(n_rows, n_cols, squeeze=False)
    return figure, axes


def save(figure: Any, folder: Path, figure_id: str, title: str, caption: str,
         dpi: int) -> Figure:
    """Write ``figure`` to ``<folder>/<figure_id>.png`` and describe it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{figure_id}.png"
    figure.savefig(path, dpi=dpi)
    logger.debug("wrote %s", path)
    return Figure(figure_id, title, caption, path)


def _band(ax: Any, x: np.ndarray, mean: np.ndarray, std: np.ndarray, **style: Any) -> None:
    order = np.argsort(x)
    x, mean, std = x[order], mean[order], np.nan_to_num(std[order])
    line, = ax.plot(x, mean, marker="o", markersize=3, **style)
    ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.15, linewidth=0)


def figure2(results: StudyResults, folder: Path, dpi: int) -> Figure | Omitted:
    """Figure 2: accuracy, precision, recall and F1 against the fraction drawn."""
    title = "Figure 2: quality vs fraction, balanced vs unbalanced"
    rows = results.of_kind("fraction_balance")
    if not len(rows):
        return Omitted("figure2", title)
    accuracy = score_column(rows)
    part = accuracy.split("_")[0]
    metrics = [(accuracy, f"ACC ({part})"), (f"{part}_precision_macro", "precision (macro)"),
               (f"{part}_recall_macro", "recall (macro)"), (f"{part}_f1_macro", "F1 (macro)")]
    datasets = sorted(rows["dataset"].unique())
    figure, axes = new_figure(len(datasets), len(metrics), (3.2, 2.6))
    summary = aggregate(rows, ("dataset", "label", "arm", "fraction"), [m for m, _ in metrics])
    colours = _colours(summary["label"].unique())
    for i, dataset in enumerate(datasets):
        for j, (metric, name) in enumerate(metrics):
            ax = axes[i, j]
            for (label, arm), line in summary[summary["dataset"] == dataset].groupby(
                    ["label", "arm"], sort=True):
                _band(ax, line["fraction"].to_numpy(), line[f"{metric}_mean"].to_numpy(),
                      line[f"{metric}_std"].to_numpy(), color=colours[label],
                      linestyle=_STYLES.get(arm, "--"), label=f"{label}, {arm}")
            ax.set_title(f"{dataset}: {name}", fontsize=9)
            ax.set_xlabel("fraction of the pool")
            ax.set_ylim(0, 1)
            ax.grid(alpha=0.3)
    axes[0, -1].legend(fontsize=7, loc="lower right")
    caption = (f"Mean over seeds with ± 1 std bands, on the {part} part; balanced solid, "
               "unbalanced dashed.")
    return save(figure, folder, "figure2", title, caption, dpi)


def figure3(results: StudyResults, folder: Path, dpi: int) -> Figure | Omitted:
    """Figure 3: fit time, predict time and peak memory against the training size."""
    title = "Figure 3: time and memory vs data size"
    rows = results.of_kind("fraction_balance")
    if not len(rows):
        return Omitted("figure3", title)
    metrics = [("fit_seconds", "training (fit) time, s", True),
               ("predict_seconds", "test (predict) time, s", True),
               ("peak_rss_mb", "peak memory, MB", False)]
    summary = aggregate(rows, ("dataset", "label", "arm", "fraction"),
                        ["n_train"] + [m for m, _, _ in metrics])
    figure, axes = new_figure(1, len(metrics), (3.4, 2.8))
    series = summary.groupby(["dataset", "label"], sort=True)
    colours = _colours([f"{d}, {lab}" for d, lab in series.groups])
    for j, (metric, name, log) in enumerate(metrics):
        ax = axes[0, j]
        for (dataset, label), group in series:
            for arm, line in group.groupby("arm", sort=True):
                x = line["n_train_mean"].to_numpy()
                order = np.argsort(x)
                ax.errorbar(x[order], line[f"{metric}_mean"].to_numpy()[order],
                            yerr=np.nan_to_num(line[f"{metric}_std"].to_numpy()[order]),
                            color=colours[f"{dataset}, {label}"], marker="o", markersize=3,
                            linestyle=_STYLES.get(arm, "--"), capsize=2,
                            label=f"{dataset}, {label}, {arm}")
        ax.set_xscale("log")
        _value_ticks(ax, summary["n_train_mean"])
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("training rows N")
        ax.set_title(name, fontsize=9)
        ax.grid(alpha=0.3, which="both")
    axes[0, 0].legend(fontsize=7)
    caption = "Mean ± 1 std over seeds against the training size (log axes for time)."
    return save(figure, folder, "figure3", title, caption, dpi)


def sensitivity_figure(results: StudyResults, folder: Path, dpi: int) -> Figure | Omitted:
    """Accuracy against H, k and the learning rate, one panel per sweep."""
    title = "Sensitivity: ACC vs H, k and lr"
    panels = []
    for kind, name, log in _SWEEPS:
        rows, param = with_swept_value(results.of_kind(kind), kind)
        if param is not None:
            rows = rows.assign(value=rows["value"].astype(float))
            panels.append((rows, name if param == SWEPT_PARAMS[kind] else param, log))
    if not panels:
        return Omitted("sensitivity_plot", title)
    figure, axes = new_figure(1, len(panels), (3.2, 2.7))
    for ax, (rows, name, log) in zip(axes[0], panels, strict=True):
        column = score_column(rows)
        summary = aggregate(rows, ("dataset", "label", "value"), [column])
        for (dataset, label), line in summary.groupby(["dataset", "label"], sort=True):
            ax.errorbar(line["value"], line[f"{column}_mean"],
                        yerr=np.nan_to_num(line[f"{column}_std"].to_numpy()), marker="o",
                        markersize=3, capsize=2, label=f"{dataset}, {label}")
        if log:
            ax.set_xscale("log")
        _value_ticks(ax, summary["value"])
        ax.set_xlabel(name)
        ax.set_ylabel(f"ACC ({column.split('_')[0]})")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    caption = "Mean ± 1 std over seeds for each value tried (other parameters fixed)."
    return save(figure, folder, "sensitivity_plot", title, caption, dpi)


def _value_ticks(ax: Any, values: Any, most: int = 8) -> None:
    """Label the x axis at the values tried (when there are few), as plain numbers."""
    ticks = np.unique(np.round(np.asarray(values, dtype=float), 10))
    ticks = ticks[np.isfinite(ticks)]
    if 0 < ticks.size <= most:
        ax.minorticks_off()
        ax.set_xticks(ticks, [f"{v:,.0f}" if v >= 100 else f"{v:g}" for v in ticks])


def _with_history(rows: Any) -> Any:
    """The rows whose run recorded a loss history."""
    return rows[[bool(_losses(h)) for h in rows["history"]]] if len(rows) else rows


def _losses(history: Any) -> dict[str, list[float]]:
    """Per-stage loss series from a ``history_``.

    Accepts a list of epoch dicts (each with ``loss``), or a dict mapping stage
    names to such lists or to dicts of them (``{"pretrain": {"autoencoder": [...]}}``);
    other entries (a stop reason, timings) are ignored.
    """
    if isinstance(history, list):
        history = {"loss": history}
    if not isinstance(history, dict):
        return {}
    series = {}
    for stage, epochs in history.items():
        if isinstance(epochs, dict):
            series.update({f"{stage} {inner}": losses
                           for inner, losses in _losses(epochs).items()})
        elif isinstance(epochs, list) and epochs and all(isinstance(e, dict) for e in epochs):
            losses = [e.get("loss") for e in epochs]
            if all(isinstance(v, int | float) for v in losses):
                series[stage] = [float(v) for v in losses]
    return series


def loss_curves(results: StudyResults, folder: Path, dpi: int) -> Figure | Omitted:
    """Training loss per epoch: the epochs sweep, else the headline runs."""
    title = "Loss curves"
    pd = import_optional("pandas", extra="study", feature="the study report")
    rows = _with_history(results.of_kind("epochs"))
    if not len(rows):
        headline = list(headline_runs(results).values())
        rows = _with_history(pd.concat(headline)) if headline else rows
    if not len(rows):
        return Omitted("loss_curves", title, "no loss curves: no run of this study recorded a "
                                             "training history")
    rows = rows.drop_duplicates("key")
    stages = sorted({s for h in rows["history"] for s in _losses(h)})
    figure, axes = new_figure(1, len(stages), (3.6, 2.8))
    colours = _colours(sorted(rows["label"].unique()))
    for ax, stage in zip(axes[0], stages, strict=True):
        shown = set()
        for _, run in rows.sort_values(["label", "seed"]).iterrows():
            losses = _losses(run["history"]).get(stage)
            if not losses:
                continue
            tag = f"{run['dataset']}, {run['label']}"
            ax.plot(np.arange(1, len(losses) + 1), losses, color=colours[run["label"]],
                    alpha=0.6, linewidth=1, label=None if tag in shown else tag)
            shown.add(tag)
        ax.set_title(f"{stage} loss", fontsize=9)
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("mean batch loss")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    caption = "One line per run (seeds and settings), loss averaged over the batches of an epoch."
    return save(figure, folder, "loss_curves", title, caption, dpi)


def _colours(names: Any) -> dict[str, Any]:
    matplotlib = import_optional("matplotlib", extra="study",
                                 feature="the study report's figures")
    palette = matplotlib.colormaps["tab10"]
    return {name: palette(i % 10) for i, name in enumerate(names)}
