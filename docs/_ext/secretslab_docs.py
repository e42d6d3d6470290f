"""Sphinx directives that generate reference pages from the package itself, so the site cannot
drift from the code: the command line from ``secretslab.cli._parser()``, the reason, finding and
problem codes from their enums (with the AWS page of each), the public API from
``secretslab.__all__``, and the field tables of the scenario format from the readers' field lists
(a field the reader knows and the page does not describe, or the reverse, fails the build).

Every directive builds docutils nodes directly: help texts are never parsed as markup.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

#: argparse wraps help to the terminal: a fixed width makes the pages the same on every machine
HELP_WIDTH = 80


# -- small node builders


def _text(value: str) -> nodes.paragraph:
    return nodes.paragraph("", "", nodes.Text(value))


def _literal(value: str) -> nodes.paragraph:
    return nodes.paragraph("", "", nodes.literal(value, value))


#: the guide of an AWS page, by the first part of its path
_GUIDES = {
    "IAM": "IAM",
    "STS": "STS",
    "organizations": "Organizations",
    "kms": "KMS",
    "secretsmanager": "Secrets Manager",
}


def _page_label(url: str) -> str:
    """``IAM: cross account evaluation`` for a page of ``secretslab.pages``, by its name there."""
    from secretslab import pages

    names = [n for n, v in vars(pages).items() if n.isupper() and v == url]
    guide = _GUIDES.get(url.removeprefix("https://docs.aws.amazon.com/").split("/", 1)[0], "AWS")
    return f"{guide}: {names[0].lower().replace('_', ' ')}" if names else url


def _link(url: str) -> nodes.paragraph:
    ref = nodes.reference("", _page_label(url), refuri=url, internal=False)
    return nodes.paragraph("", "", ref)


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[nodes.Node]], widths: Sequence[int]
) -> nodes.table:
    table = nodes.table(classes=["secretslab-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=w) for w in widths)
    head = nodes.thead()
    group += head
    head += nodes.row("", *(nodes.entry("", _text(h)) for h in headers))
    body = nodes.tbody()
    group += body
    for cells in rows:
        body += nodes.row("", *(nodes.entry("", cell) for cell in cells))
    return table


class _Sections(SphinxDirective):
    """A directive that returns sections: it registers their ids with the document."""

    def section(self, title: str, name: str) -> nodes.section:
        section = nodes.section(ids=[nodes.make_id(name)], names=[nodes.fully_normalize_name(name)])
        section += nodes.title(title, title)
        self.state.document.note_implicit_target(section, section)
        return section


# -- the command line


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser, str]]:
    """(name, parser, one-line help) of each subcommand, in the order ``--help`` lists them."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            out += [(name, sub, helps.get(name, "")) for name, sub in action.choices.items()]
    return out


def _argument_rows(parser: argparse.ArgumentParser) -> list[list[nodes.Node]]:
    rows = []
    for action in parser._actions:
        if (
            isinstance(action, (argparse._SubParsersAction, argparse._HelpAction))
            or action.help == argparse.SUPPRESS
        ):
            continue
        if action.option_strings:
            shown = action.metavar or action.dest.upper()
            if isinstance(shown, tuple):
                shown = " ".join(shown)
            name = ", ".join(action.option_strings) + ("" if action.nargs == 0 else f" {shown}")
        else:
            name = str(action.metavar or action.dest)
        facts = []
        if action.choices is not None and not isinstance(action.choices, dict):
            facts.append("one of: " + ", ".join(str(c) for c in action.choices))
        if action.required and action.option_strings:
            facts.append("required")
        if isinstance(action, argparse._AppendAction):
            facts.append("repeatable")
        if (
            action.default not in (None, False, [], argparse.SUPPRESS)
            and action.nargs != 0
            and not (action.help and "default" in action.help)
        ):
            facts.append(f"default: {action.default}")
        help_text = parser._get_formatter()._expand_help(action) if action.help else ""
        rows.append([_literal(name), _text(help_text), _text("; ".join(facts))])
    return rows


