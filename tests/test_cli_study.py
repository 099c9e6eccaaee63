"""The study and report subcommands: run, summarise, report, resume, one-line errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from spectralbench.cli import main
from spectralbench.study import ResultsStore

TINY = """
[study]
name = "tiny-cli"
datasets = ["kmnist"]
data_split = "test"
max_samples = 200
seeds = [0, 1]
embedding_sample = 20

[methods.kmeans]
n_init = 1

[[experiments]]
kind = "baselines"
methods = ["kmeans"]
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(TINY))
    return path


def test_study_runs_prints_summary_and_writes_report(config, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["study", "--config", str(config), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Study tiny-cli: 2 runs done, 0 already stored, 0 failed" in text
    summary = next(line for line in text.splitlines() if line.startswith("kmnist"))
    assert summary.split()[1] == "kmeans" and summary.split()[-1] == "2"
    assert (out / "report.html").is_file() and (out / "tables" / "baselines.csv").is_file()
    with ResultsStore(out) as store:
        assert len(store.finished_keys()) == 2

    assert main(["study", "--config", str(config), "--out", str(out), "--quiet",
                 "--no-report"]) == 0
    assert "0 runs done, 2 already stored" in capsys.readouterr().out


def test_no_report_then_report_subcommand(config, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["study", "--config", str(config), "--out", str(out), "-q", "--no-report"]) == 0
    assert not (out / "report.html").exists()
    assert main(["report", str(out)]) == 0
    assert f"Report: {out / 'report.html'}" in capsys.readouterr().out
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="baselines"' in page and "data:image/png;base64," in page


def test_default_output_folder_is_results_and_study_name(config, tmp_path, monkeypatch,
                                                          capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["study", "--config", str(config), "-q", "--no-report"]) == 0
    assert (tmp_path / "results" / "tiny-cli" / "results.sqlite").is_file()


def test_report_of_a_folder_without_results_is_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("spectralbench: error: ") and err.count("\n") == 1
    assert "holds no results database" in err


def test_unknown_preset_is_one_line_with_a_suggestion(capsys):
    assert main(["study", "--config", "quik", "--no-report"]) == 1
    assert "Did you mean 'quick'?" in capsys.readouterr().err


def test_workers_must_be_positive(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["study", "--workers", "0"])
    assert exit_info.value.code == 2
    assert "'0' is not a positive integer" in capsys.readouterr().err


def test_cli_import_does_not_import_torch_or_the_study():
    code = ("import sys, spectralbench.cli as c; c.build_parser(); "
            "print('torch' in sys.modules, 'spectralbench.study' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]
