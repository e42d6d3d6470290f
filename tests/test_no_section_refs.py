"""User-facing text cites AWS documentation pages, never a section ("§3.6") or an ambiguity number
("A19") of the team's design notes, which attendees do not have (issue #10, item 2).

Every source of text a user reads is walked and must be free of such references:

* every string literal of the package's code that is not a docstring (problem messages and hints,
  notes, reason summaries, finding and fix texts, CLI output, widget labels: they are all written
  as literals), and every JSON file shipped in the package;
* what the running package says: the meanings of every ``ProblemCode``, every ``Reason`` summary,
  the ``--help`` of the command and of each subcommand, the problems of deliberately broken
  policies of every kind;
* for each bundled scenario in ``data/``: its title, description and expectation texts, the text,
  HTML and JSON of the decision on each expectation and of the fixes suggested for the denied
  ones, and the analyzer's findings;
* the widgets' labels and renderings;
* the notebooks' markdown and code, and the README.

Developer docstrings and code comments may keep "§": they are for readers of the source, who
have semantics.md. The pages user-facing text cites live in ``secretslab.pages``; every AWS page a
scenario file cites is one of them.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import matplotlib
import pytest

matplotlib.use("Agg")

import secretslab
from secretslab import pages
from secretslab.cli import _parser
from secretslab.evaluation.results import REASON_TEXT, Reason
from secretslab.problems import CODES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "secretslab"
DATA = ROOT / "data"
SCENARIOS = sorted(DATA.glob("*.json"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: a section sign, an ambiguity number or the design notes by name: references attendees cannot follow
UNREACHABLE = re.compile(r"§|\bambiguity A\d+|\bsemantics\.md\b")
AWS_PAGE = re.compile(r"https://docs\.aws\.amazon\.com/[^\s)\"'<>,]+")


def unreachable(texts: Iterable[tuple[str, str]]) -> list[str]:
    """``where: text`` for every text that holds an unreachable reference."""
    return [f"{where}: {text[:200]!r}" for where, text in texts if UNREACHABLE.search(text)]


# -- the walkers can fail


def test_unreachable_finds_section_signs_and_ambiguity_numbers() -> None:
    found = unreachable(
        [
            ("a", "no Version (§3.6)"),
            ("b", "read as '${x}' (ambiguity A19)"),
            ("c", "see semantics.md"),
            ("d", f"no Version (see {pages.VERSION})"),
            ("e", "a role ARN with 12 digits, A1B2"),
        ]
    )
    assert [f.split(":")[0] for f in found] == ["a", "b", "c"]


def test_literal_walker_skips_docstrings_and_reads_other_strings() -> None:
    source = (
        '"""Module (§1)."""\nX = 1\n"""Attribute (§2)."""\n'
        'def f():\n    """Doc (§3)."""\n    return "msg (§4)"\n'
    )
    assert [text for _, text in _literals(source, "m.py")] == ["msg (§4)"]


# -- the package's own text


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes: of modules, classes and functions, and the attribute docstrings
    that follow an assignment."""
    out: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
        for before, after in itertools.pairwise(body):
            if (
                isinstance(before, (ast.Assign, ast.AnnAssign))
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
            ):
                out.add(id(after.value))
    return out


def _literals(source: str, name: str) -> Iterator[tuple[str, str]]:
    tree = ast.parse(source, name)
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield f"{name}:{node.lineno}", node.value


