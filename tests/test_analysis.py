"""Access paths through role chains, who can, the access matrix and the diff of two worlds
(issue #3; role chains per semantics §1.2, §10.6, §11)."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import pytest

import secretslab as sl
from secretslab.analysis import session_of, world_principals

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate_org import generate

ASSUME = ROOT / "data" / "cross-account-assume-role.json"
BOB = "arn:aws:iam::222222222222:user/bob"
CAROL = "arn:aws:iam::222222222222:user/carol"
READER = "arn:aws:iam::111111111111:role/SecretReader"
LEGACY = "arn:aws:secretsmanager:us-east-1:111111111111:secret:app/legacy-Zx9Yw8"
GET = "secretsmanager:GetSecretValue"


@pytest.fixture(scope="module")
def assume_world() -> sl.World:
    return sl.load_scenario(ASSUME)


def test_access_paths_find_the_role_chain_when_direct_access_is_denied(assume_world: sl.World) -> None:
    """§10.6: the session of a role in the secret's account reads as a same-account principal."""
    paths = sl.access_paths(assume_world, BOB, GET, LEGACY)
    direct = next(p for p in paths if not p.roles)
    assert not direct.allowed and direct.decision.reason is sl.Reason.XACCT_NO_RESOURCE_GRANT
    via = [p for p in paths if p.allowed]
    assert via and via[0].roles == (READER,)
    assert [s.action for s in via[0].decision.steps][:2] == ["sts:AssumeRole", GET]
    assert paths[0].allowed  # allowed paths come first


def test_access_paths_say_which_hop_failed_when_a_trust_policy_refuses(assume_world: sl.World) -> None:
    """§11.2: a denied hop ends the chain, and the path names the step and its reason."""
    paths = sl.access_paths(assume_world, CAROL, GET, LEGACY)
    denied_hops = [
        p
        for p in paths
        if p.roles
        and not p.allowed
        and p.decision.failed_step
        and p.decision.failed_step.action == "sts:AssumeRole"
    ]
    assert denied_hops, [str(p) for p in paths]
    assert denied_hops[0].failed_hop == len(denied_hops[0].roles) - 1
    assert "sts:AssumeRole" in denied_hops[0].describe()


def test_access_paths_never_revisit_a_role_and_respect_the_depth(assume_world: sl.World) -> None:
    """Bob's chains in this scenario go two hops deep: the depth is reached, never passed."""
    paths = sl.access_paths(assume_world, BOB, GET, LEGACY, max_depth=2)
    assert max(len(p.roles) for p in paths) == 2, [str(p) for p in paths]
    for path in paths:
        assert len(set(path.roles)) == len(path.roles) and len(path.roles) <= 2
    shallower = sl.access_paths(assume_world, BOB, GET, LEGACY, max_depth=1)
    assert shallower and max(len(p.roles) for p in shallower) == 1
    assert [p.roles for p in sl.access_paths(assume_world, BOB, GET, LEGACY, max_depth=0)] == [()]


def test_who_can_lists_principals_with_their_shortest_path(assume_world: sl.World) -> None:
    """Transitive through role chains: bob reads through SecretReader."""
    found = {w.principal: w for w in sl.who_can(assume_world, GET, LEGACY)}
    assert BOB in found and found[BOB].path is not None and found[BOB].path.roles == (READER,)
    assert session_of(READER) in found and found[session_of(READER)].kind == "role"
    assert all(w.path is None or w.path.allowed for w in found.values())
    assert CAROL not in found


def test_who_can_reports_any_principal_of_a_granted_account_when_the_world_has_none() -> None:
    """§8.7: a secret policy granting account X lets X's principals read if their identity
    policies allow it — an account the world holds no principal of is reported as such."""
    world = sl.load_scenario(ROOT / "data" / "cross-account-read.json")
    data = world.to_dict()
    data["secrets"][0]["resource_policy"]["Statement"][0]["Principal"] = {
        "AWS": "arn:aws:iam::444444444444:root"
    }
    data["kms_keys"][0]["key_policy"]["Statement"][1]["Principal"] = {"AWS": "arn:aws:iam::444444444444:root"}
    found = sl.who_can(sl.World.from_dict(data), GET, data["secrets"][0]["arn"])
    accounts = [w for w in found if w.kind == "account"]
    assert [w.principal for w in accounts] == ["arn:aws:iam::444444444444:root"]


def test_matrix_agrees_with_authorize_cell_by_cell(assume_world: sl.World) -> None:
    matrix = sl.access_matrix(assume_world, workers=1)
    assert len(matrix.cells) == len(matrix.principals) * len(matrix.resources) * len(matrix.actions)
    for cell in matrix.cells:
        decision = sl.authorize(
            assume_world, {"principal": cell.principal, "action": cell.action, "resource": cell.resource}
        )
        assert (decision.outcome, decision.reason) == (cell.outcome, cell.reason)
    text = matrix.to_text()
    assert text.splitlines()[0].startswith("principal") and len(text.splitlines()) == 1 + len(
        matrix.principals
    ) * len(matrix.resources)
    assert json.loads(matrix.to_json())["rows"][0].keys() == {
        "principal",
        "resource",
        "action",
        "outcome",
        "reason",
    }


def test_matrix_is_the_same_in_parallel_and_in_one_process() -> None:
    world = sl.World.from_dict(generate(40, 20, 3))
    one = sl.access_matrix(world, workers=1)
    two = sl.access_matrix(sl.World.from_dict(generate(40, 20, 3)), workers=2)
    assert one.rows() == two.rows()
    assert any(c.allowed for c in one.cells) and not all(c.allowed for c in one.cells)


