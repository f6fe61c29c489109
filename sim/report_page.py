"""The report's page: one embedded Plotly script, the screen and print stylesheets.

A report must open offline and travel by e-mail, so nothing is fetched and the page
carries Plotly's JavaScript itself, once, in its head. It is Plotly's *basic* bundle
(scatter and bar traces, all the reports draw; about 1.2 MB against 4.8 MB for the
full library), shipped in ``sim/assets/`` at the version the installed Plotly expects;
with a Plotly of another major version the full library it bundles is used instead.

The print stylesheet lays the page out on landscape A4 and keeps every chart (a
``div.chart``, :func:`sim.report_plots.figure_html`) and every key table whole on one
page; charts are drawn at a fixed size that fits it (:data:`sim.report_plots.CHART_WIDTH`).
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

__all__ = ["page", "plotly_script", "STYLE", "PRINT_STYLE"]

ASSETS = Path(__file__).with_name("assets")
BASIC_BUNDLE = ASSETS / "plotly-basic.min.js"

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1180px;margin:1.2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{margin:.2em 0 .1em;font-size:1.7em}h2{margin-top:1.8em;border-bottom:2px solid #eee;
padding-bottom:.2em}
.meta{color:#555;font-size:.9em}.note{color:#666;font-size:.88em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
td,th{padding:.25em .7em;border-bottom:1px solid #e3e3e3;text-align:right;vertical-align:top}
th{background:#f6f6f6}th:first-child,td:first-child{text-align:left}
td.clear{font-weight:600}
.reading{background:#f7f9fc;border-left:4px solid #0072B2;padding:.6em 1.1em;margin:1em 0}
.reading p{margin:.5em 0}pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}
nav a{margin-right:1em}details{margin:.4em 0}
.decision{display:flex;gap:1.2em;align-items:flex-start;margin:.6em 0 1em}
.findings{flex:3}.findings h2,.rests h2{margin-top:0;font-size:1.2em;border:0}
.question{font-size:1.1em;margin:.2em 0 .6em}
.findings ol{margin:.3em 0 .3em 1.2em;padding:0}.findings li{margin:.35em 0}
.rests{flex:2;background:#fff8e6;border:1px solid #e6c66a;border-radius:4px;padding:.6em .9em;
font-size:.9em}
.rests ul{margin:.3em 0 .3em 1.1em;padding:0}.rests li{margin:.25em 0}
.chart{margin:.8em 0}
"""

# Landscape A4 with 8 mm margins: 281 x 194 mm printable, about 1,060 x 730 CSS pixels.
PRINT_STYLE = """
@page{size:A4 landscape;margin:8mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:11pt}
nav,details{display:none}
.chart,table,.decision,.reading{break-inside:avoid;page-break-inside:avoid}
h2,h3{break-after:avoid;page-break-after:avoid}
.modebar-container{display:none}
}
"""


@functools.cache
def plotly_script() -> str:
    """Plotly's JavaScript for the page: the shipped basic bundle when its major version is
    the installed Plotly's, else the full library the installed Plotly bundles."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    text = BASIC_BUNDLE.read_text(encoding="utf-8") if BASIC_BUNDLE.exists() else ""
    found = re.search(r"plotly\.js \(basic - minified\) v(\d+)\.", text[:300])
    if found and found.group(1) == get_plotlyjs_version().split(".")[0]:
        return text
    return get_plotlyjs()


def page(title: str, sections: list[str]) -> str:
    """An HTML page with Plotly's JavaScript inlined once, in the head.

    Args:
        title: the page's title and first heading.
        sections: HTML fragments, in order.
    """
    # "</script" inside the library would end the element early; the bundle has none,
    # but a different Plotly might.
    script = plotly_script().replace("</script", "<\\/script")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{STYLE}{PRINT_STYLE}</style>"
            f"<script type='text/javascript'>{script}</script></head><body>"
            f"<h1>{html.escape(title)}</h1>{''.join(sections)}</body></html>")
