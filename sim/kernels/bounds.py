"""Upper bounds on a rule's probability, derived from the rule itself.

A phase kernel rejects most people with a cheap test, ``u >= bound[cell]``, and calls
the rule only for the rest, deciding ``u < rule(...)``. The bound of each cell is never
written by hand: :func:`upper_bounds` evaluates the rule over the cell and takes the
largest value, widened by :data:`MARGIN`. A term added to a rule is in its bounds at
once; the property tests (``tests/test_rules.py``) check ``rule <= bound`` on random
states for every rule. Every evaluation of a rule over arrays (the tables here, the
starting population, tests) goes through one compiled loop, :func:`over_arrays`.

The state of a rule is described by one :class:`Axis` per argument:

- ``Axis.bins(lo, hi, n)``: a continuous argument cut into ``n`` equal cells (a table
  dimension); the rule is evaluated at both edges and the middle of each cell.
- ``Axis.counts(n)``: a whole number 0 .. n - 1, one cell each (a table dimension).
- ``Axis.span(lo, hi)``: a continuous argument that is not a table dimension: the
  bound holds for any value between ``lo`` and ``hi`` (both ends and the middle).
- ``Axis.choices(values)``: a discrete argument that is not a table dimension.

``monotone=True`` on a ``bins`` or ``span`` axis says the rule only rises or only falls
along it (for any values of the others), so its ends suffice: fewer evaluations.

Each table dimension has one more cell, for values outside the axis, whose bound is
infinite: the rule is always called there. Evaluating ends and middles is exact for a
rule monotone in each argument over a cell, and for smooth rules whose curvature over a
cell is far below the margin (all of the model's); the property tests would catch one
that is not.
"""

from __future__ import annotations

import itertools
import operator
from dataclasses import dataclass

import numpy as np
from numba import njit

MARGIN = 1e-3  # relative widening: covers rounding between float32 states and the edges
FLOOR = 1e-12  # absolute widening, for bounds of zero


@dataclass(frozen=True)
class Axis:
    """How one argument of a rule is covered by its bound table (see the module)."""

    kind: str  # "bins", "counts", "span" or "choices"
    lo: float = 0.0
    hi: float = 0.0
    n: int = 0
    values: tuple = ()
    monotone: bool = False  # the rule only rises or only falls along it: ends suffice

    @classmethod
    def bins(cls, lo: float, hi: float, n: int, monotone: bool = False) -> "Axis":
        """``n`` equal cells from ``lo`` to ``hi``."""
        return cls("bins", float(lo), float(hi), int(n), monotone=monotone)

    @classmethod
    def counts(cls, n: int) -> "Axis":
        """Whole numbers 0 .. n - 1."""
        return cls("counts", 0.0, float(n), int(n))

    @classmethod
    def span(cls, lo: float, hi: float, monotone: bool = False) -> "Axis":
        """Any value from ``lo`` to ``hi`` (not a dimension of the table)."""
        return cls("span", float(lo), float(hi), monotone=monotone)

    @classmethod
    def choices(cls, values) -> "Axis":
        """Any of ``values`` (not a dimension of the table)."""
        return cls("choices", values=tuple(float(v) for v in values))

    @property
    def is_dimension(self) -> bool:
        """Whether the table has a dimension for this argument."""
        return self.kind in ("bins", "counts")

    @property
    def scale(self) -> float:
        """Cells per unit of the argument (for :func:`cell`)."""
        return self.n / (self.hi - self.lo)

    def points(self) -> np.ndarray:
        """Where the rule is evaluated: (cells, points per cell), or (1, points)."""
        if self.kind == "bins":
            edges = np.linspace(self.lo, self.hi, self.n + 1)
            if self.monotone:
                return np.stack((edges[:-1], edges[1:]), axis=1)
            return np.stack((edges[:-1], (edges[:-1] + edges[1:]) / 2, edges[1:]), axis=1)
        if self.kind == "counts":
            return np.arange(self.n, dtype=np.float64)[:, None]
        if self.kind == "span":
            if self.monotone:
                return np.array([[self.lo, self.hi]])
            return np.array([[self.lo, (self.lo + self.hi) / 2, self.hi]])
        return np.array([self.values])

    def lookup(self) -> np.ndarray:
        """(lo, cells per unit, cells) as an array, what a kernel keeps in its bounds and
        turns into the tuple :func:`cell` takes with :func:`axis` (an array, since a pass
        in threads cannot take a tuple within its tuple of bounds)."""
        return np.array([self.lo, self.scale, self.n], np.float64)


