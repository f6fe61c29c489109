"""Community groups (``mesa.Agent``) and phase 6 of the week — community life.

Groups are peer-support, walking, creative and mental-health groups. Their state is
held in a table of arrays (so a week is a few vectorised operations, whatever the
number of groups); each living group also has a :class:`CommunityGroup` agent that
reads its row, for inspection and the dashboard.

A group's **vitality** grows with organisers, members and grants, and decays with
burnout and reporting burden. Groups recruit through members' ties and link-worker
referrals (only where there is room), lose members as vitality fades, split when
large and vital, and die when vitality runs out. Organisers start new groups; most
seeds never find the sunlight. Membership raises activation and connectedness and
lowers dependence. Help-seeking norms also spread along ties here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .mesa_import import mesa

if TYPE_CHECKING:
    from .model import HealthSystemModel

__all__ = ["CommunityGroup", "CommunityGroups", "run_community", "GROUP_KINDS",
           "NO_FUNDING", "GRANT", "CONTRACT"]

GROUP_KINDS = ("peer support", "walking", "creative", "mental health")
NO_FUNDING, GRANT, CONTRACT = 0, 1, 2


class CommunityGroup(mesa.Agent):
    """A view of one community group's row in :class:`CommunityGroups`."""

    def __init__(self, model: "HealthSystemModel", row: int):
        super().__init__(model)
        self.row = row

    def __getattr__(self, name: str):
        if name in CommunityGroups.FIELDS:
            return getattr(self.model.groups, name)[self.row].item()
        raise AttributeError(name)

    @property
    def kind(self) -> str:
        """Peer support, walking, creative or mental health."""
        return GROUP_KINDS[self.model.groups.kind_code[self.row]]


class CommunityGroups:
    """Table of every group ever founded in the run (rows never reused)."""

    FIELDS = {
        "alive": (np.bool_, False),
        "neighbourhood": (np.int32, -1),
        "kind_code": (np.int8, 0),
        "capacity": (np.int32, 0),  # members it can hold
        "vitality": (np.float32, 0.0),
        "funding": (np.int8, NO_FUNDING),
        "grant": (np.float32, 0.0),  # GBP per week
        "burden": (np.float32, 0.0),  # reporting burden 0..1 of a contract with targets
        "ti_born": (np.int32, -1),
        "ti_died": (np.int32, -1),
        "members": (np.int32, 0),
        "organisers": (np.int32, 0),
    }

    def __init__(self, model: "HealthSystemModel", allocated: int = 64):
        self.model = model
        self.n = 0
        self.allocated = allocated
        for name, (dtype, fill) in self.FIELDS.items():
            setattr(self, name, np.full(allocated, fill, dtype=dtype))
        self.agents: dict[int, CommunityGroup] = {}
        self._live: np.ndarray | None = None  # rows of living groups (see live)
        self.founded = 0
        self.died = 0
        self.splits = 0

    @property
    def count(self) -> int:
        """Living groups."""
        return len(self.agents)

    @property
    def live(self) -> np.ndarray:
        """Rows of living groups, ascending (kept up to date by :meth:`found` and
        :meth:`close`, the only writers of ``alive``). Read only."""
        if self._live is None:
            self._live = np.flatnonzero(self.alive[: self.n])
        return self._live

    def found(self, neighbourhood: np.ndarray, kind_code: np.ndarray,
              vitality: float | np.ndarray) -> np.ndarray:
        """Add groups; return their rows (one agent each)."""
        k = int(np.size(neighbourhood))
        if self.n + k > self.allocated:
            grown_to = max(self.n + k, 2 * self.allocated)
            for name, (dtype, fill) in self.FIELDS.items():
                grown = np.full(grown_to, fill, dtype=dtype)
                grown[: self.n] = getattr(self, name)[: self.n]
                setattr(self, name, grown)
            self.allocated = grown_to
        rows = np.arange(self.n, self.n + k)
        if self._live is not None:  # new rows come last: still ascending
            self._live = np.concatenate((self._live, rows))
        self.n += k
        self.alive[rows] = True
        self.neighbourhood[rows] = neighbourhood
        self.kind_code[rows] = kind_code
        self.capacity[rows] = self.model.spec.community.group_capacity
        self.vitality[rows] = vitality
        self.ti_born[rows] = self.model.week
        for row in rows.tolist():  # a Python loop over new groups only: a handful a week
            self.agents[row] = CommunityGroup(self.model, row)
        self.founded += k
        return rows

    def close(self, rows: np.ndarray, member_rows: np.ndarray | None = None) -> None:
        """Groups fold: members are released and the agents removed. ``member_rows``:
        rows that include every member, ascending (by default all residents')."""
        if rows.size == 0:
            return
        self.alive[rows] = False
        if self._live is not None:
            self._live = self._live[self.alive[self._live]]
        self.ti_died[rows] = self.model.week
        if self.members[rows].any():  # the counts are kept, so empty groups need no pass
            from . import kernels

            people = self.model.people
            closing = np.zeros(self.n, dtype=bool)
            closing[rows] = True
            if member_rows is None:
                member_rows = np.arange(people.n)
            kernels.release_members(member_rows, people.group, closing)
        self.members[rows] = 0
        self.organisers[rows] = 0
        for row in rows.tolist():
            self.agents.pop(row).remove()
        self.died += int(rows.size)

    def count_members(self) -> np.ndarray:
        """Recount members and organisers of every group from the residents; return the
        rows of the residents in a group, ascending."""
        from . import kernels

        people = self.model.people
        n = people.n
        members, organisers, rows = kernels.count_members(people.group[:n],
                                                          people.organiser[:n], self.n)
        self.members[: self.n] = members
        self.organisers[: self.n] = organisers
        return rows

    def join(self, people_rows: np.ndarray, group_rows: np.ndarray) -> np.ndarray:
        """Residents join groups, in the order given, only while a group has room.

        Returns the residents who joined (in the order given). A request into a full
        group adds no one.
        """
        if people_rows.size == 0:
            return people_rows
        from . import kernels

        people = self.model.people
        joined = kernels.join_groups(np.ascontiguousarray(people_rows, np.int64),
                                     np.ascontiguousarray(group_rows, np.int64), people.group,
                                     people.organiser, self.alive, self.capacity,
                                     self.members, self.organisers)
        return people_rows[joined]


