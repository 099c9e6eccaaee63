"""Write a study's report: ``report.md``, ``report.html``, ``tables/*.csv``, ``figures/*.png``.

:func:`write_report` reads the results database of an output folder, builds
every table and figure the stored runs allow (each missing one becomes a
one-line note), and writes them; the HTML is self-contained, its figures
embedded as base64 PNGs. :func:`summary_text` is the compact table
``spectralbench study`` prints at the end.
"""

from __future__ import annotations

import base64
import html
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..._logging import timed
from ..._optional import import_optional
from ..config import StudyConfig
from .aggregate import Figure, Omitted, Table, aggregate, fmt
from .figures import figure2, figure3, loss_curves, sensitivity_figure
from .findings import findings, paper_table
from .results import StudyResults, load_results
from .statistics_tables import anova_table, complexity_table, significance_table
from .tables import BUILDERS
from .views import confusion_figure, embedding_figure, examples_figure

__all__ = ["summary_text", "write_report"]

logger = logging.getLogger(__name__)

FIGURES: tuple[Callable[[StudyResults, Path, int], Figure | Omitted], ...] = (
    figure2, figure3, confusion_figure, loss_curves, sensitivity_figure, embedding_figure,
    examples_figure,
)
"""The figure builders, in report order."""

MAX_FAILURES_SHOWN = 20
"""Failed runs listed by name in the report's header."""

_CSS = """body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;
color:#222}table{border-collapse:collapse;font-size:13px;margin:.5em 0}th,td{border:1px solid
#ccc;padding:3px 7px;text-align:right}th{background:#f2f2f2}td:first-child,th:first-child{
text-align:left}img{max-width:100%}.note{color:#777;font-style:italic}figcaption,.caption{
font-size:13px;color:#444}"""


def write_report(out_dir: str | os.PathLike, *, config: StudyConfig | None = None,
                 dpi: int = 110) -> dict[str, Path]:
    """Write the report of the study stored in ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        A study's output folder (holding ``results.sqlite`` and ``artifacts/``).
    config : StudyConfig, optional
        The study's definition, for its name and description; by default they
        are read from the database.
    dpi : int, default=110
        Resolution of the PNG figures.

    Returns
    -------
    dict of str to Path
        ``"markdown"``, ``"html"``, then ``"table:<id>"`` per CSV and
        ``"figure:<id>"`` per PNG written.

    Raises
    ------
    ResultsStoreError
        When ``out_dir`` holds no (readable) results database.
    MissingDependencyError
        When pandas, matplotlib or statsmodels is missing
        (``pip install 'spectralbench[study]'``).
    """
    results = load_results(out_dir)
    out = results.out_dir
    name = config.name if config is not None else results.name
    description = config.description if config is not None else results.description
    with timed(logger, f"report of study {name}"):
        tables = {t.id: t for t in _tables(results)}
        figures = [build(results, out / "figures", dpi) for build in FIGURES]
        sentences = findings(results, tables)
    paths: dict[str, Path] = {}
    (out / "tables").mkdir(exist_ok=True)
    for table in tables.values():
        if isinstance(table, Table):
            path = out / "tables" / f"{table.id}.csv"
            table.data.to_csv(path, index=False)
            paths[f"table:{table.id}"] = path
    paths.update({f"figure:{f.id}": f.path for f in figures if isinstance(f, Figure)})
    header = _header(results, name, description)
    header += [f"Failed: {label} on {dataset}: {error}"
               for label, dataset, error in results.failures[:MAX_FAILURES_SHOWN]]
    items = list(tables.values())
    markdown = out / "report.md"
    markdown.write_text(_markdown(name, header, sentences, items, figures, out), encoding="utf-8")
    page = out / "report.html"
    page.write_text(_html(name, header, sentences, items, figures), encoding="utf-8")
    logger.info("wrote %s and %s", markdown, page)
    return {"markdown": markdown, "html": page, **paths}


def _tables(results: StudyResults) -> list[Table | Omitted]:
    built = [paper_table(results), *(build(results) for build in BUILDERS)]
    return [*built, anova_table(results), significance_table(results), complexity_table(results)]


