"""Reusing a built place: a run that differs from the last only in its policies starts from it.

Building a model makes the residents, their network, practices and groups from the
scenario and the seed, and then runs ``system.burn_in_weeks`` of the baseline with no
policy in force (:mod:`sim.burn_in`). The state it reaches (every array, every
generator, every agent) is therefore a function of the seed and of the scenario
**without** the keys in :data:`NOT_READ_BEFORE_WEEK_0`: the policies (off in the
burn-in), the settings only policies read (``system.governance``,
``system.hierarchical_initiatives``), the thread count (the numbers are the same
whatever it is) and what never reaches the model (name, description, replicates, the
uncertainty ranges). Two runs on the same seed whose scenarios agree on everything
else (the two sides of a draw of a probabilistic comparison, the points of a sweep of
policy settings) can share it: the second starts from a copy of the first's state at
week 0, with its own scenario and policies, and gives the numbers of a freshly built
model to the bit (``tests/test_reuse.py``).

It is not sound when anything else differs: a different seed (another population),
or any population, network, health, need, care or community parameter (the burn-in
ran under it). Those runs build afresh.

Reuse happens only inside :func:`reusing_places` (a worker running a chunk of runs
opens it): one place is kept, the last built, as a copy taken at week 0, so memory
grows by one model at most (and by none above :data:`KEEP_MOST_RESIDENTS`, where the
copy would be large and the build and burn-in it saves a small part of a long run), and
nothing is kept once the block ends.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import HealthSystemModel
    from .scenario import Scenario

__all__ = ["NOT_READ_BEFORE_WEEK_0", "KEEP_MOST_RESIDENTS", "place_key", "reusing_places",
           "built_model", "reset_to", "reuse_counts"]

# Scenario keys (dotted) that neither the build nor the burn-in reads (see above).
NOT_READ_BEFORE_WEEK_0 = ("name", "description", "replicates", "seed", "uncertainty",
                          "policies", "system.governance", "system.hierarchical_initiatives",
                          "system.threads")

# Above this many residents a week-0 copy (about 440 bytes a resident) is not kept: the
# sweep's memory check counts one model a worker.
KEEP_MOST_RESIDENTS = 500_000

_KEPT: dict | None = None  # inside reusing_places: {"key": str, "model": a week-0 copy}
_COUNTS = {"built": 0, "reused": 0}


def place_key(spec: "Scenario", seed: int) -> str:
    """What decides the state at week 0: the seed and every key the build or burn-in reads."""
    data = spec.to_dict()
    for path in NOT_READ_BEFORE_WEEK_0:
        node, *rest = path.split(".")
        if not rest:
            data.pop(node, None)
        elif isinstance(data.get(node), dict):
            data[node] = {k: v for k, v in data[node].items() if k != rest[0]}
    text = json.dumps({"seed": int(seed), "scenario": data}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@contextlib.contextmanager
def reusing_places() -> Iterator[None]:
    """Within the block, :func:`built_model` starts a run from the last place built when
    it may (see the module docstring); the kept place is dropped when the block ends."""
    global _KEPT
    outer = _KEPT
    _KEPT = {"key": None, "model": None} if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            _KEPT = None


def built_model(spec: "Scenario", seed: int) -> "HealthSystemModel":
    """A model of ``spec`` on ``seed`` at week 0: built, or (inside :func:`reusing_places`)
    a copy of the last place built on the same key, reset to ``spec``."""
    from .model import HealthSystemModel

    if _KEPT is None:
        return HealthSystemModel(spec, seed=seed)
    key = place_key(spec, seed)
    if _KEPT["key"] == key:
        _COUNTS["reused"] += 1
        return reset_to(copy.deepcopy(_KEPT["model"]), spec)
    _KEPT["key"] = _KEPT["model"] = None  # the old place is freed before a new one is built
    model = HealthSystemModel(spec, seed=seed)
    _COUNTS["built"] += 1
    if spec.population.size <= KEEP_MOST_RESIDENTS:
        _KEPT["key"], _KEPT["model"] = key, copy.deepcopy(model)
    return model


def reset_to(model: "HealthSystemModel", spec: "Scenario") -> "HealthSystemModel":
    """``model`` (at week 0) under ``spec``, which may differ from its scenario only in the
    keys of :data:`NOT_READ_BEFORE_WEEK_0`: the scenario in force and its policies."""
    from .policies import POLICIES

    if model.week != 0 or place_key(spec, model.run_seed) != place_key(model.spec,
                                                                       model.run_seed):
        raise ValueError("reset_to needs a model at week 0 whose scenario differs from "
                         "spec only in keys not read before week 0")
    model.spec = spec
    model.policies = [POLICIES[kind](model, settings)
                      for kind, settings in spec.active_policies().items()]
    return model


def reuse_counts() -> dict[str, int]:
    """Places built and reused in this process inside :func:`reusing_places` (for tests
    and benchmarks)."""
    return dict(_COUNTS)
