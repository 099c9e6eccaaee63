"""The generated "what we found" sentences and the side-by-side with the source paper.

Every sentence is computed from the study's numbers; nothing is written by hand.
The source paper's reported values are kept in one small constant table,
:data:`PAPER_REPORTED`, with their provenance.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..._optional import import_optional
from .aggregate import Omitted, Table, fmt, headline_runs, reference_label, score_column
from .results import StudyResults

__all__ = ["PAPER", "PAPER_REPORTED", "PaperValue", "findings", "paper_table"]

logger = logging.getLogger(__name__)

PAPER = ("\"Performance Analysis of SpectralNet Algorithm on Fashion MNIST and KMNIST "
         "Datasets\" (the source paper this study reproduces)")


@dataclass(frozen=True)
class PaperValue:
    """One number the source paper reports.

    Attributes
    ----------
    dataset : str or None
        Registry name, or None when the value is not tied to one dataset.
    quantity : {"accuracy", "fit_seconds"}
    value : float
    note : str
        What the paper says it is, and what to make of it.
    """

    dataset: str | None
    quantity: str
    value: float
    note: str


PAPER_REPORTED = (
    PaperValue("fashion_mnist", "accuracy", 0.41, "SpectralNet accuracy on Fashion-MNIST"),
    PaperValue("kmnist", "accuracy", 0.002,
               "SpectralNet accuracy on KMNIST (0.2 %): below the 10 % of chance; computed "
               "without matching clusters to classes"),
    PaperValue(None, "fit_seconds", 1366.0, "SpectralNet training time on a 2-core laptop"),
)
"""The source paper's reported values (see :data:`PAPER`); no other number is quoted."""