def test_package_string_literals_cite_no_section_when_read_from_source() -> None:
    """Every message, hint, note, label and output line of the package is a string literal (or an
    f-string's literal parts): none may cite a section."""
    texts = (
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        for hit in _literals(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    )
    assert not unreachable(texts)


def test_package_json_files_cite_no_section_when_read() -> None:
    files = sorted(PACKAGE.rglob("*.json"))
    assert files
    texts = ((str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files)
    assert not unreachable(texts)


def test_problem_meanings_and_reason_summaries_cite_no_section() -> None:
    texts = [(f"CODES[{code}]", meaning) for code, (_, meaning) in CODES.items()]
    texts += [(f"Reason.{r.name}", r.summary) for r in Reason]
    assert set(REASON_TEXT) == set(Reason)
    assert not unreachable(texts)


def _subparsers(parser: Any) -> Iterator[tuple[str, Any]]:
    for action in parser._actions:
        choices = getattr(action, "choices", None)
        if not isinstance(choices, dict):  # an option's closed set of values (--format), not subcommands
            continue
        for name, sub in choices.items():
            if hasattr(sub, "format_help"):
                yield name, sub
                yield from ((f"{name} {n}", s) for n, s in _subparsers(sub))


def test_cli_help_of_every_subcommand_cites_no_section() -> None:
    parser = _parser()
    subcommands = list(_subparsers(parser))
    assert {"simulate", "authorize", "check", "validate"} <= {name for name, _ in subcommands}
    texts = [("secretslab --help", parser.format_help())]
    texts += [(f"secretslab {name} --help", sub.format_help()) for name, sub in subcommands]
    assert not unreachable(texts)


#: documents that break a rule of each kind of policy, so the problems' messages and hints are read
BROKEN_POLICIES: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "resource",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:user/a"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": ["arn:aws:iam::111111111111:group/devs", "arn:aws:iam::1111*:role/x"]
                    },
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "arn:aws:secrets*:us-east-1:111111111111:secret:a-*",
                    "Condition": {
                        "ForAllValues:StringEquals": {"aws:TagKeys": ["a"]},
                        "StringEquals": {"aws:TagKeys": "a", "aws:PrincipalTag/team": "${aws:username}"},
                    },
                },
            ]
        },
    ),
    (
        "identity",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "NotAction": "secretsmanager:DeleteSecret",
                    "Resource": "*",
                    "Condition": {
                        "ForAnyValue:StringEquals": {"aws:username": "a"},
                        "NumericEquals": {"aws:MultiFactorAuthAge": "${aws:username}"},
                        "StringLike": {"aws:PrincipalArn": "${ aws:username }"},
                    },
                }
            ],
        },
    ),
    (
        "key",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}]},
    ),
    (
        "trust",
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}],
        },
    ),
    (
        "rcp",
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "111111111111"},
                    "NotAction": "s3:*",
                    "Resource": "*",
                }
            ],
        },
    ),
)


@pytest.mark.parametrize(("kind", "document"), BROKEN_POLICIES, ids=[k for k, _ in BROKEN_POLICIES])
def test_problems_of_broken_policies_cite_no_section(kind: str, document: dict[str, Any]) -> None:
    problems = secretslab.check_policy(document, kind)
    assert problems  # the document does break rules
    texts = [(f"{kind} {p.code}", str(p)) for p in problems]
    texts += [(f"{kind} {p.code} hint", p.hint or "") for p in problems]
    assert not unreachable(texts)


def test_problems_that_cited_a_section_cite_the_aws_page_instead() -> None:
    """The messages that cited semantics.md now link the AWS page that states their rule."""
    cited = {
        "MISSING_VERSION": pages.VERSION,
        "NOT_PRINCIPAL_WITH_ALLOW": pages.NOT_PRINCIPAL,
        "GROUP_PRINCIPAL": pages.PRINCIPAL,
        "PARTIAL_WILDCARD_PRINCIPAL": pages.PRINCIPAL,
        "SERVICE_WILDCARD_IN_RESOURCE": pages.RESOURCE,
        "FOR_ALL_VALUES_WITH_ALLOW": pages.MULTIVALUED_KEYS,
        "MULTIVALUED_KEY_WITHOUT_SET_OPERATOR": pages.MULTIVALUED_KEYS,
        "PRINCIPAL_NOT_ALLOWED": pages.PRINCIPAL,
        "NOT_ACTION_WITH_ALLOW": pages.NOT_ACTION,
        "KEY_STATEMENT_WITHOUT_RESOURCE": pages.KEY_POLICY_OVERVIEW,
        "RESOURCE_NOT_ALLOWED": pages.ROLE_TRUST_POLICY,
        "RCP_ALLOW": pages.RCP_SYNTAX,
        "RCP_PRINCIPAL": pages.RCP_SYNTAX,
    }
    problems = [p for kind, doc in BROKEN_POLICIES for p in secretslab.check_policy(doc, kind)]
    by_code = {str(p.code): p.message for p in problems}
    missing = sorted(set(cited) - set(by_code))
    assert not missing, f"the broken policies no longer raise {missing}"
    wrong = {code: by_code[code] for code, page in cited.items() if page not in by_code[code]}
    assert not wrong


