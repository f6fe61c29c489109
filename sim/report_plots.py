"""The report's charts: honest bands, years on time axes, one colour per scenario name.

Every chart is a Plotly figure of a fixed size that fits a landscape A4 page
(:data:`CHART_WIDTH` x at most :data:`CHART_MAX_HEIGHT` pixels), so a printed report
keeps each chart whole (see :mod:`sim.report_style`). Bands of counts, rates and
shares are clipped at their natural bounds (never below zero, never above one for a
share): a t-interval over two or three replicates can reach past them, and a band
below zero would show the reader an impossible world.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .colours import SCENARIO_COLOURS, SPARE
from .colours import colour as named_colour

__all__ = ["scenario_colour", "scenario_colours", "band", "PANEL_GROUPS", "timeseries_figures",
           "difference_figure", "demand_kind_figure", "demand_area_figure", "equity_figure",
           "figure_html", "off_scale", "used_kinds", "CHART_WIDTH", "CHART_MAX_HEIGHT"]

# Series that are not scenarios (a tornado's low and high bars, request kinds): Okabe &
# Ito (2008), distinguishable with the common colour-vision deficiencies. Scenarios take
# their own colour from sim.colours, shared with the dashboard.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
SMOOTH_WEEKS = 4  # weekly counts are noisy in small places; charts show 4-week means
CHART_WIDTH = 1000  # px: within a landscape A4 page's printable width (about 1,060 px)
CHART_MAX_HEIGHT = 660  # px: within its printable height (about 730 px)


def scenario_colour(name: str) -> str:
    """The colour of a scenario, fixed by its name alone (not its place in a comparison):
    :func:`sim.colours.colour`, the dashboard's, with a repeat such as ``done_with-2``
    starting from its name's."""
    return named_colour(re.sub(r"-\d+$", "", name))


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """Colours of the scenarios of one chart: :func:`scenario_colour`, except that two names
    that would share a colour are told apart. The clash is settled in the names' sorted
    order, so the colours depend on which scenarios are shown, never on their order."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(names):
        chosen = scenario_colour(name)
        if chosen in taken:
            chosen = next((c for c in (*SPARE, *SCENARIO_COLOURS.values(), *PALETTE)
                           if c not in taken), chosen)
        out[name] = chosen
        taken.add(chosen)
    return {name: out[name] for name in names}


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def figure_html(fig) -> str:
    """A Plotly figure as a div (Plotly's library is in the page head, once), in a
    ``chart`` box that a printed page keeps whole."""
    div = fig.to_html(full_html=False, include_plotlyjs=False,
                      config={"displaylogo": False, "responsive": False})
    return f"<div class='chart'>{div}</div>"


# --- time series with bands ----------------------------------------------------------------------


def _rate(col: str, per: float = 1000.0) -> Callable[[pd.DataFrame], pd.Series]:
    """Weekly count -> a yearly rate per ``per`` residents."""
    return lambda f: f[col] / f["population"] * per * 52.0


def _per_1000(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[col] / f["population"] * 1000.0


def _column(col: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: f[col]


COUNT = (0.0, math.inf)  # counts, rates and costs: never below zero
SHARE = (0.0, 1.0)  # shares and scores on 0-1

# Groups of panels, one chart each (at most six panels, so a chart fits a printed page):
# (title, value per row, smoothed?, natural bounds).
PANEL_GROUPS: tuple[tuple[str, tuple], ...] = (
    ("Demand and cost", (
        ("GP appointments per 1,000 a year", _rate("gp_appointments"), True, COUNT),
        ("A&E attendances per 1,000 a year", _rate("ae_attendances"), True, COUNT),
        ("Emergency admissions per 1,000 a year", _rate("emergency_admissions"), True, COUNT),
        ("Outpatient attendances per 1,000 a year", _rate("outpatient_attendances"), True,
         COUNT),
        ("Unmet GP need per 1,000 a year", _rate("unmet_need"), True, COUNT),
        ("Cost per resident a year (GBP)", _rate("cost_total", 1.0), True, COUNT))),
    ("How people turn to services", (
        ("Mean dependence (0-1)", _column("mean_dependence"), False, SHARE),
        ("Share highly dependent", _column("high_dependence_share"), False, SHARE),
        ("Minor complaints taken to GP or A&E", _column("low_need_service_share"), True, SHARE),
        ("Mean activation (0-1)", _column("mean_activation"), False, SHARE),
        ("Mean wellbeing (0-1)", _column("mean_wellbeing"), False, SHARE),
        ("Share of adults lonely", _column("lonely_share"), False, SHARE))),
    ("Community", (
        ("Community groups", _column("community_groups"), False, COUNT),
        ("Group members per 1,000", _per_1000("group_members"), False, COUNT),
        ("Movement participants per 1,000", _per_1000("movement_participants"), False, COUNT))),
)


def band(frame: pd.DataFrame, value: Callable[[pd.DataFrame], pd.Series], smooth: bool,
         bounds: tuple[float, float] = (-math.inf, math.inf)) -> pd.DataFrame:
    """Per week: mean over replicates and its 95% t-interval (``mean``, ``lo``, ``hi``),
    the interval clipped at the quantity's natural ``bounds``.

    Args:
        frame: weekly rows with ``replicate`` and ``week``.
        value: the quantity per row.
        smooth: take a trailing :data:`SMOOTH_WEEKS`-week mean first, per replicate.
        bounds: (lowest, highest) value the quantity can take.
    """
    from .statistics import t_half_width

    wide = frame.assign(_v=value(frame)).pivot(index="week", columns="replicate", values="_v")
    if smooth:
        wide = wide.rolling(SMOOTH_WEEKS, min_periods=1).mean()
    n = wide.shape[1]
    mean = wide.mean(axis=1)
    if n < 2:
        return pd.DataFrame({"mean": mean, "lo": np.nan, "hi": np.nan})
    half = t_half_width(wide.std(axis=1, ddof=1), n)
    return pd.DataFrame({"mean": mean, "lo": (mean - half).clip(lower=bounds[0]),
                         "hi": (mean + half).clip(upper=bounds[1])})


def _years(index: pd.Index) -> np.ndarray:
    """Weeks of the run as years (week 52 is the end of year 1), as float32 (see
    :func:`_compact`)."""
    return _compact(index.to_numpy() / 52.0)


def _compact(values) -> np.ndarray:
    """Chart data as float32: a fifth of the page's size at a precision no eye can see."""
    return np.asarray(values, dtype=np.float32)


def timeseries_figures(frames: Mapping[str, pd.DataFrame]) -> list[tuple[str, object]]:
    """One chart per group of :data:`PANEL_GROUPS`: each scenario's mean and 95% band."""
    from plotly.subplots import make_subplots

    colours = scenario_colours(list(frames))
    out = []
    for group, panels in PANEL_GROUPS:
        cols = 3
        rows = math.ceil(len(panels) / cols)
        fig = make_subplots(rows=rows, cols=cols, subplot_titles=[p[0] for p in panels],
                            horizontal_spacing=0.07, vertical_spacing=0.16)
        for i, (_title, value, smooth, bounds) in enumerate(panels):
            r, c = divmod(i, cols)
            for label, frame in frames.items():
                colour = colours[label]
                stats_ = band(frame, value, smooth, bounds)
                years = _years(stats_.index)
                if stats_["lo"].notna().any():
                    fig.add_scatter(x=np.concatenate([years, years[::-1]]),
                                    y=_compact(np.concatenate([stats_["hi"],
                                                               stats_["lo"][::-1]])),
                                    fill="toself", fillcolor=_rgba(colour, 0.22),
                                    line=dict(width=0), hoverinfo="skip", showlegend=False,
                                    legendgroup=label, row=r + 1, col=c + 1)
                fig.add_scatter(x=years, y=_compact(stats_["mean"]), name=label,
                                legendgroup=label, showlegend=i == 0,
                                line=dict(color=colour, width=1.6),
                                hovertemplate=f"{html.escape(label)}<br>year %{{x:.2f}}: "
                                              "%{y:.4g}<extra></extra>",
                                row=r + 1, col=c + 1)
        fig.update_annotations(font_size=12)
        fig.update_xaxes(title_text="year of the run", title_font_size=10, title_standoff=2,
                         row=rows)
        fig.update_layout(width=CHART_WIDTH, height=min(CHART_MAX_HEIGHT, 270 * rows + 90),
                          margin=dict(l=45, r=15, t=80, b=40),
                          legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0,
                                      yref="container", font_size=13),
                          title=dict(text=group, x=0, font_size=15), template="plotly_white")
        out.append((group, fig))
    return out


