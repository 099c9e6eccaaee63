"""Study definitions: a TOML file loaded once into frozen dataclasses.

A study is a list of named experiments. Each is a small grid over datasets x
fractions x balance arms (x imbalance ratios) x train ratios x methods x method
parameter grids x seeds, inheriting what it leaves out from the ``[study]``
table. Its ``kind`` says which table or figure of the report it feeds. Presets
ship with the package (linked from the repository's ``configs/`` folder) and are
found by name. The TOML keys are documented in ``configs/quick.toml``; everything
is checked at load, so a typo fails before any run starts.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._validation import did_you_mean
from ..exceptions import ConfigError
from ._schema import (
    DATA_SPLITS,
    EXPERIMENT_KEYS,
    EXPERIMENT_KINDS,
    STUDY_KEYS,
    TOP_LEVEL_KEYS,
    as_list,
    as_table,
    balances,
    check_dataset_name,
    check_keys,
    check_method_params,
    fractions,
    freeze,
    imbalance_ratios,
    is_int,
    known_methods,
    seeds,
    train_ratios,
)

__all__ = [
    "DatasetSpec",
    "Experiment",
    "MethodSpec",
    "StudyConfig",
    "load_config",
    "preset_names",
]

#: The presets ship inside the package (``configs/`` in a checkout links to them).
PRESET_DIR = Path(__file__).resolve().parent / "presets"


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of a study: a registry name or a user's ``.npz``/``.csv`` file.

    Attributes
    ----------
    name : str
        Registry name (``"fashion_mnist"``) or the file's stem for a user file.
    path : str or None
        Absolute path of a user file; None for registry datasets.
    sha256 : str or None
        Content hash of a user file; it (not the path) enters the run key, so
        moving the file keeps the results and editing it does not.
    split : {"all", "train", "test"}
        Part of a registry dataset that forms the pool runs sample from.
    max_samples : int or None
        When set, the pool is first cut to this many rows (stratified, fixed seed 0),
        so that small studies stay small.
    label_column : str
        Column holding the labels of a user CSV.
    """

    name: str
    path: str | None
    sha256: str | None
    split: str
    max_samples: int | None
    label_column: str

    def identity(self) -> dict[str, Any]:
        """The fields that identify this pool in a run key (JSON-safe)."""
        return {"name": self.name, "sha256": self.sha256, "split": self.split,
                "max_samples": self.max_samples, "label_column": self.label_column}


@dataclass(frozen=True)
class MethodSpec:
    """A labelled method variant, e.g. ``spectralnet_paper`` = spectralnet + Table 2 params.

    ``params`` holds ``(name, value)`` pairs sorted by name; list values are tuples.
    """

    label: str
    method: str
    params: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Experiment:
    """One grid of runs feeding one part of the report.

    Attributes
    ----------
    name : str
        Unique name within the study (defaults to ``kind``).
    kind : str
        One of ``EXPERIMENT_KINDS``; the report finds its data through it.
    feeds : tuple of str
        Tables and figures this kind feeds (derived from ``kind``).
    datasets : tuple of DatasetSpec
    fractions, imbalance_ratios, train_ratios : tuple of float
    balances : tuple of str
    methods : tuple of str
        Method labels (see ``StudyConfig.methods``).
    grid : tuple of (label, ((param, values), ...))
        Per method label, the parameter values to try (the product is taken).
    seeds : tuple of int
    """

    name: str
    kind: str
    feeds: tuple[str, ...]
    datasets: tuple[DatasetSpec, ...]
    fractions: tuple[float, ...]
    balances: tuple[str, ...]
    imbalance_ratios: tuple[float, ...]
    train_ratios: tuple[float, ...]
    methods: tuple[str, ...]
    grid: tuple[tuple[str, tuple[tuple[str, tuple[Any, ...]], ...]], ...]
    seeds: tuple[int, ...]

    def grid_for(self, label: str) -> tuple[tuple[str, tuple[Any, ...]], ...]:
        """Parameter grid of one method label (empty when none was given)."""
        return dict(self.grid).get(label, ())


@dataclass(frozen=True)
class StudyConfig:
    """A validated study.

    Attributes
    ----------
    name, description : str
    source : str
        Path of the TOML file.
    text : str
        The TOML text as read (stored with the results).
    methods : tuple of MethodSpec
        Every method label the experiments use.
    experiments : tuple of Experiment
    n_clusters : int or None
        Clusters asked of every method; None means the dataset's number of classes.
    embedding_sample : int
        Rows of a method's embedding kept per run for the report's 2-D views.
    """

    name: str
    description: str
    source: str
    text: str
    methods: tuple[MethodSpec, ...]
    experiments: tuple[Experiment, ...]
    n_clusters: int | None
    embedding_sample: int

    def method(self, label: str) -> MethodSpec:
        """The method variant called ``label``."""
        return next(m for m in self.methods if m.label == label)


