"""The report's tables, mirroring the source paper's, as mean ± std over seeds.

Each builder takes :class:`~.results.StudyResults` and returns a
:class:`~.aggregate.Table`, or an :class:`~.aggregate.Omitted` note when the
study holds no runs for it. Statistics (ANOVA, t-tests, slopes) live in
:mod:`.statistics_tables`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..._optional import import_optional
from .aggregate import Omitted, Table, aggregate, show, with_swept_value
from .results import StudyResults

__all__ = [
    "BUILDERS",
    "QUALITY_COLUMNS",
    "RESOURCE_COLUMNS",
    "baseline_table",
    "clustering_head_table",
    "configurations_table",
    "embedding_dim_table",
    "instance_counts_table",
    "quality_table",
    "resources_table",
    "sensitivity_table",
    "split_ratio_table",
]

logger = logging.getLogger(__name__)

QUALITY_COLUMNS = ("train_accuracy", "test_accuracy", "test_precision_macro",
                   "test_recall_macro", "test_f1_macro")
RESOURCE_COLUMNS = ("n_train", "fit_seconds", "predict_seconds", "peak_rss_mb")
_NAMES = {"train_accuracy": "ACC train", "test_accuracy": "ACC test",
          "test_precision_macro": "precision", "test_recall_macro": "recall",
          "test_f1_macro": "F1", "train_nmi": "NMI", "train_ari": "ARI",
          "test_nmi": "NMI test", "test_ari": "ARI test", "gap": "train − test ACC"}
_TEST_NOTE = ("ACC is the Hungarian-matched accuracy; the cluster-to-class mapping is found "
              "on the training part and reused on the test part.")


def _simple(results: StudyResults, kind: str, table_id: str, title: str, caption: str,
            by: tuple[str, ...], columns: tuple[str, ...]) -> Table | Omitted:
    rows = results.of_kind(kind)
    if not len(rows):
        return Omitted(table_id, title)
    summary = aggregate(rows, by, columns)
    return Table(table_id, title, caption, summary, show(summary, by, columns, _NAMES))


def instance_counts_table(results: StudyResults) -> Table | Omitted:
    """Table 1: instances per class in each balance arm and fraction, as drawn."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    title = "Table 1: instances per class, balanced vs unbalanced"
    rows = results.of_kind("fraction_balance")
    if not len(rows):
        return Omitted("table1", title)
    draws = rows.drop_duplicates(["dataset", "fraction", "arm", "seed"])
    records = []
    for (dataset, fraction, arm), group in draws.groupby(["dataset", "fraction", "arm"]):
        counts = pd.DataFrame(list(group["class_counts"])).mean(axis=0)
        for name, count in counts.items():
            records.append({"dataset": dataset, "class": name, "column": f"{arm} {fraction:.0%}",
                            "count": float(count)})
        records.append({"dataset": dataset, "class": "total", "column": f"{arm} {fraction:.0%}",
                        "count": float(counts.sum())})
    long = pd.DataFrame.from_records(records)
    data = long.pivot_table(index=["dataset", "class"], columns="column", values="count",
                            sort=False).reset_index()
    last = data["class"] == "total"  # each dataset's classes in drawn order, then its total
    data = data.assign(_last=last).sort_values(["dataset", "_last"], kind="stable")
    data = data.drop(columns="_last").reset_index(drop=True)
    data.columns.name = None
    display = data.copy()
    for column in display.columns[2:]:
        display[column] = [f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
                           for v in display[column]]
    caption = ("Rows drawn per class (mean over seeds; an unbalanced draw has the stated "
               "largest/smallest class ratio). Columns: balance arm and fraction of the pool.")
    return Table("table1", title, caption, data, display)