@njit(inline="always", error_model="numpy")
def axis(lookup):
    """The ``(lo, cells per unit, cells)`` of an axis's :meth:`Axis.lookup` array: read
    once before a loop, not in it."""
    return lookup[0], lookup[1], np.int64(lookup[2])


@njit(inline="always", error_model="numpy")
def cell(x, axis):
    """The cell of value ``x`` on an axis given as ``(lo, cells per unit, cells)``;
    ``cells`` (the extra cell, whose bound is infinite) when ``x`` is outside it."""
    lo, scale, n = axis
    t = (np.float64(x) - lo) * scale
    return int(t) if (t >= 0.0) & (t < n) else n


def upper_bounds(rule, params, axes: list[Axis]) -> np.ndarray:
    """Upper bounds of ``rule(*state, params)`` by cell of the table dimensions.

    Returns an array with one dimension per ``bins`` or ``counts`` axis (in their
    order), each one cell longer than the axis, the last cell infinite. The rule is
    evaluated by :func:`over_arrays`, the one compiled loop over any rule.
    """
    grids = [axis.points() for axis in axes]
    dims = [g.shape[0] for g, a in zip(grids, axes) if a.is_dimension]
    table = np.full([d + 1 for d in dims], -np.inf)
    inside = tuple(slice(0, d) for d in dims)
    loop = over_arrays(rule, len(axes))
    # Every combination of evaluation points, one point per argument; the table takes
    # the largest value over them, cell by cell.
    for combo in itertools.product(*(range(g.shape[1]) for g in grids)):
        args = []
        d = 0
        for g, a, k in zip(grids, axes, combo):
            shape = [1] * len(dims)
            if a.is_dimension:
                shape[d] = g.shape[0]
                d += 1
            args.append(np.broadcast_to(g[:, k].reshape(shape), dims).ravel())
        values = loop(*(np.ascontiguousarray(x) for x in args), params)
        table[inside] = np.maximum(table[inside], values.reshape(dims))
    table = table * (1.0 + MARGIN) + FLOOR
    for d in range(len(dims)):  # outside an axis: no bound
        index = [slice(None)] * len(dims)
        index[d] = -1
        table[tuple(index)] = np.inf
    return table


def evaluate(rule, params, *args) -> np.ndarray:
    """``rule`` over arrays of its state arguments (broadcast), in compiled code: for
    tests and for the NumPy callers of a rule (the starting population, the few rows a
    NumPy phase decides), through :func:`over_arrays`. The arguments reach the rule as
    float64 whatever their dtype (converted in the loop, as ``astype`` would)."""
    n = _same_length(args)
    if n >= 0:  # the phases' case, a few times a week: no broadcasting, no copies
        return over_arrays(rule, len(args))(*args, params) if n else np.empty(0)
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in args))
    shape = arrays[0].shape
    flat = tuple(np.ascontiguousarray(a).ravel() for a in arrays)
    return over_arrays(rule, len(flat))(*flat, params).reshape(shape)


def _same_length(args) -> int:
    """The length of ``args`` if they are all one-dimensional number arrays of one length
    (which the compiled loop takes as they are), else -1."""
    n = -1
    for a in args:
        if type(a) is not np.ndarray or a.ndim != 1 or a.dtype.kind not in "biuf" or (
                n >= 0 and a.shape[0] != n):
            return -1
        n = a.shape[0]
    return n


# --- the one loop over a rule -----------------------------------------------------------------
# The loops below are templates, never called: over_arrays compiles a copy of one for
# each rule, the copy calling that rule (the global RULE) and filed, for Numba's disk
# cache, under the rule's own name and source file. So it is cached across processes
# (a loop given the rule as an argument cannot be) and is compiled afresh when the
# rule's file changes (a cache filed under this file would not see that). Each state
# argument reaches the rule as float64 (:func:`_f64`): a loop takes the phases' columns
# as they are held (float32, int32, bool), with no converted copy made first.


@njit(inline="always", error_model="numpy")
def _f64(x):
    """A state argument as a rule over arrays takes it: float64, the value ``astype``
    gives (exact for bools, the model's integers and float32)."""
    return np.float64(x)


def _loop1(a, params):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = RULE(_f64(a[i]), params)  # noqa: F821 (the global of each copy)
    return out


def _loop2(a, b, params):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = RULE(_f64(a[i]), _f64(b[i]), params)  # noqa: F821
    return out


def _loop3(a, b, c, params):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = RULE(_f64(a[i]), _f64(b[i]), _f64(c[i]), params)  # noqa: F821
    return out