def preset_names() -> list[str]:
    """Names of the bundled presets (``spectralbench/study/presets``), sorted."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def load_config(config: str | Path) -> StudyConfig:
    """Load and validate a study from a preset name or a TOML path.

    Parameters
    ----------
    config : str or path-like
        A preset name (``"quick"``, ``"paper"``; see :func:`preset_names`) or the
        path of a TOML file.

    Returns
    -------
    StudyConfig

    Raises
    ------
    ConfigError
        For a missing file, invalid TOML, an unknown key (naming the key, where it
        is and the closest valid key) or a bad value (naming it and the rule).
    """
    path = _resolve(config)
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return _parse(raw, path, text)


def _resolve(config: str | Path) -> Path:
    path = Path(config).expanduser()
    if path.is_file():
        return path.resolve()
    if path.suffix == "" and path.parent == Path("."):
        preset = PRESET_DIR / f"{path.name}.toml"
        if preset.is_file():
            return preset
        names = preset_names()
        tip = did_you_mean(path.name, names)
        raise ConfigError(
            f"No study preset or file named '{config}'.{tip} Presets: {', '.join(names)}; "
            "or pass the path of a TOML file."
        )
    raise ConfigError(f"Study file {path} does not exist; pass an existing .toml path or a preset "
                      f"name ({', '.join(preset_names())}).")


def _parse(raw: dict, path: Path, text: str) -> StudyConfig:
    check_keys(raw, TOP_LEVEL_KEYS, f"{path} (top level)")
    study = as_table(raw.get("study", {}), path, "[study]")
    check_keys(study, STUDY_KEYS, f"{path} [study]")
    where = f"{path} [study]"
    defaults = {
        "datasets": _datasets(study.get("datasets", ["fashion_mnist"]), study, path, where),
        "fractions": fractions(study.get("fractions", 1.0), where),
        "balances": balances(study.get("balances", "balanced"), where),
        "imbalance_ratios": imbalance_ratios(study.get("imbalance_ratios", 5.0), where),
        "train_ratios": train_ratios(study.get("train_ratios", 0.8), where),
        "seeds": seeds(study.get("seeds", [0, 1, 2]), where),
    }
    methods = _methods(as_table(raw.get("methods", {}), path, "[methods]"), path)
    default_labels = _labels(study.get("methods", list(methods) or ["spectralnet"]), methods, where)
    experiments_raw = raw.get("experiments")
    if not isinstance(experiments_raw, list) or not experiments_raw:
        raise ConfigError(f"{path} defines no experiments; add at least one [[experiments]] table "
                          "with a 'kind' (see configs/quick.toml).")
    experiments = tuple(
        _experiment(as_table(item, path, f"[[experiments]] #{i + 1}"), i, defaults, default_labels,
                    methods, study, path)
        for i, item in enumerate(experiments_raw)
    )
    names = [e.name for e in experiments]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{path}: experiment names must be unique, '{duplicates[0]}' is used "
                          "more than once; give each experiment its own 'name'.")
    used = {label for e in experiments for label in e.methods}
    n_clusters = study.get("n_clusters")
    if n_clusters is not None and not is_int(n_clusters, low=2):
        raise ConfigError(f"{where}: n_clusters={n_clusters!r} must be an integer >= 2 "
                          "(or left out to use the number of classes).")
    embedding_sample = study.get("embedding_sample", 2000)
    if not is_int(embedding_sample, low=0):
        raise ConfigError(
            f"{where}: embedding_sample={embedding_sample!r} must be an integer >= 0."
        )
    return StudyConfig(
        name=str(study.get("name", path.stem)),
        description=str(study.get("description", "")),
        source=str(path),
        text=text,
        methods=tuple(spec for label, spec in methods.items() if label in used),
        experiments=experiments,
        n_clusters=n_clusters,
        embedding_sample=embedding_sample,
    )


def _experiment(raw: dict, index: int, defaults: dict, default_labels: tuple[str, ...],
                methods: dict[str, MethodSpec], study: dict, path: Path) -> Experiment:
    label = f"[[experiments]] #{index + 1}" + (f" '{raw['name']}'" if "name" in raw else "")
    check_keys(raw, EXPERIMENT_KEYS, f"{path} {label}")
    kind = raw.get("kind")
    if kind not in EXPERIMENT_KINDS:
        tip = did_you_mean(str(kind), EXPERIMENT_KINDS)
        raise ConfigError(
            f"{path} {label}: kind={kind!r} is not an experiment kind.{tip} "
            f"Kinds: {', '.join(EXPERIMENT_KINDS)}."
        )
    name = str(raw.get("name", kind))
    where = f"{path} [[experiments]] '{name}'"
    labels = (_labels(raw["methods"], methods, where) if "methods" in raw else default_labels)
    grid_raw = as_table(raw.get("grid", {}), path, f"{where} .grid")
    grid = []
    for method_label, params in grid_raw.items():
        if method_label not in labels:
            tip = did_you_mean(method_label, labels)
            raise ConfigError(f"{where}: grid.{method_label} names a method this experiment does "
                              f"not run.{tip} Its methods: {', '.join(labels)}.")
        params = as_table(params, path, f"{where} grid.{method_label}")
        spec = methods[method_label]
        check_method_params(spec.method, params, f"{where} grid.{method_label}")
        values = []
        for key, candidates in sorted(params.items()):
            if not isinstance(candidates, list) or not candidates:
                raise ConfigError(
                    f"{where}: grid.{method_label}.{key}={candidates!r} must be a non-empty list "
                    f"of values to try, e.g. {key} = [{candidates!r}]."
                )
            values.append((key, tuple(freeze(v) for v in candidates)))
        grid.append((method_label, tuple(values)))

    def axis(key: str, parse) -> tuple:
        return parse(raw[key], where) if key in raw else defaults[key]

    datasets = (_datasets(raw["datasets"], study, path, where) if "datasets" in raw
                else defaults["datasets"])
    return Experiment(
        name=name, kind=kind, feeds=EXPERIMENT_KINDS[kind], datasets=datasets,
        fractions=axis("fractions", fractions), balances=axis("balances", balances),
        imbalance_ratios=axis("imbalance_ratios", imbalance_ratios),
        train_ratios=axis("train_ratios", train_ratios), methods=labels, grid=tuple(grid),
        seeds=axis("seeds", seeds),
    )


def _methods(raw: dict, path: Path) -> dict[str, MethodSpec]:
    names = known_methods()
    specs = {}
    for label, table in raw.items():
        where = f"{path} [methods.{label}]"
        table = dict(as_table(table, path, f"[methods.{label}]"))
        method = table.pop("method", label)
        if method not in names:
            tip = did_you_mean(str(method), names)
            raise ConfigError(f"{where}: method {method!r} is not a known method.{tip} "
                              f"Known: {', '.join(names)}.")
        preset = table.pop("preset", None)
        check_method_params(method, table, where)
        if preset is not None:
            table = {**_preset_params(method, preset, where), **table}
        params = tuple((k, freeze(v)) for k, v in sorted(table.items()))
        specs[label] = MethodSpec(label=label, method=method, params=params)
    return specs


def _preset_params(method: str, preset: Any, where: str) -> dict[str, Any]:
    """Parameters of a named SpectralNet preset (``preset = "paper"`` in a method table)."""
    if method != "spectralnet":
        raise ConfigError(f"{where}: 'preset' is only available for spectralnet, not {method!r}.")
    from ..model.presets import preset_params

    try:
        return preset_params(str(preset))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def _labels(value: Any, methods: dict[str, MethodSpec], where: str) -> tuple[str, ...]:
    names = known_methods()
    labels = []
    for label in as_list(value, where, "methods"):
        if label not in methods:
            if label not in names:
                candidates = sorted(set(names) | set(methods))
                tip = did_you_mean(str(label), candidates)
                raise ConfigError(f"{where}: method {label!r} is neither a known method nor a "
                                  f"[methods.*] variant.{tip} Known: {', '.join(candidates)}.")
            methods[label] = MethodSpec(label=label, method=label, params=())
        labels.append(label)
    return tuple(dict.fromkeys(labels))


def _datasets(value: Any, study: dict, path: Path, where: str) -> tuple[DatasetSpec, ...]:
    split = study.get("data_split", "all")
    if split not in DATA_SPLITS:
        raise ConfigError(f"{path} [study]: data_split={split!r} must be one of "
                          f"{', '.join(DATA_SPLITS)}.")
    max_samples = study.get("max_samples")
    if max_samples is not None and not is_int(max_samples, low=2):
        raise ConfigError(f"{path} [study]: max_samples={max_samples!r} must be an integer >= 2 "
                          "(or left out to use the whole pool).")
    label_column = str(study.get("label_column", "label"))
    specs = []
    for item in as_list(value, where, "datasets"):
        if not isinstance(item, str):
            raise ConfigError(f"{where}: datasets entry {item!r} must be a string (a dataset "
                              "name or the path of an .npz/.csv file).")
        file = check_dataset_name(item, path.parent, where)
        if file is None:
            specs.append(DatasetSpec(item, None, None, split, max_samples, label_column))
        else:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            specs.append(DatasetSpec(file.stem, str(file), digest, "all", max_samples,
                                     label_column))
    return tuple(specs)