def test_every_page_is_an_aws_documentation_url() -> None:
    urls = {name: value for name, value in vars(pages).items() if name.isupper()}
    assert urls and all(AWS_PAGE.fullmatch(url) for url in urls.values()), urls


# -- the bundled scenarios: their story, and what the package says about them


def _document(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _texts_of(where: str, obj: Any) -> Iterator[tuple[str, str]]:
    """``str``, ``_repr_html_`` and the JSON of ``to_dict`` of a result."""
    yield f"{where} str", str(obj)
    html = getattr(obj, "_repr_html_", None)
    if callable(html):
        yield f"{where} html", html()
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        yield f"{where} json", json.dumps(to_dict(), ensure_ascii=False)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_story_and_expectation_texts_cite_no_section(path: Path) -> None:
    assert not unreachable([(path.name, path.read_text(encoding="utf-8"))])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_cites_only_pages_of_the_registry(path: Path) -> None:
    """A scenario's story links AWS pages from ``secretslab.pages``, so one list says what is cited."""
    known = {value for name, value in vars(pages).items() if name.isupper()}
    cited = set(AWS_PAGE.findall(path.read_text(encoding="utf-8")))
    assert cited <= known, sorted(cited - known)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_decisions_fixes_and_findings_of_scenario_cite_no_section(path: Path) -> None:
    world = secretslab.load_scenario(path)
    texts: list[tuple[str, str]] = [(f"{path.name} description", world.description or "")]
    for i, expectation in enumerate(_document(path)["expectations"]):
        where = f"{path.name} expectation {i}"
        decision = secretslab.authorize(world, expectation["request"])
        texts += _texts_of(where, decision)
        for step in decision.steps:
            texts += _texts_of(f"{where} step {step.action}", step.evaluation)
        if not decision.allowed:
            for j, fix in enumerate(secretslab.suggest_fixes(world, expectation["request"], limit=2)):
                texts.append((f"{where} fix {j}", fix.description))
                texts += _texts_of(f"{where} fix {j}", fix)
                texts += [(f"{where} fix {j} change", change.description) for change in fix.changes]
    for k, finding in enumerate(secretslab.findings(world)):
        texts += _texts_of(f"{path.name} finding {k}", finding)
    assert len(texts) > 3
    assert not unreachable(texts)


# -- the widgets


def _widget_texts(widget: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every text a widget shows: description, tooltip, placeholder, string value, option labels,
    then its children's."""
    for attr in ("description", "tooltip", "placeholder", "value"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            yield f"{where}.{attr}", value
    for option in getattr(widget, "options", None) or ():
        label = option[0] if isinstance(option, tuple) else option
        if isinstance(label, str):
            yield f"{where}.options", label
    for i, child in enumerate(getattr(widget, "children", None) or ()):
        yield from _widget_texts(child, f"{where}[{i}]")


def test_widget_labels_and_renderings_cite_no_section() -> None:
    pytest.importorskip("ipywidgets")
    from secretslab import widgets as W

    apps = {
        "ScenarioBuilder": W.ScenarioBuilder(),
        "PolicyPlayground": W.PolicyPlayground(DATA / "cross-account-cmk.json"),
        "WhatIfExplorer": W.WhatIfExplorer(DATA / "cross-account-cmk.json"),
    }
    texts = [hit for name, app in apps.items() for hit in _widget_texts(app.widget, name)]
    assert any(where.endswith(".description") for where, _ in texts)
    for key in ("cmk", "aws"):
        for route in ("direct", "assume_role"):
            for grant in ("none", "role", "account"):
                choices = {"key": key, "path": route, "secret_policy": grant}
                texts.append((f"render_builder({choices})", W.render_builder(choices).html))
    assert not unreachable(texts)


def test_readme_cites_no_section() -> None:
    """The README is the first page a trainer reads; it may name the design notes (for developers)
    but cites no section of them."""
    assert "§" not in (ROOT / "README.md").read_text(encoding="utf-8")


# -- the notebooks (attendees read every cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_cells_cite_no_section(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    texts = [
        (f"{path.name} cell {i} ({cell['cell_type']})", "".join(cell.get("source", "")))
        for i, cell in enumerate(notebook["cells"])
    ]
    assert not unreachable(texts)