def test_matrix_reports_progress_per_principal(assume_world: sl.World) -> None:
    seen: list[tuple[int, int]] = []
    sl.access_matrix(assume_world, workers=1, progress=lambda done, total: seen.append((done, total)))
    n = len(world_principals(assume_world))
    assert seen[-1] == (n, n) and len(seen) == n


def _without_secret_policy(data: dict[str, Any], index: int) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    changed["secrets"][index]["resource_policy"] = None
    return changed


def test_diff_lists_lost_access_with_the_policies_responsible() -> None:
    world = sl.load_scenario(ROOT / "data" / "cross-account-read.json")
    after = sl.World.from_dict(_without_secret_policy(world.to_dict(), 0))
    changes = sl.diff(world, after)
    assert [(c.action, c.gained) for c in changes.changes] == [(GET, False)]
    lost = changes.lost[0]
    assert lost.after is sl.Reason.XACCT_NO_RESOURCE_GRANT
    assert any("was allowed by secret policy of prod/db" in r for r in lost.responsible)
    reverse = sl.diff(after, world)
    assert reverse.gained and any("secret policy of prod/db" in r for r in reverse.gained[0].responsible)
    assert json.dumps(changes.to_dict())


def test_diff_reads_matrices_computed_on_its_worlds_and_answers_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from secretslab.analysis import changes as changes_module

    world = sl.load_scenario(ROOT / "data" / "cross-account-cmk.json")
    computed: list[sl.World] = []
    real = changes_module.access_matrix

    def counted(w: sl.World, **kwargs: Any) -> sl.AccessMatrix:
        computed.append(w)
        return real(w, **kwargs)

    for index in range(len(world.secrets)):
        after = sl.World.from_dict(_without_secret_policy(world.to_dict(), index))
        expected = sl.diff(world, after, actions=(GET,))
        before_m, after_m = sl.access_matrix(world, actions=(GET,)), sl.access_matrix(after, actions=(GET,))
        other = sl.access_matrix(sl.World.from_dict(world.to_dict()), actions=(GET,))  # an equal world
        computed.clear()
        monkeypatch.setattr(changes_module, "access_matrix", counted)
        assert sl.diff(world, after, actions=(GET,), matrices=(before_m, after_m)) == expected
        assert not computed  # both read from the matrices given
        assert sl.diff(world, after, actions=(GET,), matrices=(other, after_m)) == expected
        assert computed == [world]  # a matrix of another world object is not read
        computed.clear()
        narrow = sl.access_matrix(world, actions=(GET,), principals=before_m.principals[:1])
        assert sl.diff(world, after, actions=(GET,), matrices=(narrow, after_m)) == expected
        assert computed == [world]  # nor one without every cell
        monkeypatch.undo()


def test_diff_is_empty_when_nothing_changes(assume_world: sl.World) -> None:
    assert not sl.diff(assume_world, sl.World.from_dict(assume_world.to_dict())).changes


def _allowed(world: sl.World, path: sl.AccessPath) -> bool:
    """The path's request, hops included, decided afresh."""
    return sl.authorize(world, path.decision.request).allowed


def _check_paths(world: sl.World, principal: str, secret: str, matrix: sl.AccessMatrix) -> int | None:
    """Every path of ``principal`` (at most 2 hops): decided as ``authorize`` decides it, the
    direct one as the matrix says, allowed ones first; returns the fewest hops of an allowed path."""
    paths = sl.access_paths(world, principal, GET, secret, max_depth=2)
    assert [p.roles for p in paths].count(()) == 1, principal
    for path in paths:
        assert path.principal == principal and len(path.roles) <= 2
        assert len(set(path.roles)) == len(path.roles), path
        assert _allowed(world, path) == path.allowed, path
    direct = next(p for p in paths if not p.roles)
    assert direct.allowed == matrix.cell(principal, secret, GET).allowed, principal
    allowed = [p.allowed for p in paths]
    assert allowed == sorted(allowed, reverse=True), principal  # allowed paths first
    return min((len(p.roles) for p in paths if p.allowed), default=None)


@pytest.mark.parametrize("path", sorted((ROOT / "data").glob("*.json")), ids=lambda p: p.stem)
def test_analyses_agree_with_authorize_on_every_bundled_scenario(path: Any) -> None:
    """who_can, access_matrix and access_paths are views of ``authorize``: on each bundled
    scenario, every listed path is allowed when decided again, every matrix cell is the direct
    decision, and a principal is listed by who_can exactly when one of its paths is allowed."""
    world = sl.load_scenario(path)
    secret = world.secrets[0].arn
    principals = world_principals(world)
    matrix = sl.access_matrix(world, actions=[GET], workers=1)
    assert (matrix.principals, matrix.actions) == (principals, (GET,))
    assert matrix.resources == tuple(s.arn for s in world.secrets)
    assert len(matrix.cells) == len(principals) * len(world.secrets)
    for cell in matrix.cells:
        decision = sl.authorize(
            world, {"principal": cell.principal, "action": GET, "resource": cell.resource}
        )
        assert (decision.outcome, decision.reason) == (cell.outcome, cell.reason), cell

    who = {w.principal: w for w in sl.who_can(world, GET, secret, max_depth=2)}
    assert who, f"{path.name}: nobody can read {secret}"
    for w in who.values():
        assert w.path is not None and w.path.allowed and _allowed(world, w.path), w
        if w.kind != "account":
            assert w.principal in principals and w.path.principal == w.principal, w
    for principal in principals:
        if matrix.cell(principal, secret, GET).allowed:
            found = who.get(principal)
            assert found is not None and found.path is not None and found.path.roles == (), principal
    for principal in principals[:3]:
        hops = _check_paths(world, principal, secret, matrix)
        found = who.get(principal)
        assert (found is None) == (hops is None), principal
        assert found is None or (found.path is not None and len(found.path.roles) == hops), principal
