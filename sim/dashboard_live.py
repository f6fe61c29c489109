"""Live plotly figures for the workshop dashboard: built once, then sent only new arrays.

Charts are plotly ``FigureWidget``s built once per session; each week only their
arrays are sent (:func:`LiveFigure`), and only when the browser has drawn the last
frame (:class:`_Feed`), which keeps Play above ten weeks a second at 20,000 residents
(``benchmarks/dashboard.py``) and keeps the page answering clicks.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

import numpy as np
import plotly.graph_objects as go
import solara

__all__ = ["LiveFigure"]


class _Feed:
    """What one figure has sent to the browser, and the newest frame still to send.

    Plotly redraws a figure in the browser far more slowly than the server steps a
    week; frames sent faster than the browser draws them queue up, the page falls
    behind and stops answering clicks. So a figure sends a frame only when the
    browser has finished the last one (plotly's ``on_edits_completed``), and then
    sends the newest frame waiting: the page drops frames, never weeks.
    """

    PATIENCE = 2.0  # seconds to wait for a browser that never answers (e.g. not shown yet)

    def __init__(self):
        self.lock = threading.Lock()
        self.template = None
        self.pending: tuple[list[dict], dict] | None = None
        self.busy_since: float | None = None
        self.sent_layout: dict = {}
        self.fitted = False

    def offer(self, widget, template: go.Figure, data: list[dict], layout: dict) -> None:
        """A new frame: send it now if the browser is free, else keep it as the newest."""
        with self.lock:
            if self.template is not template:
                if self.template is None:
                    widget.observe(lambda change: self._answered(widget, change),
                                   names=["_js2py_traceDeltas"])
                widget.data = []
                widget.layout = template.layout
                widget.add_traces(template.data)
                self.template, self.sent_layout, self.busy_since = template, {}, None
                self.fitted = False
            self.pending = (data, layout)
            stuck = self.busy_since is not None and time.monotonic() - self.busy_since > self.PATIENCE
            if self.busy_since is None or stuck:
                self._push(widget)

    def _answered(self, widget, change) -> None:
        """The browser drew a frame: it reports the traces of the newest edit it applied.

        (plotly's own ``on_edits_completed`` also waits for a layout report, which
        plotly 7's browser side sends under another name, so it never fires.)
        """
        message = change.get("new") or {}
        if message.get("trace_edit_id") == widget._last_trace_edit_id:
            self._done(widget)

    def _done(self, widget) -> None:
        with self.lock:
            if not self.fitted:
                # A figure first drawn while its view was still being shown can take
                # plotly's default 700 px; once drawn, fit it to its card.
                self.fitted = True
                widget._send_relayout_msg({"autosize": True})
            self.busy_since = None
            if self.pending is not None:
                self._push(widget)

    def _push(self, widget) -> None:
        data, layout = self.pending
        self.pending = None
        # One Plotly.update per set of changing properties. plotly_update skips the
        # per-property validation of trace.update, which costs tens of milliseconds a
        # figure. Axis ranges change rarely (see _ranges): send only what changed.
        relayout = {k: v for k, v in layout.items() if self.sent_layout.get(k) != v}
        self.sent_layout.update(relayout)
        groups: dict[tuple, list[int]] = {}
        for index, values in enumerate(data):
            groups.setdefault(tuple(values), []).append(index)
        for keys, indexes in groups.items():
            restyle = {k: [_plain(data[i][k]) for i in indexes] for k in keys}
            widget.plotly_update(restyle_data=restyle, relayout_data=relayout,
                                 trace_indexes=indexes)
            relayout = {}
        if relayout:
            widget.plotly_relayout(relayout)
        self.busy_since = time.monotonic()


@solara.component
def LiveFigure(make: Callable[[], go.Figure], data: list[dict], layout: dict | None = None,
               key: Any = None, active: bool = True):
    """A plotly FigureWidget built once; each render offers only its traces' new arrays.

    Args:
        make: builds the figure (traces and layout) once per session, or when ``key``
            changes.
        data: per trace, the properties that change (``x``, ``y``, ``marker.size``, ...).
        layout: layout properties that change (axis ranges).
        key: rebuild the figure when this changes (e.g. the map's grid).
        active: whether the figure is on screen; a hidden one is sent nothing.
    """
    from plotly.graph_objs import FigureWidget

    template = solara.use_memo(make, dependencies=[key])
    feed = solara.use_memo(_Feed, dependencies=[])
    element = FigureWidget.element()

    def sync():
        if active:
            feed.offer(solara.get_widget(element), template, data, layout or {})

    solara.use_effect(sync)  # after every render: the week moved on
    return element


def _plain(values: Any) -> Any:
    """Arrays as plotly sends them best (numpy, float64 or object for text)."""
    if isinstance(values, np.ndarray):
        return values if values.dtype.kind in "fiub" else values.tolist()
    return values
