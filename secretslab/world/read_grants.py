"""Read a key's ``grants`` (semantics §9.10) exactly as KMS ``ListGrants`` returns them:
``GrantId``, ``GranteePrincipal``, ``Operations``, the optional ``Constraints``
(``EncryptionContextEquals`` / ``EncryptionContextSubset``), ``RetiringPrincipal`` and ``Name``;
``KeyId``, ``IssuingAccount`` and ``CreationDate`` are accepted and do not change a decision.
Anything else is a problem located at its JSON path.

AWS pages: https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html,
https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html,
https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..arn import ACCOUNT_ID, Arn
from ..evaluation.kms_grants import GRANT_OPERATIONS, KmsGrant
from ..fields import Fields, Path
from ..problems import ProblemCode

REQUIRED, OPTIONAL = True, False

_GRANT = {
    "GrantId": REQUIRED,
    "GranteePrincipal": REQUIRED,
    "Operations": REQUIRED,
    "Constraints": OPTIONAL,
    "RetiringPrincipal": OPTIONAL,
    "Name": OPTIONAL,
    "KeyId": OPTIONAL,
    "IssuingAccount": OPTIONAL,
    "CreationDate": OPTIONAL,
}
_CONSTRAINTS = {"EncryptionContextEquals": OPTIONAL, "EncryptionContextSubset": OPTIONAL}
_IGNORED = ("KeyId", "IssuingAccount", "CreationDate")
_OPERATIONS = {op.lower(): op for op in GRANT_OPERATIONS}


def read_grants(reader: Fields, value: Any, path: Path) -> tuple[KmsGrant, ...]:
    """The grants of a key (``value`` is its ``grants`` list); each problem goes to ``reader``."""
    out: list[KmsGrant] = []
    seen: set[str] = set()
    for gpath, item in reader.items(value, path, "grants"):
        grant = _grant(reader, item, gpath)
        if grant is None:
            continue
        if grant.grant_id in seen:
            reader.problem(
                ProblemCode.DUPLICATE_ENTITY,
                f"two grants of the key have GrantId {grant.grant_id[:80]!r}",
                (*gpath, "GrantId"),
            )
            continue
        seen.add(grant.grant_id)
        out.append(grant)
    return tuple(out)


def _grant(reader: Fields, value: Any, path: Path) -> KmsGrant | None:
    raw = reader.obj(value, path, _GRANT, "a grant (as KMS ListGrants returns it)")
    if raw is None:
        return None
    before = len(reader.problems)
    grant_id = reader.string(raw.get("GrantId"), (*path, "GrantId"), "GrantId")  # missing: said by obj
    grantee = _principal(reader, raw.get("GranteePrincipal"), (*path, "GranteePrincipal"), "GranteePrincipal")
    operations = _operations(reader, raw.get("Operations"), (*path, "Operations"))
    equals, subset = _constraints(reader, raw.get("Constraints"), (*path, "Constraints"))
    retiring = raw.get("RetiringPrincipal")
    if retiring is not None:
        retiring = _principal(reader, retiring, (*path, "RetiringPrincipal"), "RetiringPrincipal")
    name = raw.get("Name")  # KMS returns "" for a grant created without a name
    name = reader.string(name, (*path, "Name"), "Name") if name != "" else None
    for field in ("KeyId", "IssuingAccount"):
        reader.string(raw.get(field), (*path, field), field)
    created = raw.get("CreationDate")
    if created is not None and (isinstance(created, bool) or not isinstance(created, (str, int, float))):
        reader.problem(
            ProblemCode.INVALID_FIELD, "CreationDate is a date string or a number", (*path, "CreationDate")
        )
    if len(reader.problems) > before or grant_id is None or grantee is None or not operations:
        return None
    kept = tuple((f, raw[f]) for f in _IGNORED if raw.get(f) is not None)
    return KmsGrant(grant_id, grantee, operations, equals, subset, retiring, name, kept)


def _principal(reader: Fields, value: Any, path: Path, what: str) -> str | None:
    """A grantee or retiring principal: an account, an IAM user or role, an assumed-role or
    federated-user session, or a service principal (``*.amazonaws.com``)."""
    text = reader.string(value, path, what)  # missing: said by obj
    if text is None:
        return None
    if ACCOUNT_ID.match(text) or _service_principal(text):
        return text
    arn = Arn.parse(text)
    if arn is not None and ACCOUNT_ID.match(arn.account):
        if arn.service == "iam" and (arn.resource == "root" or arn.resource_type in ("user", "role")):
            return text
        if arn.service == "sts" and arn.resource_type in ("assumed-role", "federated-user"):
            return text
    reader.problem(
        ProblemCode.INVALID_FIELD,
        f"{what} is an account, user, role, assumed-role or federated-user ARN or a service "
        f"principal such as secretsmanager.amazonaws.com, found {text[:120]!r}",
        path,
    )
    return None


def _service_principal(text: str) -> bool:
    """``<service>[.<region>].amazonaws.com`` (``.com.cn`` in China), checked without a regex."""
    for suffix in (".amazonaws.com", ".amazonaws.com.cn"):
        if text.endswith(suffix):
            head = text[: -len(suffix)]
            return bool(head) and all(c.isascii() and (c.islower() or c.isdigit() or c in ".-") for c in head)
    return False


def _operations(reader: Fields, value: Any, path: Path) -> tuple[str, ...]:
    if value is None:  # missing: said by obj
        return ()
    if not isinstance(value, list) or not value:
        reader.problem(ProblemCode.INVALID_FIELD, "Operations is a non-empty list of grant operations", path)
        return ()
    out = []
    for ipath, item in reader.items(value, path, "Operations"):
        op = _OPERATIONS.get(item.lower()) if isinstance(item, str) else None
        if op is None or op != item:
            shown = repr(item[:80]) if isinstance(item, str) else type(item).__name__
            # difflib is quadratic in the text: only a short name gets a "did you mean"
            short = isinstance(item, str) and len(item) <= 64
            close = difflib.get_close_matches(str(item), GRANT_OPERATIONS, n=1) if short else []
            reader.problem(
                ProblemCode.INVALID_FIELD,
                f"{shown} is not a grant operation (Decrypt, Encrypt, GenerateDataKey, ...)",
                ipath,
                hint=f"did you mean {close[0]}?" if close else None,
            )
            continue
        out.append(op)
    return tuple(out)


def _constraints(
    reader: Fields, value: Any, path: Path
) -> tuple[tuple[tuple[str, str], ...] | None, tuple[tuple[str, str], ...] | None]:
    if value is None:
        return None, None
    raw = reader.obj(value, path, _CONSTRAINTS, "Constraints")
    if raw is None:
        return None, None
    found: list[tuple[tuple[str, str], ...] | None] = []
    for name in ("EncryptionContextEquals", "EncryptionContextSubset"):
        context = raw.get(name)
        if context is None:
            found.append(None)
            continue
        if not isinstance(context, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in context.items()
        ):
            reader.problem(
                ProblemCode.INVALID_FIELD, f"{name} is an object of string to string", (*path, name)
            )
            found.append(None)
            continue
        found.append(tuple(context.items()) if context else None)  # an empty map constrains nothing
    return found[0], found[1]