def paper_table(results: StudyResults) -> Table | Omitted:
    """The paper's reported values next to ours for the headline SpectralNet runs."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    title = "Side by side with the source paper"
    headline = {d: rows for d, rows in headline_runs(results).items()
                if (rows["method"] == "spectralnet").any()}
    if not headline:
        return Omitted("paper", title, "no side-by-side with the paper: no SpectralNet runs "
                                       "in this study")
    records = []
    for item in PAPER_REPORTED:
        datasets = [item.dataset] if item.dataset is not None else sorted(headline)
        for dataset in datasets:
            rows = headline.get(dataset)
            if rows is None:
                continue
            column = score_column(rows) if item.quantity == "accuracy" else "fit_seconds"
            values = rows[column].dropna().to_numpy(dtype=float)
            if not values.size:
                continue
            records.append({
                "dataset": dataset, "quantity": column, "paper": item.value,
                "ours_mean": float(values.mean()),
                "ours_std": float(values.std(ddof=1)) if values.size > 1 else float("nan"),
                "seeds": int(values.size), "ours_n_train": int(rows["n_train"].iloc[0]),
                "ours_label": rows["label"].iloc[0], "paper_note": item.note,
            })
    if not records:
        return Omitted("paper", title)
    data = pd.DataFrame.from_records(records)
    display = data[["dataset", "quantity", "paper"]].copy()
    display["paper"] = data["paper"].map(fmt)
    display["ours"] = [f"{fmt(m)} ± {fmt(s)}" if np.isfinite(s) else fmt(m)
                       for m, s in zip(data["ours_mean"], data["ours_std"], strict=True)]
    display["ours: method, N train"] = [f"{lab}, {n:,}" for lab, n in
                                        zip(data["ours_label"], data["ours_n_train"],
                                            strict=True)]
    display["paper's note"] = data["paper_note"]
    caption = (f"Paper values from {PAPER}. Ours: mean ± std over seeds of the headline "
               "SpectralNet runs (largest fraction, balanced), accuracy Hungarian-matched. "
               "Training sizes and machines differ, so times compare only in order of magnitude.")
    return Table("paper", title, caption, data, display)


def _best_method(results: StudyResults) -> list[str]:
    rows = results.of_kind("baselines")
    scope = "in the baseline comparison"
    if not len(rows):
        rows, scope = results.runs, "across all runs"
    sentences = []
    for dataset, group in rows.groupby("dataset", sort=True):
        column = score_column(group)
        means = group.groupby("label")[column].agg(["mean", "std", "count"])
        best = means["mean"].idxmax()
        line = (f"On {dataset}, the most accurate method {scope} was {best} with "
                f"{column.replace('_', ' ')} {_pm(means.loc[best])} over "
                f"{int(means.loc[best, 'count'])} runs")
        reference = reference_label(group)
        if reference is not None and reference != best:
            line += f" ({reference}: {_pm(means.loc[reference])})"
        sentences.append(line + ".")
    return sentences


def _pm(stats) -> str:
    std = stats["std"]
    return f"{fmt(stats['mean'])} ± {fmt(std)}" if np.isfinite(std) else fmt(stats["mean"])


def _balance(tables: dict[str, Table | Omitted]) -> list[str]:
    anova = tables.get("anova")
    if not isinstance(anova, Table):
        return []
    sentences = []
    arm = anova.data[anova.data["term"] == "arm"]
    for _, row in arm.iterrows():
        verdict = "changed" if row["p"] < 0.05 else "did not significantly change"
        sentences.append(
            f"On {row['dataset']} ({row['label']}), the balance arm {verdict} "
            f"{row['response'].replace('_', ' ')} (two-way ANOVA with fraction: F = "
            f"{fmt(row['F'])}, p = {row['p']:.3g}, partial η² = {fmt(row['partial_eta_sq'])}).")
    return sentences


def _gap(results: StudyResults) -> list[str]:
    rows = results.runs
    if not len(rows):
        return []
    both = rows.drop_duplicates("key").dropna(subset=["train_accuracy", "test_accuracy"])
    if not len(both):
        return []
    gap = (both["train_accuracy"] - both["test_accuracy"]).to_numpy()
    direction = "higher" if gap.mean() >= 0 else "lower"
    return [f"Over {len(gap)} runs that label unseen points, training-part ACC was on average "
            f"{fmt(abs(gap.mean()))} {direction} than test-part ACC (std {fmt(gap.std())})."]


def _scaling(tables: dict[str, Table | Omitted]) -> list[str]:
    complexity = tables.get("complexity")
    if not isinstance(complexity, Table):
        return []
    sentences = []
    for _, row in complexity.data.iterrows():
        sentences.append(
            f"On {row['dataset']} ({row['label']}), fit time grew as {row['variable']}^"
            f"{row['slope']:.2f} (log-log fit, R² = {row['r2']:.2f}, {row['x_min']:g} to "
            f"{row['x_max']:g}); the paper's O(N·H·epoch) implies exponent 1.")
    return sentences


def _significance(tables: dict[str, Table | Omitted]) -> list[str]:
    table = tables.get("significance")
    if not isinstance(table, Table):
        return []
    sentences = []
    data = table.data[table.data["metric"] == table.data["metric"].iloc[0]]
    for dataset, group in data.groupby("dataset", sort=True):
        better = group[group["significant"] & (group["mean_diff"] > 0)]
        worse = group[group["significant"] & (group["mean_diff"] < 0)]
        sentences.append(
            f"On {dataset}, {group['reference'].iloc[0]} scored significantly higher "
            f"{group['metric'].iloc[0].replace('_', ' ')} than {len(better)} and significantly "
            f"lower than {len(worse)} of {len(group)} other methods (Holm-corrected t-tests).")
    return sentences


def findings(results: StudyResults, tables: dict[str, Table | Omitted]) -> list[str]:
    """The "what we found" sentences, each computed from the study's numbers.

    Parameters
    ----------
    results : StudyResults
    tables : dict of str to Table or Omitted
        The report's tables by id (the ANOVA, significance and complexity
        tables are read).

    Returns
    -------
    list of str
        Best method per dataset, whether balance mattered, the train-test gap,
        significance counts and fit-time scaling; empty without runs.
    """
    return (_best_method(results) + _balance(tables) + _significance(tables) + _gap(results)
            + _scaling(tables))
