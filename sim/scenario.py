"""Scenario files: safe YAML reading, ``extends:`` inheritance, and the schema.

The schema is generated from the parameter declarations in :mod:`sim.parameters` and
on the policy classes, so a parameter is declared once. Every problem is raised as an
:class:`~sim.errors.InputError` naming the file, the key path and what was expected.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pydantic

from . import userfiles
from .errors import InputError
from .parameters import SCENARIO_FIELDS, SECTIONS, Param
from .policies import POLICIES

__all__ = [
    "Scenario",
    "load_scenario",
    "read_yaml",
    "parameter_paths",
    "parameter_table",
    "apply_overrides",
    "parse_assignment",
    "SCENARIO_DIR",
]

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
MAX_FILE_BYTES = userfiles.MAX_FILE_BYTES


# --- reading YAML safely ----------------------------------------------------------------


def read_yaml(path: str | Path) -> dict:
    """Read a scenario-like YAML mapping through :func:`sim.userfiles.read_yaml` (regular
    files only, bounded, strictly decoded, parsed under a budget); raise
    :class:`InputError` on any problem."""
    return userfiles.read_yaml(path, "scenario keys")


# --- the schema, generated from the declarations -------------------------------------------

_CONFIG = pydantic.ConfigDict(extra="forbid", strict=True, allow_inf_nan=False,
                              validate_default=False, frozen=True)


def _field(param: Param) -> tuple[Any, Any]:
    """A pydantic field (type, FieldInfo) for one declaration."""
    info = dict(default=copy.deepcopy(param.default), description=param.doc)
    if param.choices is not None:
        return Literal[param.choices], pydantic.Field(**info)
    if param.shares is not None:
        kind = list[pydantic.confloat(ge=0.0, le=1.0, strict=False, allow_inf_nan=False)]
        return kind, pydantic.Field(min_length=param.shares, max_length=param.shares, **info)
    if param.kind is bool:
        return bool, pydantic.Field(**info)
    bounds = dict(ge=param.lo, le=param.hi)
    kind = param.kind if param.default is not None else param.kind | None
    return kind, pydantic.Field(**bounds, **info)


def _section_model(name: str, params: Mapping[str, Param]) -> type[pydantic.BaseModel]:
    fields = {key: _field(p) for key, p in params.items()}
    model = pydantic.create_model(name, __config__=_CONFIG, **fields)
    shares = [k for k, p in params.items() if p.shares]
    if shares:
        def check_shares(self):
            for key in shares:
                total = sum(getattr(self, key))
                if not math.isclose(total, 1.0, abs_tol=1e-6):
                    raise ValueError(f"{key}: shares sum to {total:g}; expected them to sum to 1")
            return self
        model = pydantic.create_model(
            name, __base__=model,
            __validators__={"check_shares": pydantic.model_validator(mode="after")(check_shares)})
    return model


_SECTION_MODELS = {name: _section_model(name.title(), params)
                   for name, params in SECTIONS.items()}
_POLICY_MODELS = {kind: _section_model(cls.__name__ + "Params", cls.all_params())
                  for kind, cls in POLICIES.items()}
_PoliciesModel = pydantic.create_model(
    "Policies", __config__=_CONFIG,
    **{kind: (model | None, None) for kind, model in _POLICY_MODELS.items()})

_ScenarioModel = pydantic.create_model(
    "ScenarioModel", __config__=_CONFIG,
    name=(str, "scenario"),
    description=(str, ""),
    extends=(str | None, None),
    place=(Any, None),  # a real place: checked by sim.places.resolve
    **{key: _field(p) for key, p in SCENARIO_FIELDS.items()},
    **{name: (model, pydantic.Field(default_factory=model))
       for name, model in _SECTION_MODELS.items()},
    policies=(_PoliciesModel, pydantic.Field(default_factory=_PoliciesModel)),
)


class Scenario(_ScenarioModel):
    """A validated, fully resolved scenario (immutable).

    Sections are attributes (``scenario.network.mean_degree``); ``scenario.policies``
    has one attribute per policy kind, ``None`` when the scenario does not list it.
    ``uncertainty`` changes parameters' plausible ranges for probabilistic
    comparisons (see :mod:`sim.uncertainty`); runs ignore it.
    """

    uncertainty: dict[str, Any] | None = None

    @pydantic.field_validator("uncertainty")
    @classmethod
    def _check_uncertainty(cls, value):
        from .uncertainty import check_entries

        return None if value is None else check_entries(value)

    def active_policies(self) -> dict[str, pydantic.BaseModel]:
        """The listed and enabled policies, by kind, in library order."""
        return {kind: p for kind in POLICIES
                if (p := getattr(self.policies, kind)) is not None and p.enabled}

    def to_dict(self) -> dict:
        """Plain data for YAML: the resolved scenario, listed policies only."""
        data = self.model_dump(exclude={"extends"})
        data["policies"] = {k: v for k, v in data["policies"].items() if v is not None}
        if data.get("uncertainty") is None:
            data.pop("uncertainty", None)
        return data

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "--set") -> "Scenario":
        """A new scenario with dotted-path overrides applied and validated."""
        data = apply_overrides(self.to_dict(), overrides, source)
        return validate(data, source)


# --- parameter paths -------------------------------------------------------------------------


def parameter_paths() -> dict[str, Param]:
    """Every settable dotted path and its declaration (CLI ``--set``, sweeps, dashboard)."""
    paths = {key: p for key, p in SCENARIO_FIELDS.items()}
    for section, params in SECTIONS.items():
        paths.update({f"{section}.{key}": p for key, p in params.items()})
    for kind, cls in POLICIES.items():
        paths.update({f"policies.{kind}.{key}": p for key, p in cls.all_params().items()})
    return paths


def parameter_table(prefix: str = "") -> str:
    """Markdown table of the parameters whose path starts with ``prefix`` (for docs/)."""
    lines = ["| parameter | default | plausible range | evidence | bounds | unit | description "
             "| source or reason |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for path, p in parameter_paths().items():
        if not path.startswith(prefix):
            continue
        bounds = "" if p.lo is None and p.hi is None else f"{p.lo:g} .. {p.hi:g}"
        if p.choices:
            bounds = " / ".join(p.choices)
        lines.append(f"| `{path}` | {p.default} | {evidence_range(p)} | {p.grade or ''} "
                     f"| {bounds} | {p.unit} | {p.doc} | {p.source} |")
    return "\n".join(lines)


def evidence_range(p) -> str:
    """An effect parameter's plausible range as text (empty for structural settings)."""
    return "" if p.plausible is None else f"{p.plausible[0]:g} .. {p.plausible[1]:g}"


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def apply_overrides(data: dict, overrides: Mapping[str, Any], source: str = "--set") -> dict:
    """Return a copy of scenario data with dotted-path overrides set.

    Args:
        data: raw or resolved scenario data.
        overrides: mapping of dotted path (``network.mean_degree``) or ``__`` path
            (``network__mean_degree``) to value.
        source: named in error messages.

    A policy parameter set on a scenario that does not list the policy adds the policy
    switched *off*, so that ``compare A B --set policies.screening.uptake=0.8`` tunes
    screening where it runs without starting it elsewhere; switch a policy on with
    ``policies.<kind>.enabled=true``.

    Raises:
        InputError: for a path that names no parameter.
    """
    data = copy.deepcopy(data)
    known = parameter_paths()
    for raw_path, value in overrides.items():
        path = raw_path.replace("__", ".")
        if path.startswith("uncertainty."):
            from .uncertainty import set_entry

            data = set_entry(data, path, value, source)
            continue
        if path not in known and path not in ("name", "description", "place"):
            raise InputError(source, path, "no such parameter" + _suggest(path, known))
        node = data
        *parents, leaf = path.split(".")
        for depth, part in enumerate(parents):
            child = node.get(part)
            if child is not None and not isinstance(child, dict):
                where = ".".join(parents[:depth + 1])
                raise InputError(source, path, f"the scenario's {where} is {child!r}, not a "
                                 f"section; expected {where} to be a mapping of keys")
            if child is None:
                child = node[part] = {}
                if depth == 1 and parents[0] == "policies" and leaf != "enabled":
                    child["enabled"] = False  # tuned, not started
            node = child
        node[leaf] = value
    return data