def _loop4(a, b, c, d, params):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = RULE(_f64(a[i]), _f64(b[i]), _f64(c[i]), _f64(d[i]), params)  # noqa: F821
    return out


def _loop5(a, b, c, d, e, params):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = RULE(_f64(a[i]), _f64(b[i]), _f64(c[i]), _f64(d[i]), _f64(e[i]),  # noqa: F821
                      params)
    return out


def _loop6(a, b, c, d, e, f, params):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = RULE(_f64(a[i]), _f64(b[i]), _f64(c[i]), _f64(d[i]), _f64(e[i]),  # noqa: F821
                      _f64(f[i]), params)
    return out


def _loop7(a, b, c, d, e, f, g, params):
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = RULE(_f64(a[i]), _f64(b[i]), _f64(c[i]), _f64(d[i]), _f64(e[i]),  # noqa: F821
                      _f64(f[i]), _f64(g[i]), params)
    return out


# One template per number of state arguments: Numba cannot unpack a tuple of any length
# into a call.
_LOOPS = {1: _loop1, 2: _loop2, 3: _loop3, 4: _loop4, 5: _loop5, 6: _loop6, 7: _loop7}
_OVER: dict = {}  # (rule, arguments): its compiled loop


def over_arrays(rule, arity: int):
    """The compiled loop of ``rule`` over arrays of its ``arity`` state arguments (then
    its parameters): ``out[i] = rule(a[i], b[i], ..., params)``, made once per rule."""
    key = (rule, arity)
    loop = _OVER.get(key)
    if loop is None:
        loop = _OVER[key] = _compile_loop(rule, _LOOPS[arity])
    return loop


def _compile_loop(rule, template):
    import inspect
    import os
    import types

    py_func = getattr(rule, "py_func", rule)
    name = f"{py_func.__name__}_over"
    try:
        source = inspect.getfile(py_func)
    except TypeError:
        source = ""
    code = template.__code__
    if os.path.exists(source):  # filed under the rule (see above)
        code = code.replace(co_filename=source, co_name=name, co_qualname=name,
                            co_firstlineno=py_func.__code__.co_firstlineno)
    loop = types.FunctionType(code, {"RULE": rule, "np": np, "_f64": _f64}, name)
    loop.__module__ = py_func.__module__
    return njit(cache=os.path.exists(source), error_model="numpy")(loop)


def rule_tuple(name: str, module: str, sections: tuple[str, ...], extra: tuple[str, ...] = ()):
    """The named tuple of a phase's rule parameters: every number declared in the scenario
    ``sections`` (:data:`sim.parameters.SECTIONS`), by its name, then ``extra`` (levers).
    A parameter declared there is a field here, with no list to keep in step.

    ``module`` must be the module that names it ``name``: Numba's disk cache finds the
    type by module and name (otherwise every process compiles the kernels afresh)."""
    from collections import namedtuple

    from ..parameters import SECTIONS

    fields = [key for section in sections for key, param in SECTIONS[section].items()
              if param.kind in (float, int, bool)]
    return namedtuple(name, (*fields, *extra), module=module)


def rule_params(kind, *sections, **extra):
    """A rule's parameters, the named tuple ``kind``, filled by field name from the
    scenario ``sections`` (the first that has the field) and ``extra``, as floats.

    Remembered for the same (immutable) section objects and equal ``extra``: the phases
    ask every week, so the last answer for each ``kind`` is checked first (no key made).
    """
    last = _LAST.get(kind)
    if (last is not None and len(last[0]) == len(sections)
            and all(map(operator.is_, last[0], sections)) and last[1] == extra):
        return last[2]
    key = (kind, tuple(map(id, sections)), tuple(sorted(extra.items())))
    hit = _MADE.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], sections)):
        made = hit[1]
    else:
        if len(_MADE) > 64:
            _MADE.clear()
        made = _rule_params(kind, sections, extra)
        _MADE[key] = (sections, made)
    _LAST[kind] = (sections, extra, made)
    return made


_LAST: dict = {}  # kind: (sections, extra, made) of its last call
_MADE: dict = {}


def _rule_params(kind, sections, extra):
    values = {}
    for name in kind._fields:
        if name in extra:
            values[name] = extra[name]
            continue
        for section in sections:
            if hasattr(section, name):
                values[name] = float(getattr(section, name))
                break
        else:
            raise AttributeError(f"no parameter {name!r} for {kind.__name__}")
    return kind(**values)