def configurations_table(results: StudyResults) -> Table | Omitted:
    """Table 2: the hyperparameters each method variant ran with, and what they gave."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    title = "Table 2: hyperparameters used"
    rows = results.of_kind("configurations")
    if not len(rows):
        return Omitted("table2", title)
    labels = list(dict.fromkeys(rows["label"]))
    params = {label: rows.loc[rows["label"] == label, "params_used"].iloc[0] or {}
              for label in labels}
    names = sorted({n for p in params.values() for n in p} - {"random_state", "verbose"})
    data = {"parameter": [*names, "method"]}
    for label in labels:
        method = rows.loc[rows["label"] == label, "method"].iloc[0]
        data[label] = [_text(params[label].get(n)) for n in names] + [method]
    summary = aggregate(rows, ("dataset", "label"), ("test_accuracy", "fit_seconds"))
    shown = show(summary, ("dataset", "label"), ("test_accuracy", "fit_seconds"), _NAMES)
    for dataset in dict.fromkeys(summary["dataset"]):
        for column in ("ACC test", "fit s"):
            data["parameter"].append(f"{column} ({dataset})")
            for label in labels:
                match = shown[(shown["dataset"] == dataset) & (shown["label"] == label)]
                data[label].append(match[column].iloc[0] if len(match) else "—")
    table = pd.DataFrame(data)
    caption = ("Parameters as the fitted method reports them (values resolved from the data "
               "included), then test ACC and fit time (mean ± std over seeds).")
    return Table("table2", title, caption, table, table)


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return "(" + ", ".join(str(v) for v in value) + ")"
    return str(value)


def _swept(results: StudyResults, kind: str, table_id: str, title: str, caption: str,
           columns: tuple[str, ...]) -> Table | Omitted:
    rows, name = with_swept_value(results.of_kind(kind), kind)
    if name is None:
        reason = "" if not len(results.of_kind(kind)) else (
            f"no single swept parameter in the '{kind}' experiment, so no {title}")
        return Omitted(table_id, title, reason)
    by = ("dataset", "label", "value")
    summary = aggregate(rows, by, columns).rename(columns={"value": name})
    display = show(summary, ("dataset", "label", name), columns, _NAMES)
    return Table(table_id, title, caption, summary, display)


def embedding_dim_table(results: StudyResults) -> Table | Omitted:
    """Table 3: the sweep over the embedding dimension H, per dataset."""
    return _swept(results, "embedding_dim", "table3", "Table 3: embedding dimension H sweep",
                  "Accuracy, fit (training) time, predict (test) time and peak memory for each "
                  "H, per dataset. " + _TEST_NOTE,
                  ("train_accuracy", "test_accuracy", "fit_seconds", "predict_seconds",
                   "peak_rss_mb"))


def quality_table(results: StudyResults) -> Table | Omitted:
    """Tables 4-5: accuracy, precision, recall and F1 by fraction, balanced vs unbalanced."""
    return _simple(results, "fraction_balance", "table4_5",
                   "Tables 4-5: quality by fraction, balanced vs unbalanced",
                   "Precision, recall and F1 are macro averages on the test part. " + _TEST_NOTE,
                   ("dataset", "label", "fraction", "arm"), QUALITY_COLUMNS)


def resources_table(results: StudyResults) -> Table | Omitted:
    """Tables 6-7: training time, test time and memory by fraction."""
    return _simple(results, "fraction_balance", "table6_7",
                   "Tables 6-7: time and memory by fraction",
                   "fit s is the training time, predict s the test time (wall seconds); peak MB "
                   "is the resident-memory high-water mark of the worker during the run.",
                   ("dataset", "label", "fraction", "arm"), RESOURCE_COLUMNS)


def baseline_table(results: StudyResults) -> Table | Omitted:
    """Baseline comparison: accuracy, NMI, ARI and time of every method, per dataset."""
    return _simple(results, "baselines", "baselines", "Baseline comparison",
                   "NMI and ARI need no cluster-to-class mapping. Methods that cannot label "
                   "unseen points show — on the test part. " + _TEST_NOTE,
                   ("dataset", "label"),
                   ("train_accuracy", "test_accuracy", "train_nmi", "train_ari", "test_nmi",
                    "test_ari", "fit_seconds"))


def split_ratio_table(results: StudyResults) -> Table | Omitted:
    """Train/test ratio comparison, with the train − test accuracy gap."""
    rows = results.of_kind("split_ratio").copy()
    if len(rows):
        rows["gap"] = rows["train_accuracy"] - rows["test_accuracy"]
    return _simple_rows(rows, "split_ratio", "Train/test split ratio",
                        "A positive gap means the clusters fit the training part better than "
                        "unseen points. " + _TEST_NOTE,
                        ("dataset", "label", "train_ratio"),
                        ("n_train", "train_accuracy", "test_accuracy", "gap"))


def _simple_rows(rows, table_id: str, title: str, caption: str, by: tuple[str, ...],
                 columns: tuple[str, ...]) -> Table | Omitted:
    if not len(rows):
        return Omitted(table_id, title)
    summary = aggregate(rows, by, columns)
    return Table(table_id, title, caption, summary, show(summary, by, columns, _NAMES))


def clustering_head_table(results: StudyResults) -> Table | Omitted:
    """k-means, SOM and Laplacian clustering heads on the embedding."""
    return _swept(results, "clustering_head", "clustering_head", "Clustering heads",
                  "The same embedding clustered by each head. " + _TEST_NOTE,
                  ("train_accuracy", "test_accuracy", "train_nmi", "fit_seconds"))


def sensitivity_table(results: StudyResults) -> Table | Omitted:
    """Sensitivity to the learning rate, k and the number of epochs."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    title = "Sensitivity to lr, k and epochs"
    parts = []
    for kind in ("learning_rate", "k", "epochs"):
        rows, name = with_swept_value(results.of_kind(kind), kind)
        if name is None:
            continue
        rows = rows.assign(parameter=name, value=rows["value"].astype(float))
        parts.append(aggregate(rows, ("parameter", "dataset", "label", "value"),
                               ("train_accuracy", "test_accuracy", "fit_seconds")))
    if not parts:
        return Omitted("sensitivity", title)
    summary = pd.concat(parts, ignore_index=True)
    columns = ("train_accuracy", "test_accuracy", "fit_seconds")
    display = show(summary, ("parameter", "dataset", "label", "value"), columns, _NAMES)
    return Table("sensitivity", title, "Accuracy and fit time for each value tried. " + _TEST_NOTE,
                 summary, display)


BUILDERS: tuple[Callable[[StudyResults], Table | Omitted], ...] = (
    instance_counts_table, configurations_table, embedding_dim_table, quality_table,
    resources_table, baseline_table, split_ratio_table, clustering_head_table, sensitivity_table,
)
"""The descriptive tables, in report order."""