class CliReference(_Sections):
    """``.. secretslab-cli::`` — every command of ``secretslab``: usage, description, arguments and
    examples, read from the argparse parsers the command itself runs."""

    def run(self) -> list[nodes.Node]:
        from secretslab.cli import _parser

        columns = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = str(HELP_WIDTH)
        try:
            return self.reference(_parser())
        finally:
            if columns is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = columns

    def reference(self, parser: argparse.ArgumentParser) -> list[nodes.Node]:
        """The nodes of the reference of ``parser``."""
        out: list[nodes.Node] = [
            nodes.literal_block(text=parser.format_usage().strip(), language="text"),
        ]
        commands = _subcommands(parser)
        out.append(
            _table(
                ["command", "what it does"],
                ([_literal(f"secretslab {name}"), _text(help_text)] for name, _, help_text in commands),
                [3, 7],
            )
        )
        top = _argument_rows(parser)
        if top:
            out.append(_table(["option", "meaning", "notes"], top, [3, 6, 2]))
        for name, sub, help_text in commands:
            section = self.section(f"secretslab {name}", f"cli-{name}")
            section += _text(help_text[:1].upper() + help_text[1:] + "." if help_text else "")
            section += nodes.literal_block(text=sub.format_usage().strip(), language="text")
            if sub.description:
                section += _text(sub.description)
            rows = _argument_rows(sub)
            if rows:
                section += _table(["argument", "meaning", "notes"], rows, [3, 6, 2])
            if sub.epilog:  # the examples (and notes) of --help, as --help prints them
                section += nodes.literal_block(text=sub.epilog.strip(), language="text")
            out.append(section)
        return out


# -- codes


class ReasonCodes(SphinxDirective):
    """``.. secretslab-reasons::`` — every reason code of a decision, with its outcome, its meaning
    and the AWS page that states the rule."""

    def run(self) -> list[nodes.Node]:
        from secretslab.evaluation.results import Reason

        rows = (
            [
                _literal(r.value),
                _text("allow" if r.value.startswith("ALLOWED") else "deny"),
                _text(r.summary),
                _link(r.page),
            ]
            for r in Reason
        )
        return [_table(["reason", "decision", "meaning", "AWS page"], rows, [3, 1, 5, 3])]


class FindingCodes(SphinxDirective):
    """``.. secretslab-findings::`` — every finding code, its severity, title and AWS page."""

    def run(self) -> list[nodes.Node]:
        from secretslab.analyzer.finding import CATALOGUE, FindingCode

        rows = (
            [
                _literal(code.value),
                _text(str(CATALOGUE[code][0])),
                _text(CATALOGUE[code][1]),
                _link(code.page),
            ]
            for code in FindingCode
        )
        return [_table(["finding", "severity", "what it reports", "AWS page"], rows, [3, 1, 5, 3])]


class ProblemCodes(SphinxDirective):
    """``.. secretslab-problems::`` — every problem code of the readers and checks, its severity,
    meaning and AWS page (none for secretslab's own limits on input)."""

    def run(self) -> list[nodes.Node]:
        from secretslab.problems import CODES

        rows = (
            [
                _literal(str(code)),
                _text(str(sev)),
                _text(meaning),
                _link(code.page) if code.page else _text(""),
            ]
            for code, (sev, meaning) in CODES.items()
        )
        return [_table(["problem", "severity", "meaning", "AWS page"], rows, [3, 1, 5, 3])]


# -- the scenario format


def _reader_fields() -> dict[str, dict[str, bool]]:
    """Each object of the scenario format -> its fields -> required, as the readers hold them."""
    from secretslab.authorization import request as request_reader
    from secretslab.world import expectations as expectation_reader
    from secretslab.world import read_entities, read_grants, reader

    return {
        "scenario": {"world": True, "title": False, "description": False, "expectations": False},
        "world": dict(reader._WORLD),
        "principals": dict(reader._PRINCIPALS),
        "account": dict(read_entities._ACCOUNT),
        "organization": dict(read_entities._ORG),
        "org-policy": dict(read_entities._ORG_POLICY),
        "user": dict(read_entities._USER),
        "group": dict(read_entities._GROUP),
        "role": dict(read_entities._ROLE),
        "session": dict(read_entities._SESSION),
        "secret": dict(read_entities._SECRET),
        "kms-key": dict(read_entities._KEY),
        "grant": dict(read_grants._GRANT),
        "gap": dict(read_entities._GAP),
        "request": dict(request_reader._REQUEST),
        "assume-role-step": dict(request_reader._STEP),
        "expectation": dict(expectation_reader._EXPECTATION),
    }