def _header(results: StudyResults, name: str, description: str) -> list[str]:
    runs = results.runs
    n_ok = runs["key"].nunique() if len(runs) else 0
    machine = results.machine
    lines = [description] if description else []
    lines.append(f"{n_ok} finished runs, {len(results.failures)} failed; generated "
                 f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.")
    if machine:
        lines.append(f"Machine: {machine.get('cpu_model', '?')}, {machine.get('usable_cores', '?')}"
                     f" usable cores, torch {machine.get('torch', '?')}, "
                     f"{machine.get('torch_threads', '?')} torch threads per run.")
    return lines


def _markdown(name: str, header: list[str], sentences: list[str], items: list,
              figures: list, out: Path) -> str:
    parts = [f"# Study report: {name}", "", *header, "", "## What we found", ""]
    parts += [f"- {s}" for s in sentences] or ["_No finished runs yet._"]
    parts += ["", "## Tables", ""]
    for item in items:
        if isinstance(item, Omitted):
            parts += [f"_{item.note}._", ""]
            continue
        parts += [f"### {item.title}", "", item.caption, "", _pipe_table(item.display),
                  "", f"CSV: `tables/{item.id}.csv`", ""]
    parts += ["## Figures", ""]
    for figure in figures:
        if isinstance(figure, Omitted):
            parts += [f"_{figure.note}._", ""]
            continue
        parts += [f"### {figure.title}", "", f"![{figure.title}]"
                  f"({figure.path.relative_to(out).as_posix()})", "", figure.caption, ""]
    return "\n".join(parts)


def _pipe_table(frame) -> str:
    cells = [[str(c) for c in frame.columns]] + [[str(v) for v in row]
                                                  for row in frame.itertuples(index=False)]
    escape = [[c.replace("|", "\\|") for c in row] for row in cells]
    lines = ["| " + " | ".join(row) + " |" for row in escape]
    lines.insert(1, "|" + "|".join("---" for _ in frame.columns) + "|")
    return "\n".join(lines)


def _html(name: str, header: list[str], sentences: list[str], items: list,
          figures: list) -> str:
    esc = html.escape
    body = [f"<h1>Study report: {esc(name)}</h1>"] + [f"<p>{esc(line)}</p>" for line in header]
    body.append('<h2 id="findings">What we found</h2>')
    body.append("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in sentences) + "</ul>"
                if sentences else '<p class="note">No finished runs yet.</p>')
    body.append("<h2>Tables</h2>")
    for item in items:
        if isinstance(item, Omitted):
            body.append(f'<p class="note" id="{item.id}">{esc(item.note)}.</p>')
            continue
        body.append(f'<section id="{item.id}"><h3>{esc(item.title)}</h3>'
                    f'<p class="caption">{esc(item.caption)}</p>'
                    f"{item.display.to_html(index=False, border=0)}</section>")
    body.append("<h2>Figures</h2>")
    for figure in figures:
        if isinstance(figure, Omitted):
            body.append(f'<p class="note" id="{figure.id}">{esc(figure.note)}.</p>')
            continue
        data = base64.b64encode(figure.path.read_bytes()).decode("ascii")
        body.append(f'<figure id="{figure.id}"><h3>{esc(figure.title)}</h3>'
                    f'<img alt="{esc(figure.title)}" src="data:image/png;base64,{data}">'
                    f"<figcaption>{esc(figure.caption)}</figcaption></figure>")
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Study '
            f"report: {esc(name)}</title><style>{_CSS}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def summary_text(out_dir: str | os.PathLike) -> str:
    """A compact method x dataset table of a study: ACC mean ± std, test ACC, fit seconds.

    Parameters
    ----------
    out_dir : path-like
        A study's output folder.

    Returns
    -------
    str
        One line per (dataset, method label) with train and test ACC as
        mean ± std over runs and the mean fit time, taken from the baseline
        comparison, else the configurations, else the largest balanced fraction
        (all runs when the study has none of these); a line saying there are no
        finished runs when none are stored.
    """
    results = load_results(out_dir)
    runs = results.runs
    if not len(runs):
        return f"Study {results.name}: no finished runs."
    unique = _comparable(runs).drop_duplicates(["key", "label"])
    summary = aggregate(unique, ("dataset", "label"),
                        ("train_accuracy", "test_accuracy", "fit_seconds"))
    lines = [f"{'dataset':<16} {'method':<22} {'ACC (train)':>16} {'ACC (test)':>16} "
             f"{'fit s':>8} {'runs':>5}"]
    for _, row in summary.iterrows():
        count = int(((unique["dataset"] == row["dataset"])
                     & (unique["label"] == row["label"])).sum())
        lines.append(f"{row['dataset']:<16} {row['label']:<22} "
                     f"{_pm(row, 'train_accuracy'):>16} {_pm(row, 'test_accuracy'):>16} "
                     f"{fmt(row['fit_seconds_mean']):>8} {count:>5}")
    if results.failures:
        lines.append(f"{len(results.failures)} run(s) failed; see the report.")
    return "\n".join(lines)


def _comparable(runs):
    """Per (dataset, label), the runs of the first comparison experiment that has it."""
    pd = import_optional("pandas", extra="study", feature="the study report")
    fraction = runs[runs["kind"] == "fraction_balance"]
    fraction = fraction[(fraction["arm"] == "balanced")
                        & (fraction["fraction"] == fraction["fraction"].max())]
    parts, seen = [], set()
    for rows in (runs[runs["kind"] == "baselines"], runs[runs["kind"] == "configurations"],
                 fraction):
        for pair, group in rows.groupby(["dataset", "label"], sort=False):
            if pair not in seen:
                seen.add(pair)
                parts.append(group)
    return pd.concat(parts) if parts else runs


def _pm(row, column: str) -> str:
    mean, std = row[f"{column}_mean"], row[f"{column}_std"]
    return fmt(mean) if std != std else f"{fmt(mean)} ± {fmt(std)}"
