"""The report's statistical tables: ANOVA, significance vs baselines, complexity slopes.

Computed with :mod:`spectralbench.evaluation.statistics`: a two-way ANOVA
(fraction x balance arm) on accuracy, Holm-corrected t-tests of SpectralNet
against each baseline with effect sizes, and log-log slopes of fit time against
N, H and epochs next to the source paper's O(N·H·epoch) claim.
"""

from __future__ import annotations

import logging

from ..._optional import import_optional
from ...evaluation.statistics import compare_methods, loglog_slope, two_way_anova
from .aggregate import Omitted, Table, fmt, reference_label, score_column, with_swept_value
from .results import StudyResults

__all__ = ["PAPER_COMPLEXITY", "anova_table", "complexity_table", "significance_table"]

logger = logging.getLogger(__name__)

PAPER_COMPLEXITY = "O(N·H·epoch): slope 1"
"""The source paper's complexity claim, read as the log-log slope it implies for each factor."""


def anova_table(results: StudyResults) -> Table | Omitted:
    """Two-way ANOVA of accuracy on fraction x balance arm, per dataset and method."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    title = "ANOVA: fraction x balance"
    rows = results.of_kind("fraction_balance")
    if not len(rows):
        return Omitted("anova", title)
    parts, reasons = [], []
    for (dataset, label), group in rows.groupby(["dataset", "label"], sort=True):
        response = score_column(group)
        try:
            table = two_way_anova(group, response, "fraction", "arm")
        except ValueError as exc:
            reasons.append(f"{dataset}/{label}: {exc}")
            continue
        table = table.reset_index()
        table.insert(0, "response", response)
        table.insert(0, "label", label)
        table.insert(0, "dataset", dataset)
        parts.append(table)
    if not parts:
        return Omitted("anova", title, f"no ANOVA of fraction x balance possible ({reasons[0]})")
    data = pd.concat(parts, ignore_index=True)
    display = data.copy()
    for column in ("sum_sq", "F", "partial_eta_sq"):
        display[column] = data[column].map(fmt)
    display["df"] = data["df"].map(lambda v: f"{v:g}")
    display["p"] = data["p"].map(_p_text)
    caption = ("Type II sums of squares with interaction, seeds as replicates; partial η² is "
               "the effect size (share of variance the term explains, residual excluded).")
    return Table("anova", title, caption, data, display)


def _p_text(p: float) -> str:
    if p != p:  # NaN
        return "—"
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def significance_table(results: StudyResults) -> Table | Omitted:
    """SpectralNet vs each baseline: paired t-tests over seeds, Holm-corrected, effect sizes."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    title = "Significance: SpectralNet vs baselines"
    rows = results.of_kind("baselines")
    reference = reference_label(rows) if len(rows) else None
    if reference is None or rows["label"].nunique() < 2:
        reason = "" if not len(rows) else (
            "no significance tests: the baselines experiment needs SpectralNet and at least "
            "one other method")
        return Omitted("significance", title, reason)
    records = []
    for dataset, group in rows.groupby("dataset", sort=True):
        for column in ("train_accuracy", "test_accuracy", "train_nmi"):
            scores = {
                label: dict(zip(part["seed"], part[column], strict=True))
                for label, part in group.dropna(subset=[column]).groupby("label", sort=False)
            }
            if reference not in scores or len(scores) < 2:
                continue
            for result in compare_methods(scores, reference):
                records.append({"dataset": dataset, "metric": column, **result})
    if not records:
        return Omitted("significance", title)
    data = pd.DataFrame.from_records(records)
    display = data[["dataset", "metric", "reference", "method", "mean_reference", "mean_method",
                    "mean_diff", "test", "p", "p_holm", "significant", "effect_size",
                    "effect_measure"]].copy()
    for column in ("mean_reference", "mean_method", "mean_diff", "effect_size"):
        display[column] = data[column].map(fmt)
    for column in ("p", "p_holm"):
        display[column] = data[column].map(_p_text)
    display["significant"] = data["significant"].map({True: "yes", False: "no"})
    caption = (f"Reference: {reference}. mean_diff = reference − method (positive: the "
               "reference scores higher). Paired t-tests over seeds, Holm-corrected per "
               "dataset and metric (family-wise α = 0.05); effect size Cohen's d_z.")
    return Table("significance", title, caption, data, display)


def complexity_table(results: StudyResults) -> Table | Omitted:
    """Fitted log-log slopes of fit time against N, H and epochs."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    title = "Empirical complexity"
    records = []
    sweeps = [("fraction_balance", "N (training rows)", None),
              ("embedding_dim", "H (embedding dimension)", "embedding_dim"),
              ("epochs", "epochs", "epochs")]
    for kind, variable, param in sweeps:
        rows = results.of_kind(kind)
        if param is not None:
            rows, name = with_swept_value(rows, kind)
            if name != param:
                continue
            x_column = "value"
        else:
            x_column = "n_train"
        for (dataset, label), group in rows.groupby(["dataset", "label"], sort=True):
            group = group[(group["fit_seconds"] > 0)]
            x = pd.to_numeric(group[x_column], errors="coerce")
            if x.nunique() < 2:
                continue
            fit = loglog_slope(x, group["fit_seconds"])
            records.append({"dataset": dataset, "label": label, "variable": variable,
                            "x_min": float(x.min()), "x_max": float(x.max()),
                            "n_runs": len(group), "slope": fit.slope, "r2": fit.r2,
                            "paper_claim": PAPER_COMPLEXITY})
    if not records:
        return Omitted("complexity", title, "no runs for the empirical complexity in this study "
                                            "(it needs a sweep over N, H or epochs)")
    data = pd.DataFrame.from_records(records)
    display = data.copy()
    for column in ("x_min", "x_max", "slope", "r2"):
        display[column] = data[column].map(fmt)
    caption = ("Least-squares slope b of log10(fit seconds) = a + b·log10(x) over all runs "
               "(seeds included): b = 1 is linear growth, as the source paper's O(N·H·epoch) "
               "predicts for each factor; r2 is the fit's coefficient of determination.")
    return Table("complexity", title, caption, data, display)
