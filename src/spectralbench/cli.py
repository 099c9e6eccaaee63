"""The ``spectralbench`` command: parse arguments, call the library, set the exit code.

Each subcommand is one function that calls into :mod:`spectralbench.data` or
:mod:`spectralbench.study` (imported inside the handler); errors a user can cause print one line on
stderr (``--debug`` shows the traceback). Importing this module does not
import torch.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .exceptions import SpectralBenchError

__all__ = ["build_parser", "main"]

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _datasets_list(args: argparse.Namespace) -> int:
    """``spectralbench datasets list``: one line per dataset split."""
    from .data import DATASETS, dataset_status

    print(f"{'dataset':<14} {'split':<6} {'N':>7} {'classes':>7}  {'status':<10} location")
    for name in DATASETS:
        for status in dataset_status(name, data_dir=args.data_dir, verify=not args.no_verify):
            state = status.message if status.ok or status.folder is None else "FAILED"
            print(f"{status.dataset:<14} {status.split:<6} {status.n_samples:>7,} "
                  f"{status.n_classes:>7}  {state:<10} {status.folder or '-'}")
    return EXIT_OK


def _datasets_verify(args: argparse.Namespace) -> int:
    """``spectralbench datasets verify``: checksums and contents; 1 on any failure."""
    from .data import DATASETS, dataset_status

    names = args.names or list(DATASETS)
    failures = 0
    for name in names:
        for status in dataset_status(name, data_dir=args.data_dir):
            if status.ok:
                print(f"OK      {status.dataset} {status.split}: {status.n_samples:,} images, "
                      f"{status.n_classes} classes ({', '.join(status.files)})")
            else:
                failures += 1
                print(f"FAILED  {status.dataset} {status.split}: {status.message}")
    if failures:
        print(f"{failures} dataset file set(s) failed verification.", file=sys.stderr)
        return EXIT_FAILURE
    print("All dataset files verified.")
    return EXIT_OK


def _add_datasets(commands: argparse._SubParsersAction,
                  common: argparse.ArgumentParser) -> None:
    datasets = commands.add_parser(
        "datasets", help="list and verify the bundled datasets",
        description="Inspect the datasets (Fashion-MNIST, KMNIST): where they are found and "
                    "whether their files match the registered checksums.",
    )
    actions = datasets.add_subparsers(dest="action", metavar="ACTION", required=True)
    data_dir = argparse.ArgumentParser(add_help=False, parents=[common])
    data_dir.add_argument(
        "--data-dir", metavar="DIR",
        help="folder holding the dataset files (default: $SPECTRALBENCH_DATA, else the "
             "repository's datasets/, then the user cache)",
    )
    listing = actions.add_parser(
        "list", parents=[data_dir], help="name, size, classes, where found, verified?",
        description="List each dataset split: size, classes, whether it verifies, and "
                    "where it was found.",
    )
    listing.add_argument("--no-verify", action="store_true",
                         help="only locate the files, skip checksums (faster)")
    listing.set_defaults(handler=_datasets_list)
    verify = actions.add_parser(
        "verify", parents=[data_dir], help="check checksums and contents (exit 1 on failure)",
        description="Verify every dataset file against its registered checksum and check "
                    "its contents. Exits with status 1 when any file is missing or damaged.",
    )
    verify.add_argument("names", nargs="*", metavar="NAME",
                        help="datasets to verify (default: all)")
    verify.set_defaults(handler=_datasets_verify)


def _study(args: argparse.Namespace) -> int:
    """``spectralbench study``: run (or resume) a study, print its summary, write the report."""
    from .study import load_config, run_study
    from .study.report import summary_text, write_report

    config = load_config(args.config)
    out = Path(args.out) if args.out else Path("results") / config.name
    summary = run_study(config, out, workers=args.workers, dask_scheduler=args.dask_scheduler,
                        force=args.force, verbose=0 if args.quiet else 1)
    print(f"Study {summary.name}: {summary.n_ok} runs done, {summary.n_skipped} already stored, "
          f"{summary.n_failed} failed ({summary.wall_seconds:.0f} s); results in "
          f"{summary.db_path}")
    print(summary_text(out))
    if not args.no_report:
        paths = write_report(out, config=config)
        print(f"Report: {paths['html']} (and report.md, tables/, figures/)")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    """``spectralbench report DIR``: write the report of a stored study."""
    from .study.report import write_report

    paths = write_report(args.dir)
    print(f"Report: {paths['html']} (and report.md, tables/, figures/)")
    return EXIT_OK


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer; pass e.g. 2")
    return value


def _add_study(commands: argparse._SubParsersAction,
               common: argparse.ArgumentParser) -> None:
    study = commands.add_parser(
        "study", parents=[common], help="run the benchmark study and write its report",
        description="Run every run of a study that is not stored yet (a killed study resumes "
                    "where it stopped), print a summary table and write the report "
                    "(report.html, report.md, tables/, figures/) into the output folder.",
    )
    study.add_argument("--config", default="quick", metavar="NAME|PATH",
                       help="a preset (quick, paper) or the path of a study TOML file "
                            "(default: quick)")
    study.add_argument("--out", metavar="DIR",
                       help="output folder (default: results/<study name>)")
    study.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                       help="run N runs at once in a local process pool (default: 1)")
    study.add_argument("--dask-scheduler", metavar="ADDRESS",
                       help="run the grid on a dask.distributed cluster, e.g. tcp://host:8786")
    study.add_argument("--force", action="store_true",
                       help="recompute runs that are already stored")
    study.add_argument("--no-report", action="store_true",
                       help="only run and store; write the report later with "
                            "'spectralbench report DIR'")
    study.set_defaults(handler=_study)


def _add_report(commands: argparse._SubParsersAction,
                common: argparse.ArgumentParser) -> None:
    report = commands.add_parser(
        "report", parents=[common], help="write the report of a stored study",
        description="Read DIR/results.sqlite and write report.html (self-contained), "
                    "report.md, tables/*.csv and figures/*.png into DIR.",
    )
    report.add_argument("dir", metavar="DIR", help="the output folder of a study")
    report.set_defaults(handler=_report)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; a new subcommand is one more ``_add_<name>(commands, common)``.

    Returns
    -------
    argparse.ArgumentParser
        Each leaf subcommand sets ``handler``, a callable taking the parsed
        namespace and returning the exit code.
    """
    parser = argparse.ArgumentParser(
        prog="spectralbench",
        parents=[_global_options(False)],
        description="SpectralNet (spectral clustering with a deep network) and a benchmark "
                    "study on Fashion-MNIST and KMNIST.",
        epilog="Run 'spectralbench COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _global_options(argparse.SUPPRESS)
    _add_datasets(commands, common)
    _add_study(commands, common)
    _add_report(commands, common)
    return parser


def _global_options(default: object) -> argparse.ArgumentParser:
    """A parent parser with --quiet/--verbose/--debug.

    Subcommands get them with ``default=argparse.SUPPRESS``, so both
    ``spectralbench --debug datasets verify`` and ``... verify --debug`` work.
    """
    options = argparse.ArgumentParser(add_help=False)
    noise = options.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="log errors only")
    noise.add_argument("-v", "--verbose", action="store_true", default=default,
                       help="log progress details")
    options.add_argument("--debug", action="store_true", default=default,
                         help="show full tracebacks and debug logs")
    return options


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.WARNING
    if args.quiet:
        level = logging.ERROR
    elif args.debug:
        level = logging.DEBUG
    elif args.verbose:
        level = logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    0: success; 1: a dataset/config problem (one line on stderr); 2: bad
    arguments or input; 130: interrupted.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        Arguments without the program name; None reads ``sys.argv``.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("spectralbench: interrupted", file=sys.stderr)
        return 130
    except (SpectralBenchError, ValueError, OSError) as exc:
        if args.debug:
            raise
        print(f"spectralbench: error: {exc}", file=sys.stderr)
        is_usage = isinstance(exc, ValueError) and not isinstance(exc, SpectralBenchError)
        return EXIT_USAGE if is_usage else EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
