"""The report's table of the evidence behind every effect in force (see sim.report).

For each effect parameter (one declaring a plausible range) of the model's sections and
of the policies the scenarios run: its value in each scenario, the plausible range, the
kind of evidence (:data:`sim.parameters.GRADES`) and the citation, so that a reader can
see which effects rest on trials and which on assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

__all__ = ["evidence_table"]


def _value(spec, path: str):
    node = spec.to_dict()
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def evidence_table(specs: Mapping[str, object]) -> str:
    """HTML: the effect parameters in force in ``specs`` (label: scenario), with evidence."""
    from .parameters import GRADES
    from .scenario import parameter_paths

    running = {kind for spec in specs.values() for kind in spec.active_policies()}
    rows = []
    for path, p in parameter_paths().items():
        if p.plausible is None:
            continue
        if path.startswith("policies.") and path.split(".")[1] not in running:
            continue
        values = "".join(f"<td>{escape(str(_value(spec, path)))}</td>" for spec in specs.values())
        low, high = p.plausible
        rows.append(f"<tr><td>{escape(path)}</td>{values}<td>{low:g} .. {high:g}</td>"
                    f"<td title='{escape(GRADES[p.grade])}'>{escape(p.grade)}</td>"
                    f"<td>{escape(p.source)}</td></tr>")
    head = ("<tr><th>effect parameter</th>" + "".join(f"<th>{escape(str(label))}</th>"
                                                      for label in specs)
            + "<th>plausible range</th><th>evidence</th><th>source</th></tr>")
    return ("<details><summary>The evidence behind every effect in force: plausible range, "
            "kind of evidence and source</summary><table>" + head + "".join(rows)
            + "</table></details>")