def parse_assignment(text: str, source: str = "--set") -> tuple[str, Any]:
    """Parse ``key.path=value``; the value is read as a YAML scalar (``8``, ``0.5``, ``true``)."""
    if "=" not in text:
        raise InputError(source, text, "expected key.path=value")
    key, _, raw = text.partition("=")
    key = key.strip()
    userfiles.check_text(source, repr(key), key + raw)
    try:
        value = userfiles.parse_yaml(raw, source) if raw.strip() else ""
    except InputError as exc:
        raise InputError(source, key, f"cannot read value {raw!r} ({exc.problem})") from None
    if isinstance(value, (dict,)) or value is None and raw.strip() not in ("null", "~"):
        raise InputError(source, key, f"expected a single value, got {raw!r}")
    return key, value


# --- loading and validation -------------------------------------------------------------------


def _merge(base: dict, child: dict) -> dict:
    """Deep-merge ``child`` over ``base`` (mappings merge, other values replace)."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


MAX_EXTENDS = 16  # parents in one chain; real scenarios use one or two


def _parent_path(child: Path, parent: str) -> Path:
    """The file ``extends: parent`` in ``child`` names: a path from the child's folder, or
    else a shipped scenario's name (``extends: baseline``)."""
    beside = userfiles.parent_path(child, parent)
    shipped = SCENARIO_DIR / f"{parent}.yaml"
    if (not userfiles.exists(beside) and not Path(parent).suffix
            and userfiles.exists(shipped)):
        return shipped.resolve()
    return beside


