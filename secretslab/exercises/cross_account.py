"""The checker of notebook 03 (cross-account access): the smallest set of pieces that lets
AppRole in account apps read app/legacy in account prod. The world without any piece is
``worlds/cross-account.json``; each piece is an edit of it, in ``worlds/cross-account-pieces.json``."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable
from typing import Any

from ..analysis import check_no_new_access
from ..authorization import Decision, authorize
from ..world import World
from .common import NOT_YET, PROD, REGION, RIGHT, never_raises, why_denied, witness_lines
from .shipped import document, world_data

LEGACY = f"arn:aws:secretsmanager:{REGION}:{PROD}:secret:app/legacy-Zx9Yw8"

_PIECES: dict[str, dict[str, Any]] = document("cross-account-pieces")["pieces"]

#: the pieces exercise 03 offers: name -> (account that owns it, what it is)
PIECES: dict[str, tuple[str, str]] = {name: (p["account"], p["what"]) for name, p in _PIECES.items()}

#: the two ways to read: AppRole directly, or AppRole assuming SecretReader first
PATHS: dict[str, dict[str, Any]] = document("cross-account-pieces")["paths"]


def pieces_world(pieces: Iterable[str]) -> World:
    """The two-account world of exercise 03 with exactly ``pieces`` (names of ``PIECES``) in place."""
    chosen = set(pieces)
    data = world_data("cross-account")
    for name, piece in _PIECES.items():  # in the file's order, whatever the order asked
        if name in chosen:
            _edit(data, piece["edit"])
    return World.from_dict(data)


def _edit(data: dict[str, Any], edit: dict[str, Any]) -> None:
    """Apply one edit of the pieces file: ``set`` a field, or ``add_statement`` to a policy."""
    entity = _entity(data, edit["arn"])
    if "set" in edit:
        entity[edit["set"]] = copy.deepcopy(edit["value"])
        return
    slot = edit["add_statement"]
    if slot == "policies":  # the first identity policy
        policies = entity.setdefault("policies", [])
        if not policies:
            policies.append(_policy())
        policy = policies[0]
    else:
        if entity.get(slot) is None:
            entity[slot] = _policy()
        policy = entity[slot]
    policy["Statement"].append(copy.deepcopy(edit["statement"]))


def _entity(data: dict[str, Any], arn: str) -> dict[str, Any]:
    """The role, user, secret or key of the world dict with that ARN."""
    principals = data.get("principals", {})
    listed = [*principals.get("roles", []), *principals.get("users", []), *data.get("secrets", []),
              *data.get("kms_keys", [])]  # fmt: skip
    found: dict[str, Any] = next(e for e in listed if e["arn"] == arn)
    return found


def _policy() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": []}


def _pieces(answer: object) -> tuple[set[str] | None, str | None]:
    if isinstance(answer, str):
        answer = [answer]
    if not isinstance(answer, (set, frozenset, list, tuple)):
        return None, (
            f"{NOT_YET}: the answer is a set of piece names, such as "
            f'{{"secret-policy", "caller-get"}}; got {type(answer).__name__}.'
        )
    unknown = [p for p in answer if not isinstance(p, str) or p not in PIECES]
    if unknown:
        hints = []
        for p in unknown:
            close = difflib.get_close_matches(str(p), PIECES, n=1)
            hints.append(f"{p!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        return None, f"{NOT_YET}: unknown piece(s) {', '.join(hints)}; the pieces are {', '.join(PIECES)}."
    return set(answer), None


@never_raises
def check_03(answer: object) -> str:
    """Exercise 03: the smallest set of ``PIECES`` that lets AppRole (account apps) read
    app/legacy (account prod, encrypted with aws/secretsmanager). Two sets are right, one for each
    path of ``PATHS``."""
    pieces, error = _pieces(answer)
    if error or pieces is None:
        return error or NOT_YET
    world = pieces_world(pieces)
    decisions = {name: authorize(world, request) for name, request in PATHS.items()}
    working = [name for name, d in decisions.items() if d.allowed]
    if not working:
        return _no_path(pieces, decisions)
    name, needed, broken = min((_needed(pieces, name) for name in working), key=lambda b: (len(b[1]), b[0]))
    spare = sorted(pieces - needed)
    if spare:
        more = check_no_new_access(pieces_world(needed), world)
        it, grant = ("it", "It grants") if len(spare) == 1 else ("them", "They grant")
        granted = (
            f"\n{grant} more than the read:\n{witness_lines(list(more.witnesses))}"
            if more.witnesses
            else f" {grant} nothing more, but every piece is one more thing to keep right."
        )
        return (
            f"{NOT_YET}: AppRole can read app/legacy ({name} path), but {', '.join(spare)} "
            f"{'is' if len(spare) == 1 else 'are'} not needed for it: without {it} the read still "
            f"works.{granted}\nKeep only what the path needs."
        )
    why = "\n".join(
        f"  - without {piece} ({PIECES[piece][0]}): {why_denied(d)}" for piece, d in sorted(broken.items())
    )
    other = (
        "the other right answer goes through an assumed role in prod, which needs no key change"
        if name == "direct"
        else "the other right answer reads directly, after moving the secret to a customer managed key"
    )
    return (
        f"{RIGHT}: the smallest set for the {name} path; every piece is needed:\n{why}\n"
        f"aws/secretsmanager only serves principals of its own account, so a direct read needs a "
        f"customer managed key; {other}."
    )


def _no_path(pieces: set[str], decisions: dict[str, Decision]) -> str:
    """Why neither path reads app/legacy with these pieces."""
    lines = [f"  - {name}: {why_denied(d)}" for name, d in decisions.items()]
    if "key-policy" in pieces and "cmk" not in pieces:
        lines.append(
            "  - key-policy does nothing while app/legacy uses aws/secretsmanager: AWS writes that "
            "key's policy, nobody can edit it, and it only serves principals of prod"
        )
    return f"{NOT_YET}: AppRole cannot read app/legacy with these pieces.\n" + "\n".join(lines)


def _needed(pieces: set[str], path: str) -> tuple[str, set[str], dict[str, Decision]]:
    """(``path``, the pieces it cannot do without, the denied decision without each of them)."""
    needed, broken = set(), {}
    for piece in sorted(pieces):
        without = authorize(pieces_world(pieces - {piece}), PATHS[path])
        if not without.allowed:
            needed.add(piece)
            broken[piece] = without
    return path, needed, broken
