"""The study: a TOML definition expanded into runs, executed and stored in SQLite.

``run_study(config, out_dir)`` is what ``spectralbench study`` calls. A study is
loaded by :func:`load_config` (a preset name or a TOML path), expanded into
:class:`Run` objects with stable keys by :func:`expand_grid`, executed one run at
a time by :func:`execute_run` (in this process, a process pool or on dask) and
stored by :class:`ResultsStore` in ``<out_dir>/results.sqlite``.
"""

from .config import DatasetSpec, Experiment, MethodSpec, StudyConfig, load_config, preset_names
from .execute import DataCache, RunResult, execute_run
from .grid import Membership, Run, StudyGrid, expand_grid
from .runner import StudySummary, run_study
from .store import ResultsStore, ResultsStoreError

__all__ = [
    "DataCache",
    "DatasetSpec",
    "Experiment",
    "Membership",
    "MethodSpec",
    "ResultsStore",
    "ResultsStoreError",
    "Run",
    "RunResult",
    "StudyConfig",
    "StudyGrid",
    "StudySummary",
    "execute_run",
    "expand_grid",
    "load_config",
    "preset_names",
    "run_study",
]