# --- comparison charts ---------------------------------------------------------------------------


def off_scale(comp, metrics: Sequence[str]) -> list[str]:
    """Metrics whose relative change is undefined or more than tenfold (from next to nothing)."""
    out = []
    for m in metrics:
        ref = comp.row(m, comp.reference)["mean"]
        diffs = [comp.row(m, label)["diff"] for label in comp.labels[1:]]
        if not ref or any(np.isfinite(d) and abs(d / ref) > 10 for d in diffs):
            out.append(m)
    return out


def difference_figure(comp, metrics: Sequence[str]):
    """Paired differences from the reference, as % of the reference's mean, with 95% CIs."""
    import plotly.graph_objects as go

    from .compare import fmt, words

    colours = scenario_colours(comp.labels)
    fig = go.Figure()
    shown = [m for m in metrics if m not in off_scale(comp, metrics)]
    names = [words(m)[0] for m in shown]
    for label in comp.labels[1:]:
        x, lo, hi, hover = [], [], [], []
        for m in shown:
            ref, row = comp.row(m, comp.reference)["mean"], comp.row(m, label)
            x.append(100.0 * row["diff"] / ref)
            lo.append(100.0 * (row["diff"] - row["diff_ci_low"]) / abs(ref))
            hi.append(100.0 * (row["diff_ci_high"] - row["diff"]) / abs(ref))
            hover.append(f"{fmt(m, row['diff'], True)} [{fmt(m, row['diff_ci_low'], True)}, "
                         f"{fmt(m, row['diff_ci_high'], True)}]{words(m)[1]}")
        fig.add_scatter(x=x, y=names, mode="markers", name=label,
                        marker=dict(color=colours[label], size=9),
                        error_x=dict(type="data", symmetric=False, array=hi, arrayminus=lo,
                                     thickness=1.5, width=4),
                        customdata=hover,
                        hovertemplate="%{y}: %{x:+.2f}%<br>%{customdata}<extra>"
                                      f"{html.escape(label)}</extra>")
    fig.add_vline(x=0, line_color="#888", line_width=1)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(title=f"Paired difference from {comp.reference}, % of its mean "
                            "(95% CI of simulation noise)", xaxis_title="%",
                      template="plotly_white", width=CHART_WIDTH,
                      height=min(CHART_MAX_HEIGHT, 130 + 32 * len(shown)),
                      margin=dict(l=20, r=20, t=60, b=40), legend=dict(orientation="h", y=-0.15))
    return fig


