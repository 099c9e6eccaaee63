"""The study report: CSV tables, figures, findings and notes for what a study lacks."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pandas as pd
import pytest

from spectralbench.study import ResultsStore, ResultsStoreError, run_study
from spectralbench.study.report import PAPER_REPORTED, load_results, summary_text, write_report

TINY = """
[study]
name = "tiny-report"
datasets = ["fashion_mnist"]
data_split = "test"
max_samples = 300
seeds = [0, 1]
embedding_sample = 60
methods = ["kmeans"]

[methods.kmeans]
n_init = 1

[methods.pca_kmeans]
n_init = 1

[methods.spectralnet]
epochs = 2
affinity_space = "input"
hidden = [64, 64]

[[experiments]]
kind = "fraction_balance"
fractions = [0.5, 1.0]
balances = ["balanced", "unbalanced"]

[[experiments]]
kind = "embedding_dim"
methods = ["pca_kmeans"]
[experiments.grid.pca_kmeans]
n_components = [2, 8, 32]

[[experiments]]
kind = "baselines"
methods = ["spectralnet", "kmeans", "pca_kmeans"]
"""

TABLES = {"paper", "table1", "table3", "table4_5", "table6_7", "baselines", "anova",
          "significance", "complexity"}
FIGURES = {"figure2", "figure3", "confusion", "loss_curves", "sensitivity_plot", "embedding",
           "examples"}
ABSENT = {"Table 2: hyperparameters used", "Train/test split ratio", "Clustering heads",
          "Sensitivity to lr, k and epochs"}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A tiny real study (k-means, PCA k-means, a small SpectralNet) and its report."""
    folder = tmp_path_factory.mktemp("report")
    config = folder / "tiny.toml"
    config.write_text(textwrap.dedent(TINY))
    out = folder / "out"
    summary = run_study(config, out, verbose=0)
    assert summary.n_failed == 0, summary.failures
    paths = write_report(out, dpi=50)
    with ResultsStore(out) as store:
        rows = pd.DataFrame(store.rows())
    return out, paths, rows


def test_every_supported_table_and_figure_is_written(study):
    out, paths, _ = study
    assert {k.split(":", 1)[1] for k in paths if k.startswith("table:")} == TABLES
    assert {k.split(":", 1)[1] for k in paths if k.startswith("figure:")} == FIGURES
    assert sorted(p.name for p in (out / "tables").iterdir()) == sorted(f"{t}.csv"
                                                                         for t in TABLES)
    for figure in FIGURES:
        assert (out / "figures" / f"{figure}.png").read_bytes()[:4] == b"\x89PNG"


def test_html_is_self_contained_and_holds_every_part(study):
    _out, paths, _ = study
    page = paths["html"].read_text(encoding="utf-8")
    for part in TABLES | FIGURES:
        assert f'id="{part}"' in page, part
    assert page.count('src="data:image/png;base64,') == len(FIGURES)
    assert "figures/" not in page.split("<body>")[1].replace("tables/", "")
    markdown = paths["markdown"].read_text(encoding="utf-8")
    for figure in FIGURES:
        assert f"(figures/{figure}.png)" in markdown


def test_parts_without_runs_are_noted_not_crashed(study):
    _, paths, _ = study
    page = paths["html"].read_text(encoding="utf-8")
    markdown = paths["markdown"].read_text(encoding="utf-8")
    for title in ABSENT:
        note = f"no runs for {title} in this study"
        assert note in page and note in markdown


def test_quality_table_is_the_mean_over_seeds_of_the_stored_runs(study):
    out, _, rows = study
    table = pd.read_csv(out / "tables" / "table4_5.csv")
    assert len(table) == 4 and set(table["arm"]) == {"balanced", "unbalanced x5"}
    assert (table["n_seeds"] == 2).all()
    kmeans = rows[(rows["method"] == "kmeans")]
    for _, line in table.iterrows():
        balance = "balanced" if line["arm"] == "balanced" else "unbalanced"
        runs = kmeans[(kmeans["fraction"] == line["fraction"]) & (kmeans["balance"] == balance)]
        assert len(runs) == 2
        assert line["test_accuracy_mean"] == pytest.approx(runs["test_accuracy"].mean())
        assert line["test_accuracy_std"] == pytest.approx(runs["test_accuracy"].std(ddof=1))
        assert line["test_accuracy_ci_low"] < line["test_accuracy_mean"] < line[
            "test_accuracy_ci_high"]


