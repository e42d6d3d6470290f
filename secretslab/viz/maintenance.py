"""The maintenance chart: policy edits needed as people join and leave a team sharing secrets,
with an identity-based design (one group membership change per person) against a resource-based
design (every secret's policy lists people by ARN; semantics §2.7, §8.6).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .style import EXPLICIT_DENY_COLOUR, FONT_SIZE, PATH_COLOUR, figure_of, fit


def maintenance_counts(events: Sequence[tuple[str, str]], *, secrets: int = 3) -> dict[str, list[int]]:
    """The cumulative number of policy edits after each of ``events`` ("join" or "leave",
    person) for a team whose ``secrets`` secrets are shared two ways: ``identity`` — a group's
    identity-based policy grants them, so a joiner or leaver is one group-membership edit;
    ``resource`` — each secret's resource-based policy lists the people by ARN, so every event is
    one edit per secret (a forgotten edit leaves a stale grant, §2.7). Both lists start at 0."""
    if secrets < 0:
        raise ValueError("secrets is a count, 0 or more")
    identity, resource = [0], [0]
    for i, event in enumerate(events):
        if not (isinstance(event, tuple) and len(event) == 2 and event[0] in ("join", "leave")):
            raise ValueError(f"event {i} is {event!r}; expected ('join' or 'leave', person)")
        identity.append(identity[-1] + 1)
        resource.append(resource[-1] + secrets)
    return {"identity": identity, "resource": resource}


def maintenance_chart(
    events: Sequence[tuple[str, str]], *, secrets: int = 3, ax: Axes | None = None
) -> Figure:
    """Two step lines of ``maintenance_counts``: policy edits needed as people join and leave,
    with an identity-based design (group membership, solid) and a resource-based design (every
    secret's policy lists people, dashed). Events are the x axis, ``+name`` for a joiner and
    ``−name`` for a leaver (numbered instead when there are more than 24)."""
    counts = maintenance_counts(events, secrets=secrets)
    n = len(events)
    if ax is None:
        fig = Figure(figsize=(max(6.0, 1.5 + 0.3 * min(n, 24)), 4.2), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = figure_of(ax)
    x = [*range(n + 1), n + 0.6]  # the last step drawn as a short flat run
    ident, res = counts["identity"], counts["resource"]
    ax.step(
        x,
        [*res, res[-1]],
        where="post",
        color=EXPLICIT_DENY_COLOUR,
        linewidth=2.2,
        linestyle="--",
        label=f"resource-based: {secrets} secret policies list people ({res[-1]} edits)",
    )
    ax.step(
        x,
        [*ident, ident[-1]],
        where="post",
        color=PATH_COLOUR,
        linewidth=2.2,
        label=f"identity-based: one group membership change ({ident[-1]} edits)",
    )
    xlabel = "people joining (+) and leaving (−), in order"
    if 0 < n <= 24:
        names = [fit(("+" if kind == "join" else "−") + person, 1.4, FONT_SIZE, 1) for kind, person in events]
        ax.set_xticks(range(1, n + 1), names, rotation=90, fontsize=FONT_SIZE)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        xlabel = "event number (people joining and leaving, in order)"
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(-0.3, n + 0.9)
    ax.set_ylim(0, max(res[-1], ident[-1], 1) * 1.3)
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.set_ylabel("policy edits so far", fontsize=FONT_SIZE)
    ax.set_title(
        f"People come and go: policy edits for a team sharing {secrets} secrets",
        fontsize=FONT_SIZE,
        loc="left",
        weight="bold",
    )
    ax.grid(axis="y", color="#E0E0E0", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.legend(loc="upper left", fontsize=FONT_SIZE, frameon=False)
    return fig