class ScenarioFields(SphinxDirective):
    """``.. secretslab-fields:: OBJECT`` with one ``field: description`` line per field. The table
    says which fields are required, from the reader; the build fails when the page and the reader
    disagree on the fields."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        known = _reader_fields()
        if name not in known:
            raise self.error(f"no object {name!r} in the scenario format; known: {', '.join(known)}")
        fields = known[name]
        described: dict[str, str] = {}
        for line in self.content:
            if not line.strip():
                continue
            field, sep, text = line.partition(":")
            if not sep:
                raise self.error(f"{name}: expected 'field: description', found {line!r}")
            described[field.strip()] = text.strip()
        missing = [f for f in fields if f not in described]
        extra = [f for f in described if f not in fields]
        if missing or extra:
            raise self.error(
                f"the {name} fields of the page and of the reader differ: "
                f"not described {missing}, not read {extra}"
            )
        rows, messages = [], []
        for field in fields:
            paragraph = nodes.paragraph()
            inline, problems = self.state.inline_text(described[field], self.lineno)
            paragraph.extend(inline)
            messages.extend(problems)
            rows.append([_literal(field), _text("required" if fields[field] else ""), paragraph])
        return [_table(["field", "", "meaning"], rows, [2, 1, 7]), *messages]


# -- the API


#: subpackage -> its section title on the API page, in reading order
API_SECTIONS = {
    "world": "Scenarios and worlds",
    "schemas": "The JSON Schema of scenario files",
    "authorization": "Deciding a request",
    "evaluation": "One evaluation and its explanation",
    "policy": "Policies",
    "analysis": "Analysis over a whole world",
    "analyzer": "Findings",
    "fixes": "Fixes",
    "problems": "Problems and errors",
    "extras": "Optional extras",
}


class PublicApi(_Sections):
    """``{secretslab-api}`` on a MyST page — every name of ``secretslab.__all__``, grouped by the subpackage
    that defines it, documented by autodoc as ``secretslab.NAME``."""

    def run(self) -> list[nodes.Node]:
        import inspect

        import secretslab

        exports: dict[str, str] = secretslab._EXPORTS
        names = [n for n in secretslab.__all__ if not n.startswith("_")]
        unknown = sorted(set(exports.values()) - set(API_SECTIONS))
        if unknown:
            raise self.error(f"no API section for the subpackages {unknown}: add them to API_SECTIONS")
        # MyST markup, as the directive is used on a Markdown page; autodoc's output is
        # reStructuredText, so its directives go in eval-rst blocks.
        lines: list[str] = []
        for module, title in API_SECTIONS.items():
            members = [n for n in names if exports.get(n) == module]
            if not members:
                continue
            lines += [f"## {title}", "", "````{eval-rst}"]
            for name in members:
                obj = getattr(secretslab, name)
                kind = "autoclass" if inspect.isclass(obj) else "autofunction"
                lines += [f".. {kind}:: secretslab.{name}"]
                if kind == "autoclass":
                    lines += ["   :members:"]
                lines += [""]
            lines += ["````", ""]
        from docutils.statemachine import StringList
        from sphinx.util.nodes import nested_parse_with_titles

        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="secretslab.__all__"), container)
        return list(container.children)


def _exists(dotted: str) -> bool:
    """Whether ``dotted`` names an object of the package (``secretslab.world.entities.Key``)."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def resolve_type_hint(app: Sphinx, env: Any, node: Any, contnode: nodes.Node) -> nodes.Node | None:
    """Type hints name classes by their defining module (``secretslab.world.model.World``) or
    unqualified (``World``). A public name links to its entry (``secretslab.World``); a class of
    the package that the reference does not document (``secretslab.world.entities.Key``, or
    ``Context`` defined by one of its modules) is shown as text. A name that names nothing in the
    package is left unresolved, so -n reports it."""
    import secretslab

    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", ""))
    name = target.rsplit(".", 1)[-1]
    qualified = target.startswith("secretslab.")
    if name in secretslab.__all__ and (qualified or target == name):
        domain = env.get_domain("py")
        public = f"secretslab.{name}"
        found = domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], public, node, contnode)
        if found is not None:
            return found
    if _exists(target) if qualified else _defined_in_package(target):
        return contnode
    return None


