"""Small pieces every view of the workshop dashboard uses: the page's style, side names and
colours, and definitions that show on hover (mouse) or tap (touch screen).

A definition is the ``title`` of its term (the browser shows it on hover) and also
appears under the term while it has focus, so a tap on a tablet or a projector's
touch screen shows it too (``.ps-term:focus::after``).
"""

from __future__ import annotations

import html

import solara

from .colours import DIFFERENCE, pair_colours

__all__ = ["CSS", "side_colours", "side_title", "term", "Panel", "DIFFERENCE"]

# Projector first: a compact top bar, cards with thin coloured tops, no framework chrome.
CSS = """
.v-application--wrap > .v-content, .v-main { padding: 0 !important; }
.ps-page { font-size: 14px; padding: 0 8px 8px 8px; }
.ps-page.presenter { font-size: 19px; }
.ps-topbar { position: sticky; top: 0; z-index: 5; background: #fafafa; display: flex;
             align-items: center; flex-wrap: wrap; gap: 4px 8px; padding: 4px 6px;
             border-bottom: 1px solid #ddd; min-height: 44px; }
.ps-topbar .v-input { margin: 0 !important; padding: 0 !important; flex: 0 0 auto; }
.ps-topbar .v-select { width: 150px; max-width: 150px; }
.ps-topbar .ps-speed, .ps-topbar .ps-seeds { width: 110px; max-width: 110px; }
.ps-topbar .v-input--checkbox .v-input__slot { margin: 0; }
.ps-band { font-weight: normal; color: #555; font-size: 0.9em; }
.ps-topbar .v-text-field__details, .ps-drawer .v-messages { display: none; }
.ps-brand { font-weight: bold; margin-right: 6px; }
.ps-status { font-size: 0.92em; margin: 3px 0; }
.ps-views .v-btn { text-transform: none; }
.ps-card { border: 1px solid #e3e3e3; border-top-width: 5px; border-radius: 4px;
           padding: 2px 4px 0 4px; background: white; min-width: 0; }
.ps-card-title { font-weight: bold; font-size: 0.95em; white-space: nowrap;
                 overflow: hidden; text-overflow: ellipsis; }
.ps-row { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 6px; width: 100%; }
.ps-row2 { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; width: 100%; }
.ps-term { border-bottom: 1px dotted #777; cursor: help; outline: none; position: relative; }
.ps-term:focus::after { content: attr(data-definition); display: block; position: absolute;
                        z-index: 20; left: 0; top: 1.4em; width: 22em; background: #ffffe8;
                        border: 1px solid #bbb; padding: 4px 6px; font-weight: normal;
                        color: #222; white-space: normal; }
.ps-glossary { font-size: 0.85em; color: #444; margin: 4px 0; display: flex;
               flex-wrap: wrap; gap: 2px 14px; }
.ps-drawer { position: fixed; top: 0; right: 0; bottom: 0; width: 400px; z-index: 30;
             background: white; box-shadow: -2px 0 8px rgba(0,0,0,0.25); overflow-y: auto;
             padding: 6px 12px 40px 12px; }
.presenter .ps-drawer { width: 480px; }
.ps-drawer .ps-slider .v-label { display: none; }  /* the term above names the lever */
.ps-drawer .ps-slider .v-input__slot { margin: 0; }
.ps-theme { font-weight: bold; margin: 10px 0 2px 0; border-bottom: 1px solid #ccc; }
.ps-policy { margin: 6px 0 2px 0; }
.ps-chip { display: inline-block; border-radius: 10px; padding: 0 7px; margin-right: 4px;
           color: white; font-size: 0.85em; }
.ps-table { border-collapse: collapse; font-size: 0.9em; width: 100%; }
.ps-table td, .ps-table th { padding: 1px 6px; text-align: right; }
.ps-table td:first-child, .ps-table th:first-child { text-align: left; }
.ps-story { font-size: 0.9em; max-height: 360px; overflow-y: auto; }
.ps-story p { margin: 0 0 3px 0; }
.ps-story p.diverged { background: #fff3c4; }
.ps-yaml { font-size: 12px; max-height: 360px; overflow: auto; background: #f6f6f6;
           padding: 8px; white-space: pre; }
.ps-hidden { display: none !important; }
"""


def side_colours(pair) -> tuple[str, str]:
    """The two sides' colours, fixed by their scenarios' names (as in the reports)."""
    return pair_colours(*pair.names)


def side_title(pair, i: int) -> str:
    """``Left: done to``: the side and its scenario, in words."""
    return f"{'Left' if i == 0 else 'Right'}: {pair.names[i].replace('_', ' ')}"


def term(text: str, definition: str, classes: str = "") -> str:
    """HTML for a term whose definition shows on hover or tap."""
    d = html.escape(definition, quote=True)
    return (f"<span class='ps-term {classes}' tabindex='0' title='{d}' "
            f"data-definition='{d}'>{html.escape(text)}</span>")


@solara.component
def Panel(title_html: str, colour: str, classes: str = "", children=[]):
    """A card with a coloured top edge and a one-line title (HTML, e.g. with a term)."""
    title = solara.HTML(tag="div", unsafe_innerHTML=title_html, classes=["ps-card-title"])
    return solara.v.Html(tag="div", class_=f"ps-card {classes}",
                         style_=f"border-top-color: {colour}", children=[title, *children])
