"""The converter of benchmarks/peer_compare.py (issue #12): a batch line in the peer evaluator's
``Simulation`` shape. No npm, node or network is used here."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import peer_compare as pc
from generate_requests import write_requests

ROLE = "arn:aws:iam::111111111111:role/app"
SESSION = "arn:aws:sts::111111111111:assumed-role/app/i-1"
SECRET = "arn:aws:secretsmanager:us-east-1:222222222222:secret:db-AbCdEf"


def doc(sid: str, effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Sid": sid, "Effect": effect, **extra}]}


ALLOW_ALL = doc("All", Action="*", Resource="*")
LINE: dict[str, Any] = {
    "id": "r1",
    "principal": SESSION,
    "action": "secretsmanager:GetSecretValue",
    "resource": SECRET,
    "resource_account": "222222222222",
    "context": {"aws:SecureTransport": "true", "aws:TagKeys": ["env", "team"]},
    "identity_policies": [doc("Read", Action="secretsmanager:GetSecretValue", Resource=SECRET), ALLOW_ALL],
    "resource_policy": doc("Grant", Principal={"AWS": ROLE}, Action="secretsmanager:*", Resource="*"),
    "permissions_boundary": ALLOW_ALL,
    "session_policy": doc("Session", Action="secretsmanager:*", Resource="*"),
    "scps": [[ALLOW_ALL], [ALLOW_ALL, doc("NoDelete", "Deny", Action="kms:Delete*", Resource="*")]],
    "rcps": [[doc("Tls", "Deny", Principal="*", Action="*", Resource="*")]],
}


def test_a_line_becomes_the_peers_simulation_shape() -> None:
    converted = pc.to_peer(LINE)
    assert converted == {
        "id": "r1",
        "simulation": {
            "request": {
                "principal": SESSION,
                "action": "secretsmanager:GetSecretValue",
                "resource": {"resource": SECRET, "accountId": "222222222222"},
                "contextVariables": LINE["context"],
            },
            "identityPolicies": [
                {"name": "identity-1", "policy": LINE["identity_policies"][0]},
                {"name": "identity-2", "policy": ALLOW_ALL},
            ],
            "serviceControlPolicies": [
                {"orgIdentifier": "scp-level-1", "policies": [{"name": "scp-1-1", "policy": ALLOW_ALL}]},
                {
                    "orgIdentifier": "scp-level-2",
                    "policies": [
                        {"name": "scp-2-1", "policy": ALLOW_ALL},
                        {"name": "scp-2-2", "policy": LINE["scps"][1][1]},
                    ],
                },
            ],
            "resourceControlPolicies": [
                {
                    "orgIdentifier": "rcp-level-1",
                    "policies": [{"name": "rcp-1-1", "policy": LINE["rcps"][0][0]}],
                }
            ],
            "resourcePolicy": LINE["resource_policy"],
            "permissionBoundaryPolicies": [{"name": "permissions-boundary", "policy": ALLOW_ALL}],
            "sessionPolicy": LINE["session_policy"],
        },
    }
    json.dumps(converted)  # what the driver reads


def test_absent_policies_are_left_out_or_empty() -> None:
    line = {k: LINE[k] for k in ("id", "principal", "action", "resource", "resource_account")}
    line.update(resource_policy=None, permissions_boundary=None, session_policy=None)
    simulation = pc.to_peer(line)["simulation"]
    assert simulation["identityPolicies"] == []
    assert simulation["serviceControlPolicies"] == [] and simulation["resourceControlPolicies"] == []
    assert simulation["request"]["contextVariables"] == {}
    assert not {"resourcePolicy", "permissionBoundaryPolicies", "sessionPolicy"} & set(simulation)


def test_a_field_the_converter_does_not_know_is_skipped_and_counted(tmp_path: Path) -> None:
    source = tmp_path / "requests.jsonl"
    odd = {**LINE, "id": "r2", "vpc_endpoint_policy": ALLOW_ALL}
    lines = [json.dumps(x) for x in (LINE, odd, {**LINE, "id": "r3"})]
    source.write_text("\n".join([*lines, "[1]", "{not json", ""]))
    result = pc.convert_batch(source, tmp_path / "ours.jsonl", tmp_path / "peer.jsonl", limit=None)
    assert result.count == 2
    assert result.skipped[0] == ("r2", "field(s) the converter does not know: vpc_endpoint_policy")
    assert [where for where, _ in result.skipped[1:]] == ["line 4", "line 5"]
    ours = [json.loads(x)["id"] for x in (tmp_path / "ours.jsonl").read_text().splitlines()]
    peer = [json.loads(x)["id"] for x in (tmp_path / "peer.jsonl").read_text().splitlines()]
    assert ours == peer == ["r1", "r3"]  # both evaluators get exactly the same requests


def test_every_generated_line_converts(tmp_path: Path) -> None:
    source = tmp_path / "requests.jsonl"
    write_requests(source, 40, 1, False)
    result = pc.convert_batch(source, tmp_path / "ours.jsonl", tmp_path / "peer.jsonl", limit=25)
    assert (result.count, result.skipped) == (25, ())
    first = json.loads((tmp_path / "peer.jsonl").read_text().splitlines()[0])["simulation"]
    assert first["identityPolicies"] and set(first["request"]) == {
        "principal",
        "action",
        "resource",
        "contextVariables",
    }


def test_outcomes_are_mapped_and_disagreements_counted() -> None:
    requests = [{"action": "a", "principal": "p", "resource": "r"}] * 3
    ours = [
        {"id": "1", "outcome": "allow", "reason": "ALLOWED"},
        {"id": "2", "outcome": "allow", "reason": "ALLOWED_DIRECT_RBP"},
        {"id": "3", "outcome": "explicit_deny", "reason": "DENY"},
    ]
    peer = [
        {"id": "1", "outcome": "Allowed"},
        {"id": "2", "outcome": "ImplicitlyDenied", "parts": {"session": "ImplicitlyDenied"}},
        {"id": "3", "error": "{}"},
    ]
    agreement = pc.compare(requests, ours, peer, examples=5)
    assert (agreement.agree, agreement.total) == (1, 3)
    assert (
        agreement.pairs[("allow", "implicit_deny")] == 1
        and agreement.pairs[("explicit_deny", "refused")] == 1
    )
    assert agreement.kinds == {
        "ours allow (ALLOWED_DIRECT_RBP), peer implicit_deny (session ImplicitlyDenied)": 1,
        "ours explicit_deny (DENY), peer refused (refused: {})": 1,
    }
    assert agreement.examples["ours explicit_deny (DENY), peer refused (refused: {})"] == ["3: a by p on r"]


def test_the_peer_is_never_installed_inside_the_repository() -> None:
    with pytest.raises(pc.BenchmarkError, match="inside the repository"):
        pc.check_cache_outside_repository(ROOT / "benchmarks" / "peer")
    pc.check_cache_outside_repository(ROOT.parent / "elsewhere")


def test_without_npm_the_comparison_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(pc.shutil, "which", lambda name: None)
    args = pc.parse_args(["--cache", str(tmp_path)])
    node, message = pc.find_peer_tools(args)
    assert node is None and "node and npm not found" in message
    assert not any(tmp_path.iterdir())  # nothing installed