def seed_groups(model: "HealthSystemModel") -> None:
    """The groups a place has at the start, each with members from its neighbourhood."""
    spec, people = model.spec.community, model.people
    rng = model.streams.generator("init.groups")
    n = people.n
    count = int(round(spec.groups_per_1000 * n / 1000.0))
    if count == 0:
        return
    n_nbhd = model.spec.population.neighbourhoods
    adult_age = model.spec.population.adult_age
    where = rng.integers(0, n_nbhd, count)
    if model.spec.place is not None:  # real neighbourhoods differ in size: follow the adults
        grown = np.flatnonzero(people.alive[:n] & (people.age[:n] >= adult_age))
        where = people.neighbourhood[grown[rng.integers(0, grown.size, count)]]
    rows = model.groups.found(where, rng.integers(0, len(GROUP_KINDS), count),
                              rng.uniform(spec.initial_vitality_min, spec.initial_vitality_max,
                                          count))
    # Members: adults of the group's neighbourhood, drawn without replacement.
    adults = np.flatnonzero(people.alive[:n] & (people.age[:n] >= adult_age))
    adults = adults[rng.permutation(adults.size)]
    by_nbhd = adults[np.argsort(people.neighbourhood[adults], kind="stable")]
    starts = np.searchsorted(people.neighbourhood[by_nbhd], np.arange(n_nbhd + 1))
    taken = np.zeros(n_nbhd, dtype=np.int64)
    size = min(spec.initial_members, spec.group_capacity)
    for row in rows:  # initialisation only: one pass over the starting groups
        h = model.groups.neighbourhood[row]
        lo = starts[h] + taken[h]
        chosen = by_nbhd[lo: min(lo + size, starts[h + 1])]
        taken[h] += chosen.size
        people.group[chosen] = row
        if chosen.size:
            people.organiser[chosen[0]] = True  # every starting group has an organiser
    model.groups.count_members()