def _defined_in_package(name: str) -> bool:
    """Whether a module of the package defines a class or alias ``name`` (an unqualified hint is
    a forward reference of a module whose own imports are under TYPE_CHECKING)."""
    import sys

    return any(
        module is not None and getattr(getattr(module, name, None), "__module__", None) == module_name
        for module_name, module in list(sys.modules.items())
        if module_name.startswith("secretslab.")
    )


# -- docstrings on the site


#: a section of the team's design notes, as docstrings cite it ("semantics §3.13", "(§10, A7)")
SECTION = re.compile(r"(?:semantics(?:\.md)?\s+)?§(\d+)(?:\.(\d+))?(?:[–-]§?\d+(?:\.\d+)?)?(?:,\s*A\d+)*")
UNREACHABLE = re.compile(r"§|\bambiguity A\d+|\bsemantics\.md\b")


def _section_targets() -> dict[str, str]:
    """A section of the design notes -> the page of the site or of AWS that states its rules for a
    reader of the site (who does not have the notes); by section, then by chapter."""
    from secretslab import pages as p

    return {
        "1": "doc:the scenario format </reference/scenario-format>",
        "2": "doc:the scenario format </reference/scenario-format>",
        "3": p.GRAMMAR,
        "3.3": p.PRINCIPAL,
        "3.13": "doc:limits </limits>",
        "4": p.EVALUATION_LOGIC,
        "5": p.CONDITION_OPERATORS,
        "6": p.POLICY_VARIABLES,
        "6.5": p.GLOBAL_CONDITION_KEYS,
        "7": p.GLOBAL_CONDITION_KEYS,
        "8": p.EVALUATION_LOGIC,
        "9": p.KEY_POLICIES,
        "9.6": p.SECRETS_MANAGER_ENCRYPTION,
        "9.10": p.KMS_GRANTS,
        "10": p.SECRETS_MANAGER_PERMISSIONS,
        "10.4": p.SECRETS_MANAGER_CROSS_ACCOUNT,
        "10.6": p.CROSS_ACCOUNT_ROLE_VS_POLICY,
        "11": p.ASSUME_ROLE,
        "12": "doc:the codes </reference/codes>",
        "13": "doc:the scenario format </reference/scenario-format>",
        "14": "doc:where AWS's documentation is followed </deviations>",
    }


def cite_pages_not_sections(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Docstrings are written for readers of the source, who have the team's design notes, and
    cite their sections. On the site each citation becomes a link to the page that states the
    rule — an AWS page, or the site's own page on the scenario format, codes or limits — so no
    page of the site refers to notes its readers do not have. A citation this cannot place is a
    warning (the build fails)."""
    targets = _section_targets()

    def link(match: re.Match[str]) -> str:
        chapter, section = match.group(1), match.group(2)
        target = targets.get(f"{chapter}.{section}") or targets.get(chapter)
        if target is None:
            logger.warning("%s: no page for %r of the design notes", name, match.group(0))
            return match.group(0)
        if target.startswith("doc:"):
            return f":doc:`{target[4:]}`"
        from secretslab import pages

        label = _page_label(target) if target in vars(pages).values() else target
        return f"`{label} <{target}>`__"

    for i, line in enumerate(lines):
        lines[i] = SECTION.sub(link, line)
        if UNREACHABLE.search(lines[i]):
            logger.warning("%s: the docstring refers to the design notes: %r", name, lines[i].strip())


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and the resolver of type hints."""
    app.setup_extension("sphinx.ext.autodoc")  # the API directive and the docstring hook use it
    app.connect("missing-reference", resolve_type_hint)
    app.connect("autodoc-process-docstring", cite_pages_not_sections)
    app.add_directive("secretslab-cli", CliReference)
    app.add_directive("secretslab-reasons", ReasonCodes)
    app.add_directive("secretslab-findings", FindingCodes)
    app.add_directive("secretslab-problems", ProblemCodes)
    app.add_directive("secretslab-fields", ScenarioFields)
    app.add_directive("secretslab-api", PublicApi)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