def _resolve(path: Path, chain: tuple[Path, ...], root: Path | None) -> dict:
    path = userfiles.resolved(path)
    if len(chain) > MAX_EXTENDS:
        raise InputError(chain[0], "extends", f"more than {MAX_EXTENDS} parents in one chain; "
                         "expected a chain that ends in a scenario without extends")
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise InputError(chain[-1], "extends", f"inheritance cycle ({cycle}); "
                         "expected a chain that ends in a scenario without extends")
    data = read_yaml(path)
    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise InputError(path, "extends", "expected the file name of a parent scenario")
    parent_path = _parent_path(path, parent)
    if root is not None and not parent_path.is_relative_to(root):
        raise InputError(path, "extends", f"{parent!r} is outside {root}; "
                         "expected a scenario in the allowed folder")
    if not userfiles.exists(parent_path):
        raise InputError(path, "extends", f"parent scenario {parent!r} not found "
                         f"(looked in {path.parent})")
    try:
        base = _resolve(parent_path, (*chain, path), root)
    except InputError as exc:  # name the file and key that led there, once
        if chain or exc.source == str(path):
            raise
        raise InputError(path, "extends", f"{parent!r} -> {exc}") from None
    merged = _merge(base, data)
    merged.pop("extends", None)
    if "name" not in data:  # a child is not called by its parent's name
        merged["name"] = path.stem
    return merged


def _key_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith("function-after"))


def validate(data: Mapping[str, Any], source: str | Path = "<scenario>") -> Scenario:
    """Validate resolved scenario data; raise :class:`InputError` for the first problem."""
    try:
        from .places import apply_place

        return apply_place(Scenario.model_validate(dict(data)), source)
    except pydantic.ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(p for p in err["loc"] if not isinstance(p, str) or "[" not in p)
        key = _key_path(loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            parent = loc[:-1]
            options = _options_at(parent)
            what = "policy kind" if parent == ("policies",) else "key"
            problem = (f"unknown {what} {loc[-1]!r}{_suggest(loc[-1], options)} "
                       f"(expected one of: {', '.join(sorted(options))})")
        elif kind == "value_error":
            problem = err["msg"].removeprefix("Value error, ")
            if ":" in problem and not key:
                key, _, problem = problem.partition(": ")
            elif ":" in problem:
                sub, _, problem = problem.partition(": ")
                key = f"{key}.{sub}"
        else:
            got = err.get("input")
            shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
            problem = f"{err['msg'].lower()}; got {shown}"
            param = parameter_paths().get(key)
            if param is not None and param.unit:
                problem += f" ({param.unit})"
        raise InputError(source, key, problem) from None


def _options_at(loc: tuple) -> list[str]:
    """Valid keys at a location of the scenario tree (for suggestions)."""
    if loc == ():
        return list(Scenario.model_fields)
    if loc == ("policies",):
        return list(POLICIES)
    if len(loc) == 1 and loc[0] in SECTIONS:
        return list(SECTIONS[loc[0]])
    if len(loc) == 2 and loc[0] == "policies" and loc[1] in POLICIES:
        return list(POLICIES[loc[1]].all_params())
    return []


def load_scenario(source: str | Path | Mapping[str, Any], *, root: str | Path | None = None,
                  overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Load, resolve and validate a scenario.

    Args:
        source: a YAML file path, a shipped scenario's name (``"baseline"``), or a dict
            of scenario data (``extends`` is resolved against :data:`SCENARIO_DIR`).
        root: if given, ``extends`` may not reach outside this folder.
        overrides: dotted-path overrides (``{"network.mean_degree": 8}``).

    Returns:
        The validated :class:`Scenario`.

    Raises:
        InputError: naming the file, the key path and what was expected.
    """
    root_path = Path(root).resolve() if root is not None else None
    if isinstance(source, Mapping):
        name = "<scenario>"
        data = dict(source)
        if data.get("extends"):
            parent = _parent_path(SCENARIO_DIR / "<scenario>", str(data["extends"]))
            data = _merge(_resolve(parent, (), root_path), data)
            data.pop("extends", None)
    else:
        path = Path(source)
        if (not path.suffix and not userfiles.exists(path)
                and userfiles.exists(SCENARIO_DIR / f"{path}.yaml")):
            path = SCENARIO_DIR / f"{path}.yaml"  # a shipped scenario by name
        name = str(source)
        data = _resolve(path, (), root_path)
        data.setdefault("name", path.stem)
    if overrides:
        data = apply_overrides(data, overrides, "--set" if name != "<scenario>" else name)
    return validate(data, name)