def run_community(model: "HealthSystemModel") -> None:
    """Phase 6: vitality, leaving, folding, recruitment, referrals, founding, splitting."""
    groups, cp = model.groups, community_params(model)
    values = tuple(cp)  # what the passes take, quicker to pass (sim.kernels.community)
    # Recount once a week: deaths and the movement's new organisers change membership
    # outside this phase. Within it every change (leaving, folding, joining, splitting)
    # keeps the counts as it goes. The passes over members take the rows in a group
    # (with those who join, ascending), a few in a hundred residents, not every row.
    members = groups.count_members()
    live = groups.live
    if live.size:
        _update_vitality(model, live, values)
        _leave(model, members, values)  # keeps the counts
        from . import kernels

        groups.close(kernels.folding(live, groups.vitality, groups.members, groups.ti_born,
                                     model.week, values), members)
    joined = np.concatenate((_recruit_through_ties(model, values), _place_referrals(model),
                             _found_groups(model, values)))
    if joined.size:  # merged in, not sorted again: kernels.with_joiners
        from . import kernels

        members = kernels.with_joiners(members, joined)
    _split_groups(model, members, values)
    _member_effects(model, members, values)
    _spread_norms(model, cp)
    # The living groups' grants in row order (float32, as summed; the rows of every
    # group ever founded are many more).
    grants = np.add.reduce(groups.grant[groups.live])
    model.log.community_cost += float(
        groups.count * model.spec.costs.group_running_per_year / 52.0 + grants)


def community_params(model: "HealthSystemModel"):
    """The community rules' parameters (:data:`sim.kernels.community.CommunityParams`)."""
    from . import kernels

    return kernels.bounds.rule_params(kernels.community.CommunityParams, model.spec.community)


_NONE = np.empty(0, np.int64)


def _update_vitality(model: "HealthSystemModel", live: np.ndarray, cp=None) -> None:
    """Vitality grows with organisers, members and grants; decays with burnout and burden
    (:func:`sim.kernels.community.vitality_step`; ``cp``: the week's
    :func:`community_params`, made here if not given)."""
    from . import kernels

    g = model.groups
    cp = community_params(model) if cp is None else cp
    kernels.update_vitality(live, g.organisers, g.members, g.capacity, g.grant, g.burden,
                            g.vitality, cp)


def _leave(model: "HealthSystemModel", members: np.ndarray, cp) -> None:
    """Members drift away from groups with little vitality (and heavy reporting)."""
    from . import kernels

    people, g = model.people, model.groups
    kernels.leave_groups(members, people.alive, people.group, people.organiser, g.vitality,
                         g.burden, g.members, g.organisers,
                         _members_draws(model, "community.leave", members), cp)


def _members_draws(model: "HealthSystemModel", stream: str, members: np.ndarray,
                   splitting_into: np.ndarray | None = None):
    """The draws of a compiled pass over group members (see sim.kernels.community): with
    CRN each member's own, hashed in the pass; without, the sequential draws of those the
    pass decides for, in row order: the living among ``members`` (rows that include every
    member, ascending), and with ``splitting_into`` (each group's new group, or -1) only
    those still in a group that splits."""
    people, s = model.people, model.streams
    uid = people.uid[: people.n]
    if s.crn:
        return True, uid, s.key(stream), np.empty(0)
    drawing = members[people.alive[members]]
    if splitting_into is not None:
        drawing = drawing[people.group[drawing] >= 0]
        drawing = drawing[splitting_into[people.group[drawing]] >= 0]
    return False, uid, np.uint64(0), s.uniform(stream, uid[drawing])


def _recruit_through_ties(model: "HealthSystemModel", cp) -> np.ndarray:
    """Adults not in a group hear of one from a random tie and may be invited in; returns
    those who joined."""
    people, g, c, s = model.people, model.groups, model.spec.community, model.streams
    from . import kernels

    n = people.n
    crn, key, useq = s.kernel_draws("community.contact", n)
    contacts = kernels.contacts_threads if kernels.small_pass_threaded(n) else kernels.contacts
    talk = contacts(people.alive[:n], people.group[:n], people.age[:n], float(c.contact_min_age),
                    people.uid[:n], crn, key, useq, c.p_contact)
    if talk.size == 0 or g.count == 0:
        return _NONE
    # (One compiled pass for the contacts and their ties, with the free organisers marked
    # in it, took 5.5-5.7 ms a week at a million residents against these NumPy steps'
    # 4.8 with the organisers' own pass, timed in turn within one run: what the phase
    # reads is not in cache, and NumPy's separate gathers wait for it better.)
    tie = model.network.random_tie(talk, s.uniform("community.tie", people.uid[talk]))
    talk, via = kernels.heard_of_groups(talk, tie, people.group, people.alive)
    invited = kernels.invited(via, s.uniform("community.invite", people.uid[talk]), g.vitality,
                              cp)
    return g.join(talk[invited], via[invited])


