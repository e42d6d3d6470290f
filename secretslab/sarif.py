"""SARIF 2.1.0 logs of policy problems (``check``, ``validate``) and analyzer findings (``lint``),
so they show up in code-scanning views: one run, the rules used (id = the problem or finding code,
with the AWS page that states the rule), one result per problem or finding with its level, message
and location — the file, the line and column of its JSON path (in a JSON or YAML file), and the
JSON path itself as a logical location.

Format: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .loading import yaml_position
from .problems import CODES, PathPart, Problem, Severity, json_path

if TYPE_CHECKING:
    from .analyzer.finding import Finding

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
VERSION = "2.1.0"

#: severity -> SARIF level
LEVELS = {
    Severity.ERROR: "error",
    Severity.HIGH: "error",
    Severity.WARNING: "warning",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}

#: finding severity -> the score GitHub code scanning ranks security alerts by (its
#: ``properties.security-severity``: above 7.0 high, 4.0 to 6.9 medium, below 4.0 low); written as
#: text holding the number, as GitHub documents it
SECURITY_SEVERITY = {Severity.HIGH: "8.0", Severity.MEDIUM: "5.0", Severity.LOW: "3.0"}


@dataclass(frozen=True, slots=True)
class _Result:
    code: str
    severity: Severity
    meaning: str  # the rule's short description
    message: str
    path: tuple[PathPart, ...]
    properties: dict[str, Any]
    help_uri: str | None  # the AWS page that states the rule


def problems_log(
    problems: Iterable[Problem],
    *,
    artifact: str | None,
    text: str | None = None,
    prefix: Sequence[PathPart] = (),
    yaml: bool = False,
) -> dict[str, Any]:
    """The SARIF log of policy or scenario ``problems`` found in the file ``artifact`` (None:
    standard input, no physical location); ``text`` (that file's text: JSON, or YAML when
    ``yaml``) gives each result its line and column; ``prefix`` is where the problems' paths
    start in the file."""
    results = [
        _Result(
            p.code.value,
            p.severity,
            CODES[p.code][1],
            p.message + (f" ({p.hint})" if p.hint else ""),
            (*prefix, *p.path),
            {"suggestions": list(p.suggestions)} if p.suggestions else {},
            p.code.page,
        )
        for p in problems
    ]
    return _log(results, artifact, text, yaml)


def findings_log(
    findings: Iterable[Finding],
    *,
    artifact: str | None,
    text: str | None = None,
    prefix: Sequence[PathPart] = (),
    yaml: bool = False,
) -> dict[str, Any]:
    """The SARIF log of analyzer ``findings`` on the scenario file ``artifact``; as for
    ``problems_log``. Each result names the ARN it is about in ``properties.resource``."""
    results = [
        _Result(
            f.code.value,
            f.severity,
            f.title,
            f"{f.message} ({f.hint})" if f.hint else f.message,
            (*prefix, *parse_json_path(f.location)),
            {"resource": f.resource, **({"policy": str(f.ref)} if f.ref is not None else {})},
            f.code.page,
        )
        for f in findings
    ]
    return _log(results, artifact, text, yaml)


def _log(results: list[_Result], artifact: str | None, text: str | None, yaml: bool) -> dict[str, Any]:
    position_of = yaml_position if yaml else json_position
    rules: dict[str, int] = {}
    rule_list: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for item in results:
        if item.code not in rules:
            rules[item.code] = len(rule_list)
            properties = {"severity": item.severity.value}
            if item.severity in SECURITY_SEVERITY:  # findings: a security alert's score
                properties["security-severity"] = SECURITY_SEVERITY[item.severity]
            rule: dict[str, Any] = {
                "id": item.code,
                "shortDescription": {"text": item.meaning},
                "defaultConfiguration": {"level": LEVELS[item.severity]},
                "properties": properties,
            }
            if item.help_uri is not None:
                rule["helpUri"] = item.help_uri
            rule_list.append(rule)
        location: dict[str, Any] = {
            "logicalLocations": [{"fullyQualifiedName": json_path(item.path)}],
        }
        if artifact is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(artifact)}}
            position = position_of(text, item.path) if text is not None else None
            if position is not None:
                physical["region"] = {"startLine": position[0], "startColumn": position[1]}
            location["physicalLocation"] = physical
        result: dict[str, Any] = {
            "ruleId": item.code,
            "ruleIndex": rules[item.code],
            "level": LEVELS[item.severity],
            "message": {"text": item.message},
            "locations": [location],
        }
        if item.properties:
            result["properties"] = item.properties
        out.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": _driver(rule_list)},
        "columnKind": "unicodeCodePoints",
        "results": out,
    }
    if artifact is not None:
        run["artifacts"] = [{"location": {"uri": artifact_uri(artifact)}}]
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    from importlib import metadata

    try:
        version = metadata.version("secretslab")
        urls = metadata.metadata("secretslab").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        from . import __version__ as version

        urls = []
    driver: dict[str, Any] = {"name": "secretslab", "version": version, "rules": rules}
    for entry in urls:  # "Homepage, https://…": the project's own page, when the metadata has one
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "repository"} and url.strip():
            driver["informationUri"] = url.strip()
            break
    return driver


def artifact_uri(path: str) -> str:
    """The SARIF ``uri`` of a file argument: a relative URI reference for a relative path (the
    form code-scanning views resolve against the checkout), ``file://`` for an absolute one."""
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(p.as_posix())