def test_instance_counts_match_the_draws(study):
    out, _, rows = study
    table = pd.read_csv(out / "tables" / "table1.csv")
    classes = table[table["class"] != "total"]
    assert len(classes) == 10
    assert classes["balanced 100%"].nunique() == 1  # balanced: every class alike
    assert classes["unbalanced x5 100%"].nunique() > 1
    drawn = rows[(rows["fraction"] == 0.5) & (rows["balance"] == "balanced")]["n_drawn"]
    assert table.loc[table["class"] == "total", "balanced 50%"].item() == drawn.iloc[0]
    assert (table.groupby("dataset", sort=False)["class"].last() == "total").all()


def test_sweep_baselines_and_significance_tables(study):
    out, _, _ = study
    sweep = pd.read_csv(out / "tables" / "table3.csv")
    assert sweep["n_components"].tolist() == [2, 8, 32]
    baselines = pd.read_csv(out / "tables" / "baselines.csv")
    assert set(baselines["label"]) == {"spectralnet", "kmeans", "pca_kmeans"}
    assert baselines[["train_nmi_mean", "train_ari_mean"]].notna().all().all()
    tests = pd.read_csv(out / "tables" / "significance.csv")
    assert set(tests["method"]) == {"kmeans", "pca_kmeans"}
    assert (tests["reference"] == "spectralnet").all()
    assert (tests["p_holm"] >= tests["p"] - 1e-12).all()
    assert (tests["effect_measure"] == "cohen_dz").all()
    anova = pd.read_csv(out / "tables" / "anova.csv")
    assert set(anova["term"]) == {"fraction", "arm", "fraction:arm", "Residual"}
    slopes = pd.read_csv(out / "tables" / "complexity.csv")
    assert slopes["variable"].tolist() == ["N (training rows)"]
    assert np.isfinite(slopes["slope"]).all()


def test_paper_side_by_side_keeps_the_paper_values_and_our_headline(study):
    out, _, rows = study
    table = pd.read_csv(out / "tables" / "paper.csv")
    reported = {(p.dataset, p.value) for p in PAPER_REPORTED if p.dataset != "kmnist"}
    assert {(d if q != "fit_seconds" else None, v) for d, q, v in
            zip(table["dataset"], table["quantity"], table["paper"], strict=True)} == reported
    ours = rows[rows["method"] == "spectralnet"]["test_accuracy"]
    accuracy = table[table["quantity"] == "test_accuracy"]
    assert accuracy["ours_mean"].item() == pytest.approx(ours.mean())


def test_findings_quote_the_best_method_from_the_numbers(study):
    out, paths, _ = study
    baselines = pd.read_csv(out / "tables" / "baselines.csv")
    best = baselines.loc[baselines["test_accuracy_mean"].idxmax()]
    markdown = paths["markdown"].read_text(encoding="utf-8")
    found = markdown.split("## What we found")[1].split("## Tables")[0]
    assert f"most accurate method in the baseline comparison was {best['label']}" in found
    assert f"{best['test_accuracy_mean']:.3f} ± {best['test_accuracy_std']:.3f}" in found
    assert "balance arm" in found and "fit time grew as N (training rows)^" in found


def test_summary_text_has_one_line_per_method(study):
    out, _, rows = study
    lines = summary_text(out).splitlines()
    assert lines[0].split()[:2] == ["dataset", "method"]
    labels = [line.split()[1] for line in lines[1:]]
    assert sorted(labels) == ["kmeans", "pca_kmeans", "spectralnet"]
    spectralnet = next(line for line in lines if " spectralnet " in line)
    mean = rows[rows["method"] == "spectralnet"]["test_accuracy"].mean()
    assert f"{mean:.3f}" in re.split(r"\s{2,}", spectralnet)[3]


def test_empty_study_reports_without_runs(tmp_path):
    ResultsStore(tmp_path).close()
    paths = write_report(tmp_path, dpi=50)
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert "0 finished runs" in markdown and "No finished runs yet" in markdown
    assert "no runs for Table 1: instances per class, balanced vs unbalanced" in markdown
    assert not list((tmp_path / "tables").iterdir())
    assert "no finished runs" in summary_text(tmp_path)
    assert len(load_results(tmp_path).runs) == 0


def test_folder_without_results_is_refused_and_left_alone(tmp_path):
    with pytest.raises(ResultsStoreError, match="holds no results database"):
        write_report(tmp_path)
    assert not (tmp_path / "results.sqlite").exists()