def _place_referrals(model: "HealthSystemModel") -> np.ndarray:
    """Link workers connect referred people to the most vital group with room nearby;
    returns those placed."""
    people, g = model.people, model.groups
    referred = model.link_worker_referrals
    if referred.size == 0 or g.count == 0:
        return _NONE
    from . import kernels

    # Best open group per neighbourhood: highest vitality.
    best = kernels.best_open_groups(g.live, g.capacity, g.members, g.vitality,
                                    g.neighbourhood, model.spec.population.neighbourhoods)
    return g.join(*kernels.referral_places(referred, people.alive, people.group,
                                           people.neighbourhood, best))


def _found_groups(model: "HealthSystemModel", cp) -> np.ndarray:
    """Organisers who are not in a group may start one; it must then find members.
    Returns the founders."""
    people, c, s = model.people, model.spec.community, model.streams
    from . import kernels

    n = people.n
    # Only free organisers can found a group, so only their draws are needed (with CRN).
    crn, key, useq = s.kernel_draws("community.found", n)
    found = kernels.founders_threads if kernels.small_pass_threaded(n) else kernels.founders
    founders = found(people.alive[:n], people.organiser[:n], people.group[:n], people.age[:n],
                     float(model.spec.population.adult_age), people.activation[:n],
                     people.uid[:n], crn, key, useq, cp)
    if founders.size == 0:
        return _NONE
    kinds = (s.uniform("community.kind", people.uid[founders]) * len(GROUP_KINDS)).astype(np.int8)
    rows = model.groups.found(people.neighbourhood[founders], kinds, c.seed_vitality)
    return model.groups.join(founders, rows)


def _split_groups(model: "HealthSystemModel", members: np.ndarray, cp) -> None:
    """A large, vital group with two or more organisers splits in two. ``members``: rows
    that include every member, ascending."""
    from . import kernels

    people, g, c = model.people, model.groups, model.spec.community
    splitting = kernels.splitting(g.live, g.members, g.vitality, g.organisers, cp)
    if splitting.size == 0:
        return
    new_rows = g.found(g.neighbourhood[splitting], g.kind_code[splitting],
                       g.vitality[splitting] * c.split_kept_vitality)
    g.vitality[splitting] *= c.split_kept_vitality
    new_of = np.full(g.n, -1, dtype=np.int64)
    new_of[splitting] = new_rows
    kernels.split_members(members, people.alive, people.group, people.organiser, new_of,
                          g.members, g.organisers,
                          _members_draws(model, "community.split", members, new_of),
                          float(c.split_share))
    g.splits += int(splitting.size)


def _member_effects(model: "HealthSystemModel", members: np.ndarray, cp) -> None:
    """Members of vital groups gain activation and connection and lean less on services.
    ``members``: rows that include every member."""
    from . import kernels

    people, g = model.people, model.groups
    kernels.member_effects(members, people.alive, people.group, g.vitality, people.activation,
                           people.dependence, people.connectedness, cp)


def _spread_norms(model: "HealthSystemModel", cp) -> None:
    """Dependence and activation drift toward the norms of one's living ties.

    What spreads is change: each person drifts toward their own disposition plus
    the mean departure of their ties from their dispositions. Drifting toward the
    ties' levels themselves would pull everyone to the neighbourhood mean within a
    few years and erase the stable differences between people that the PAM levels
    and the concentration of use reflect. In the baseline departures are small, so
    norms keep the population stationary; a change that a policy brings to some
    residents spreads to their ties.
    """
    rate = model.spec.community.norm_rate
    if rate == 0:
        return
    from . import kernels

    people, net = model.people, model.network
    n = people.n
    # One compiled pass over the ties for both traits, in float32 (see
    # sim.kernels.spread_norms; the rule is sim.kernels.network.norm_step).
    columns = (net.indptr, net.indices, net.padded(), net.live_degree, people.alive[:n],
               people.dependence[:n], people.dependence0[:n], people.activation[:n],
               people.activation0[:n], cp, net.norms_work())
    if kernels.threaded(n):
        kernels.spread_norms_threads(*columns, kernels.threads.in_use())
    else:
        kernels.spread_norms(*columns)
