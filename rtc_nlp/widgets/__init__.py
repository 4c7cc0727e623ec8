"""Widgets for JupyterLab: edit the code frame and work the review queue without leaving the notebook.

``frame`` is the code-frame editor (:class:`CodeFrameEditor`) and ``editing`` what it does to a
codebook and its answers; ``review`` is the review widget (:class:`ReviewWidget`) and
``reviewing`` the queue it works and the overrides file it writes; ``fallback`` is the static
table each shows in an HTML export. The browser side is in ``static/`` (plain JavaScript and CSS,
loaded by anywidget). Needs the ``widgets`` extra: ``pip install "rtc_nlp[widgets]"`` (the
``notebooks`` and ``dev`` extras include it).
"""

try:
    import anywidget  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        'rtc_nlp.widgets needs anywidget: pip install "rtc_nlp[widgets]" (or the notebooks extra)'
    ) from exc

from .editing import FrameEdits
from .frame import CodeFrameEditor
from .review import ReviewWidget
from .reviewing import ReviewSession

__all__ = ["CodeFrameEditor", "FrameEdits", "ReviewSession", "ReviewWidget"]