def used_kinds(comp) -> list[str]:
    """Kinds of GP request that any scenario received."""
    from .compare import GP_REQUEST_KINDS

    return [k for k in GP_REQUEST_KINDS
            if any(comp.row(f"gp_requests_{k}_per_1000", label)["mean"] for label in comp.labels)]


def demand_kind_figure(comp):
    """Change in GP requests by kind of request (per 1,000 a year, 95% CI)."""
    import plotly.graph_objects as go

    from .compare import KIND_WORDS

    colours = scenario_colours(comp.labels)
    fig = go.Figure()
    kinds = used_kinds(comp)
    for label in comp.labels[1:]:
        rows = [comp.row(f"gp_requests_{kind}_per_1000", label) for kind in kinds]
        fig.add_bar(x=[KIND_WORDS[kind] for kind in kinds], y=[r["diff"] for r in rows],
                    name=label, marker_color=colours[label],
                    error_y=dict(type="data", symmetric=False,
                                 array=[r["diff_ci_high"] - r["diff"] for r in rows],
                                 arrayminus=[r["diff"] - r["diff_ci_low"] for r in rows]))
    fig.update_layout(title=f"Change in GP requests by kind, from {comp.reference} "
                            "(per 1,000 a year, 95% CI)", template="plotly_white",
                      width=CHART_WIDTH, height=400, margin=dict(l=50, r=20, t=60, b=80),
                      barmode="group")
    return fig


def demand_area_figure(runs):
    """GP requests by kind over time (per 1,000 a year, mean of replicates, stacked)."""
    import plotly.graph_objects as go

    from .compare import GP_REQUEST_KINDS, KIND_WORDS

    demand = runs.demand.merge(runs.result.timeseries[["replicate", "week", "population"]],
                               on=["replicate", "week"])
    fig = go.Figure()
    for k, kind in enumerate(GP_REQUEST_KINDS):
        stats_ = band(demand, _rate(f"gp_requests_{kind}"), smooth=True)
        fig.add_scatter(x=_years(stats_.index), y=_compact(stats_["mean"]),
                        stackgroup="kinds", name=KIND_WORDS[kind],
                        line=dict(width=0.5, color=PALETTE[k % len(PALETTE)]))
    fig.update_layout(title="GP requests by kind (per 1,000 a year, stacked; mean of replicates)",
                      xaxis_title="year of the run", template="plotly_white", width=CHART_WIDTH,
                      height=400, margin=dict(l=50, r=20, t=60, b=40))
    return fig


EQUITY = (("gp_appointments_per_1000", "GP appointments per 1,000 a year"),
          ("ae_attendances_per_1000", "A&E attendances per 1,000 a year"),
          ("mean_dependence", "Mean dependence"), ("mean_activation", "Mean activation"))


def equity_figure(summaries: Mapping[str, pd.DataFrame]):
    """The most (q1) and least (q5) deprived fifths side by side, per scenario, 95% CIs
    (clipped at zero: every measure charted is a rate or a 0-1 score)."""
    from plotly.subplots import make_subplots

    from .compare import t_interval

    colours = scenario_colours(list(summaries))
    fig = make_subplots(rows=1, cols=len(EQUITY), subplot_titles=[t for _, t in EQUITY],
                        horizontal_spacing=0.06)
    for c, (metric, _) in enumerate(EQUITY, start=1):
        for label, summary in summaries.items():
            cols = [f"{metric}_q1", f"{metric}_q5"]
            if not all(col in summary for col in cols):
                continue
            est = [t_interval(summary[col]) for col in cols]
            fig.add_bar(x=["most deprived", "least deprived"], y=[e[0] for e in est],
                        name=label, legendgroup=label, showlegend=c == 1,
                        marker_color=colours[label],
                        error_y=dict(type="data", symmetric=False,
                                     array=[e[3] - e[0] for e in est],
                                     arrayminus=[min(e[0] - e[2], e[0]) for e in est]),
                        row=1, col=c)
    fig.update_annotations(font_size=12)
    fig.update_layout(barmode="group", width=CHART_WIDTH, height=380, template="plotly_white",
                      margin=dict(l=45, r=15, t=60, b=40),
                      legend=dict(orientation="h", y=-0.15))
    return fig
