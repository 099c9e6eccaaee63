"""The study report: tables, figures and findings from a study's results database.

``write_report(out_dir)`` writes ``report.md``, a self-contained ``report.html``,
``tables/*.csv`` and ``figures/*.png`` from ``<out_dir>/results.sqlite``;
``summary_text(out_dir)`` is the compact table ``spectralbench study`` prints.
Needs the ``study`` extra (pandas, matplotlib, statsmodels).
"""

from .findings import PAPER_REPORTED, PaperValue
from .render import summary_text, write_report
from .results import StudyResults, load_results

__all__ = ["PAPER_REPORTED", "PaperValue", "StudyResults", "load_results", "summary_text",
           "write_report"]
