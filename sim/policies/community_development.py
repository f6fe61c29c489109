"""``community_development`` — grants without strings that follow the energy ("done with").

Every quarter the budget is given as grants to the groups with momentum (vitality
times organisers) — not to where need is greatest, and not by contract — and part
of it seeds new groups in the neighbourhoods where movement participants and free
organisers cluster. Grants raise a group's vitality growth; they cannot make a group
with no organisers grow. Under hierarchical governance only a few centrally managed
grants run at a time; under distributed governance many small ones do.
"""

from __future__ import annotations

import numpy as np

from ..community import GRANT, GROUP_KINDS
from ..parameters import Param as P
from ..shared_data import pick_by_need, responds_weekly
from .base import Policy, register

QUARTER = 13


@register
class CommunityDevelopment(Policy):
    kind = "community_development"
    family = "done_with"
    summary = "Grants that follow the energy, and seeds where organisers cluster"
    params = {
        "budget_per_1000_year": P(2000.0, 0.0, 1e7, "GBP per 1,000 per year",
                                  "Grant budget",
                                  "assumption: Local Trust's Big Local, about GBP 1 m per "
                                  "area of some 7,000 people over 10-15 years (~GBP 10-14 "
                                  "per resident a year), scaled down", lever=True),
        "grant_per_week": P(40.0, 1.0, 1e5, "GBP per group-week", "Size of one grant",
                            "assumption: small grants of about GBP 2,000 a year"),
        "seed_share": P(0.25, 0.0, 1.0, "share of budget",
                        "Share of the budget spent seeding new groups",
                        "assumption: most money backs existing energy, a quarter "
                        "for new seeds"),
        "seed_cost": P(1000.0, 1.0, 1e6, "GBP", "Cost of seeding one group",
                       "assumption: a room, a kettle and some publicity"),
        "admin_share": P(0.1, 0.0, 1.0, "share of budget", "Administration overhead",
                         "assumption: a typical 10% management fee of grant programmes"),
    }

    def start(self) -> None:
        self.funded = np.empty(0, dtype=np.int64)
        self.seed_fund = 0.0

    def step(self) -> None:
        model, p = self.model, self.p
        g = model.groups
        weekly_budget = p.budget_per_1000_year * len(model.people) / 1000.0 / 52.0
        self.cost_this_week = weekly_budget * p.admin_share
        if (model.week - p.start_week) % QUARTER == 0 or responds_weekly(model):
            self._allocate(weekly_budget)
        self.funded = self.funded[g.alive[self.funded]]
        g.grant[self.funded] += self.grant
        g.funding[self.funded] = np.maximum(g.funding[self.funded], GRANT)
        self.seed_fund += weekly_budget * p.seed_share
        self._seed_groups()

    def _allocate(self, weekly_budget: float) -> None:
        """Choose this quarter's grantees: the groups with the most momentum."""
        g, p, spec = self.model.groups, self.p, self.model.spec
        live = g.live
        grant_budget = weekly_budget * (1.0 - p.seed_share - p.admin_share)
        k = int(grant_budget // p.grant_per_week)
        self.grant = p.grant_per_week
        if spec.system.governance == "hierarchical":
            # A few centrally managed projects: fewer, larger grants.
            k_central = min(k, spec.system.hierarchical_initiatives)
            self.grant = grant_budget / max(k_central, 1)
            k = k_central
        momentum = g.vitality[live] * g.organisers[live]
        by_need = pick_by_need(self.model, g.neighbourhood[live], momentum, k, managed=True)
        if by_need is not None:  # shared data: some grants go where need shows
            self.funded = live[by_need]
            return
        order = np.argsort(-momentum, kind="stable")
        self.funded = live[order[:k]][momentum[order[:k]] > 0]

    def _seed_groups(self) -> None:
        """Seed groups where free organisers and movement participants cluster."""
        model, p = self.model, self.p
        people = model.people
        n_seeds = int(self.seed_fund // p.seed_cost)
        if model.spec.system.governance == "hierarchical":
            n_seeds = min(n_seeds, model.spec.system.hierarchical_initiatives)
        if n_seeds == 0:
            return
        from .. import kernels

        n = people.n
        threads = kernels.small_pass_threaded(n)  # the passes' blocks in threads
        find = kernels.free_organisers_threads if threads else kernels.free_organisers
        free = find(people.alive[:n], people.organiser[:n], people.group[:n], people.age[:n],
                    float(model.spec.population.adult_age))
        if free.size == 0:
            return  # no energy to follow: the money waits
        n_nbhd = model.spec.population.neighbourhoods
        count = kernels.participants_by_neighbourhood_threads if threads \
            else kernels.participants_by_neighbourhood
        energy = count(people.alive[:n], people.role[:n], people.neighbourhood[:n],
                       n_nbhd).astype(float)
        home = people.neighbourhood[free]
        energy += np.bincount(home, minlength=n_nbhd)
        # The organiser in the most energetic neighbourhood goes first.
        founders = free[first_by_energy(energy[home], n_seeds)]
        kinds = (model.streams.uniform("community_development.kind", people.uid[founders])
                 * len(GROUP_KINDS)).astype(np.int8)
        rows = model.groups.found(people.neighbourhood[founders], kinds,
                                  model.spec.community.seed_vitality)
        model.groups.join(founders, rows)
        self.seed_fund -= founders.size * p.seed_cost
        self.cost_this_week += founders.size * p.seed_cost


def first_by_energy(energy: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(-energy, kind="stable")[:k]``: the positions of the ``k`` highest
    energies, the first among equals first, without sorting them all (some 44,000 free
    organisers a week at a million residents, for a handful of seeds). Every position
    ahead of the ``k``-th is at or above its energy, so only those are sorted."""
    if k <= 0 or k >= energy.size:
        return np.argsort(-energy, kind="stable")[:max(k, 0)]
    kth = np.partition(energy, energy.size - k)[energy.size - k]  # the k-th highest
    ahead = np.flatnonzero(energy >= kth)  # ascending: equals keep their order
    return ahead[np.argsort(-energy[ahead], kind="stable")[:k]]