_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


def parse_json_path(text: str) -> tuple[PathPart, ...]:
    """The parts of a JSON path as ``problems.json_path`` writes it (``$.a[0]['b c']``); as many
    parts as parse (a path that does not start with ``$`` gives none)."""
    if not text.startswith("$"):
        return ()
    parts: list[PathPart] = []
    at = 1
    while at < len(text):
        match = _PATH_PART.match(text, at)
        if match is None:
            break
        name, index, quoted = match.groups()
        if index is not None:
            parts.append(int(index))
        elif name is not None:
            parts.append(name)
        else:
            parts.append(re.sub(r"\\(.)", r"\1", quoted))
        at = match.end()
    return tuple(parts)


_SPACE = " \t\r\n"


def json_position(text: str, path: Sequence[PathPart]) -> tuple[int, int] | None:
    """The line and column (from 1, in code points) where the value at ``path`` starts in the JSON
    ``text``, or of the deepest part of it that exists; None when the text is not JSON there. Only
    the values along the path are scanned, once."""
    try:
        at = _skip_space(text, 0)
        for part in path:
            found = _member(text, at, part)
            if found is None:
                break
            at = found
    except (IndexError, ValueError):
        return None
    if at >= len(text):
        return None
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def _member(text: str, at: int, part: PathPart) -> int | None:
    """Where the value of key or index ``part`` of the object or array at ``at`` starts. A key
    given more than once is the last one: the reader keeps the last value (``loading``)."""
    opening = text[at]
    if opening == "{" and isinstance(part, str):
        at = _skip_space(text, at + 1)
        found = None
        while text[at] != "}":
            key, at = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
            at = _skip_space(text, _skip_space(text, at) + 1)  # past the colon
            if key == part:
                found = at
            at = _skip_space(text, _skip_value(text, at))
            if text[at] == ",":
                at = _skip_space(text, at + 1)
        return found
    if opening == "[" and isinstance(part, int):
        at = _skip_space(text, at + 1)
        index = 0
        while text[at] != "]":
            if index == part:
                return at
            at = _skip_space(text, _skip_value(text, at))
            if text[at] == ",":
                at = _skip_space(text, at + 1)
            index += 1
        return None
    return None


def _skip_value(text: str, at: int) -> int:
    """Where the JSON value starting at ``at`` ends."""
    if text[at] == '"':
        return int(json.decoder.scanstring(text, at + 1)[1])  # type: ignore[attr-defined]
    if text[at] not in "[{":
        while at < len(text) and text[at] not in ",]}" + _SPACE:
            at += 1
        return at
    depth = 0
    while True:
        char = text[at]
        if char == '"':
            at = int(json.decoder.scanstring(text, at + 1)[1])  # type: ignore[attr-defined]
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return at + 1
        at += 1
