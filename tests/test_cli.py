"""The spectralbench command: datasets list/verify, exit codes, one-line errors."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from spectralbench.cli import build_parser, main


def test_help_lists_commands_and_global_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for word in ("datasets", "--quiet", "--verbose", "--debug"):
        assert word in text


def test_datasets_list_shows_each_split_verified(capsys):
    assert main(["datasets", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    assert lines[1].split()[:5] == ["fashion_mnist", "train", "60,000", "10", "verified"]
    assert all("verified" in line and "datasets" in line for line in lines[1:])


def test_datasets_verify_passes_on_bundled_files(capsys):
    assert main(["datasets", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.count("OK ") == 4 and "All dataset files verified." in out


def test_verify_fails_with_exit_1_on_a_flipped_byte(tmp_path, datasets_dir, capsys):
    copy = tmp_path / "kmnist_test.npz"
    data = bytearray((datasets_dir / "kmnist_test.npz").read_bytes())
    data[12345] ^= 0x01
    copy.write_bytes(bytes(data))
    shutil.copyfile(datasets_dir / "kmnist_train.npz", tmp_path / "kmnist_train.npz")
    assert main(["datasets", "verify", "kmnist", "--data-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "OK      kmnist train" in captured.out
    assert f"FAILED  kmnist test: {copy} is corrupted" in captured.out
    assert "1 dataset file set(s) failed verification." in captured.err


def test_missing_dataset_is_reported_as_failure(tmp_path, capsys):
    assert main(["datasets", "verify", "fashion_mnist", "--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().out.count("FAILED  fashion_mnist") == 2
    assert main(["datasets", "list", "--data-dir", str(tmp_path), "--no-verify"]) == 0
    assert "not found" in capsys.readouterr().out


def test_bad_input_prints_one_line_and_debug_shows_traceback(capsys):
    assert main(["datasets", "verify", "mnist"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spectralbench: error: unknown dataset 'mnist'")
    assert err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        main(["datasets", "verify", "mnist", "--debug"])


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["datasets"])
    assert exit_info.value.code == 2
    assert "ACTION" in capsys.readouterr().err


def test_subcommands_have_handlers():
    args = build_parser().parse_args(["-v", "datasets", "list"])
    assert args.verbose and callable(args.handler)


def test_console_script_runs_without_importing_torch():
    code = ("import sys; from spectralbench.cli import main; "
            "rc = main(['datasets', 'list', '--no-verify']); "
            "sys.exit(rc or ('torch' in sys.modules) * 3)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "kmnist" in result.stdout
