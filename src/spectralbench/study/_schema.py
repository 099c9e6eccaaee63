"""The vocabulary of a study file: valid keys, experiment kinds, method parameters,
and the small checkers that turn raw TOML values into validated tuples.

Kept apart from the loader so that the report and the docs can read the same
tables, and so that each name lives in exactly one place. Every checker raises
:class:`ConfigError` naming the place (``where``), the value and the rule.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .._validation import did_you_mean
from ..exceptions import ConfigError

__all__ = [
    "BALANCES",
    "DATA_SPLITS",
    "EXPERIMENT_KEYS",
    "EXPERIMENT_KINDS",
    "STUDY_KEYS",
    "TOP_LEVEL_KEYS",
    "as_list",
    "as_table",
    "balances",
    "check_dataset_name",
    "check_keys",
    "check_method_params",
    "fractions",
    "freeze",
    "imbalance_ratios",
    "is_int",
    "known_methods",
    "numbers_in",
    "seeds",
    "train_ratios",
]

TOP_LEVEL_KEYS = ("study", "methods", "experiments")
STUDY_KEYS = (
    "name", "description", "datasets", "data_split", "max_samples", "label_column",
    "fractions", "balances", "imbalance_ratios", "train_ratios", "methods", "seeds",
    "n_clusters", "embedding_sample",
)
EXPERIMENT_KEYS = (
    "name", "kind", "description", "datasets", "fractions", "balances", "imbalance_ratios",
    "train_ratios", "methods", "grid", "seeds",
)
BALANCES = ("balanced", "unbalanced")
DATA_SPLITS = ("all", "train", "test")
USER_FILE_SUFFIXES = (".npz", ".csv")

EXPERIMENT_KINDS: dict[str, tuple[str, ...]] = {
    "fraction_balance": ("table1", "table4", "table5", "table6", "table7", "figure2", "figure3",
                         "complexity_n"),
    "embedding_dim": ("table3", "sensitivity_embedding_dim", "complexity_embedding_dim"),
    "learning_rate": ("sensitivity_lr",),
    "k": ("sensitivity_k",),
    "epochs": ("complexity_epochs", "loss_curves"),
    "split_ratio": ("split_ratio",),
    "clustering_head": ("clustering_head",),
    "configurations": ("table2",),
    "baselines": ("baseline_comparison", "significance"),
    "custom": (),
}
"""Experiment kinds and the report parts (tables, figures) each one feeds."""

def known_methods() -> tuple[str, ...]:
    """Names accepted by ``spectralbench.baselines.make``."""
    from ..baselines import available

    return tuple(available())


def check_keys(table: Mapping[str, Any], valid: Iterable[str], where: str) -> None:
    """Raise :class:`ConfigError` for the first key of ``table`` not in ``valid``.

    The message names the key, where it is (``where``: file and section) and the
    closest valid key.
    """
    valid = tuple(valid)
    for key in table:
        if key not in valid:
            tip = did_you_mean(key, valid)
            raise ConfigError(
                f"Unknown key '{key}' in {where}.{tip} "
                f"Valid keys there: {', '.join(valid)}."
            )


def check_method_params(method: str, params: Mapping[str, Any], where: str) -> None:
    """Reject parameters the method does not take, naming the closest valid one."""
    if "random_state" in params:
        raise ConfigError(f"{where}: do not set random_state; each run's seed comes from the "
                          "study's 'seeds'.")
    from ..baselines import method_class

    accepted = [name for name in method_class(method)._get_param_names() if name != "random_state"]
    check_keys(params, accepted, where)


def check_dataset_name(name: str, base: Path, where: str) -> Path | None:
    """Return the resolved path for a user file, None for a registry name, else raise.

    A relative path is looked up beside the study file first, then in the current
    folder.
    """
    from ..data.registry import available_datasets

    registry = available_datasets()
    if name in registry:
        return None
    for folder in (base, Path.cwd()):
        path = (folder / name).expanduser()
        if path.is_file():
            if path.suffix.lower() not in USER_FILE_SUFFIXES:
                raise ConfigError(f"{where}: dataset file {path} must be an .npz (keys X, y) or "
                                  "a .csv with a label column.")
            return path.resolve()
    tip = did_you_mean(name, registry)
    raise ConfigError(
        f"{where}: dataset {name!r} is neither a registered dataset nor an existing file.{tip} "
        f"Registered: {', '.join(registry)}; or give the path of an .npz/.csv file."
    )


def fractions(value: Any, where: str) -> tuple[float, ...]:
    """Shares of the pool to draw: numbers in (0, 1]."""
    return numbers_in(value, where, "fractions", lambda v: 0 < v <= 1, "in (0, 1]")


def train_ratios(value: Any, where: str) -> tuple[float, ...]:
    """Shares of a draw used for fitting: numbers in (0, 1)."""
    return numbers_in(value, where, "train_ratios", lambda v: 0 < v < 1, "in (0, 1)")


def imbalance_ratios(value: Any, where: str) -> tuple[float, ...]:
    """Largest over smallest class size of unbalanced draws: numbers > 1."""
    return numbers_in(value, where, "imbalance_ratios", lambda v: v > 1,
                      "> 1 (largest class / smallest class)")


def balances(value: Any, where: str) -> tuple[str, ...]:
    """Balance arms: each ``"balanced"`` or ``"unbalanced"``."""
    values = as_list(value, where, "balances")
    for v in values:
        if v not in BALANCES:
            tip = did_you_mean(str(v), BALANCES)
            raise ConfigError(f"{where}: balances entry {v!r} is not a balance arm.{tip} "
                              f"Use {' or '.join(BALANCES)}.")
    return tuple(dict.fromkeys(values))


def seeds(value: Any, where: str) -> tuple[int, ...]:
    """Seeds: non-negative integers (numpy SeedSequence needs them so)."""
    values = as_list(value, where, "seeds")
    for v in values:
        if not is_int(v, low=0):
            raise ConfigError(f"{where}: seeds entry {v!r} must be a non-negative integer.")
    return tuple(dict.fromkeys(values))


def numbers_in(value: Any, where: str, key: str, rule: Callable[[float], bool],
               text: str) -> tuple[float, ...]:
    """Numbers (as floats, duplicates dropped) passing ``rule``, described by ``text``."""
    values = as_list(value, where, key)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not rule(v):
            raise ConfigError(f"{where}: {key} entry {v!r} must be a number {text}.")
    return tuple(dict.fromkeys(float(v) for v in values))


def as_list(value: Any, where: str, key: str) -> list:
    """A scalar becomes a one-item list; an empty list raises."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ConfigError(f"{where}: {key} is empty; give at least one value.")
    return values


def is_int(value: Any, low: int) -> bool:
    """True for an int (not a bool) >= ``low``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def as_table(value: Any, path: Path, where: str) -> dict:
    """A TOML table as a dict; anything else raises."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path} {where} must be a table, got {value!r}.")
    return dict(value)


def freeze(value: Any) -> Any:
    """Lists (e.g. ``hidden = [512, 256]``) become tuples so runs stay hashable."""
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value
