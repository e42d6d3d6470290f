"""Reading a folder of AWS CLI output ("dumps") for an import without credentials: which file
holds which command's output (``LAYOUT``), each file read within our input limits and checked
for the fields the import reads, every problem located (file, JSON path, what was expected).

One folder holds one account::

    DIR/
      get-caller-identity.json                 aws sts get-caller-identity              (optional)
      get-account-authorization-details.json   aws iam get-account-authorization-details
      us-east-1/                               one folder per Region, named after it
        list-secrets.json                      aws secretsmanager list-secrets
        describe-secret/ANY.json               aws secretsmanager describe-secret --secret-id ARN
        get-resource-policy/ANY.json           aws secretsmanager get-resource-policy --secret-id ARN
        list-aliases.json                      aws kms list-aliases
        list-keys.json                         aws kms list-keys      (optional when keys have files)
        describe-key/KEY_ID.json               aws kms describe-key --key-id KEY_ID
        get-key-policy/KEY_ID.json             aws kms get-key-policy --key-id KEY_ID --policy-name default
        list-resource-tags/KEY_ID.json         aws kms list-resource-tags --key-id KEY_ID
        list-grants/KEY_ID.json                aws kms list-grants --key-id KEY_ID

A secret's files may have any name (each output names its secret by ``ARN``); a key's are named
after its key id (a UUID, or ``mrk-`` and 32 hex digits), since ``get-key-policy``,
``list-resource-tags`` and ``list-grants`` do not name the key. Every file must be a regular file
(a FIFO or a device is refused, never read), and the folder needs a Region folder. Policy
documents may be JSON objects (the AWS CLI decodes them) or JSON text, URL-encoded or not (the
raw API). An output that is one page of a longer list (``NextToken``, ``IsTruncated``,
``Truncated``) is refused: the AWS CLI reads every page unless ``--max-items`` or
``--no-paginate`` is given.

An empty file (what ``aws ... > FILE`` leaves when the command fails, with AccessDenied say)
counts as absent (``RegionDumps.refused`` remembers which listings were empty). What is missing
is not guessed: the import (``import_dumps``) records it as a gap, and results that depend on it
are unknown. The account id comes from ``get-caller-identity.json`` or from the ARNs of the
dumps, which must all name one account.

AWS pages: https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html,
https://docs.aws.amazon.com/cli/latest/reference/secretsmanager/get-resource-policy.html,
https://docs.aws.amazon.com/cli/latest/reference/kms/get-key-policy.html,
https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-pagination.html
"""

from __future__ import annotations

import difflib
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..arn import ACCOUNT_ID, Arn
from ..fields import json_kind
from ..limits import MAX_DUMP_BYTES, MAX_DUMP_FILES, MAX_FILE_BYTES
from ..loading import load_json, read_file
from ..problems import PathPart, Problem, ProblemCode, ScenarioError, quoted
from .endpoints import region_problem

__all__ = ["LAYOUT", "AccountDumps", "RegionDumps", "dump_folders", "read_dumps"]

JsonPath = tuple[PathPart, ...]

#: the file of each command, by where it sits: the account folder, a Region folder, or a folder
#: of one file per secret or key in a Region folder
ACCOUNT_FILES = {
    "get-caller-identity.json": "aws sts get-caller-identity",
    "get-account-authorization-details.json": "aws iam get-account-authorization-details",
}
REGION_FILES = {
    "list-secrets.json": "aws secretsmanager list-secrets",
    "list-aliases.json": "aws kms list-aliases",
    "list-keys.json": "aws kms list-keys",
}
SECRET_FOLDERS = {
    "describe-secret": "aws secretsmanager describe-secret --secret-id ARN",
    "get-resource-policy": "aws secretsmanager get-resource-policy --secret-id ARN",
}
KEY_FOLDERS = {
    "describe-key": "aws kms describe-key --key-id KEY_ID",
    "get-key-policy": "aws kms get-key-policy --key-id KEY_ID --policy-name default",
    "list-resource-tags": "aws kms list-resource-tags --key-id KEY_ID",
    "list-grants": "aws kms list-grants --key-id KEY_ID",
}
LAYOUT = {**ACCOUNT_FILES, **REGION_FILES, **SECRET_FOLDERS, **KEY_FOLDERS}


# -- the shapes the import reads (other fields of AWS's output are accepted and ignored)

Check = Callable[["_FileReader", Any, JsonPath], Any]


@dataclass(frozen=True)
class _Field:
    check: Check
    required: bool = False


def _string(reader: _FileReader, value: Any, path: JsonPath) -> Any:
    return reader.expect(value, path, isinstance(value, str), "text")


def _flag(reader: _FileReader, value: Any, path: JsonPath) -> Any:
    return reader.expect(value, path, isinstance(value, bool), "true or false")


def _any(reader: _FileReader, value: Any, path: JsonPath) -> Any:
    return value


def _obj(spec: Mapping[str, _Field], what: str) -> Check:
    def check(reader: _FileReader, value: Any, path: JsonPath) -> Any:
        if not isinstance(value, dict):
            reader.problem(path, f"{what} is a JSON object, found {json_kind(value)}")
            return None
        out = dict(value)
        for key, fld in spec.items():
            if key not in value:
                if fld.required:
                    reader.problem(path, f"{what} needs {quoted(key)}", ProblemCode.MISSING_FIELD)
                continue
            checked = fld.check(reader, value[key], (*path, key))
            if checked is None and value[key] is not None:
                out.pop(key)
            else:
                out[key] = checked
        return out

    return check


def _list(item: Check, what: str) -> Check:
    def check(reader: _FileReader, value: Any, path: JsonPath) -> Any:
        if not isinstance(value, list):
            reader.problem(path, f"{what} is a list, found {json_kind(value)}")
            return None
        kept = [item(reader, v, (*path, i)) for i, v in enumerate(value)]
        return [v for v in kept if v is not None]

    return check


def _string_map(reader: _FileReader, value: Any, path: JsonPath) -> Any:
    ok = isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
    )
    return reader.expect(value, path, ok, "an object of version id to a list of stage names")


def _document(reader: _FileReader, value: Any, path: JsonPath) -> Any:
    """A policy document: a JSON object (the AWS CLI decodes IAM's), or JSON text, URL-encoded as
    IAM's API returns it or not; decoded here so a broken one is located in its file."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        reader.problem(path, f"a policy document is a JSON object or JSON text, found {json_kind(value)}")
        return None
    text = value if value.lstrip().startswith("{") else urllib.parse.unquote(value)
    data, problems = load_json(text, reader.source)
    if data is None or not isinstance(data, dict):
        why = problems[0].message if problems else f"found {json_kind(data)}"
        reader.problem(path, f"a policy document is JSON text of an object (or URL-encoded JSON): {why}")
        return None
    return data


def _arn(service: str, types: tuple[str, ...], what: str) -> Check:
    def check(reader: _FileReader, value: Any, path: JsonPath) -> Any:
        arn = Arn.parse(value) if isinstance(value, str) else None
        if arn is None or arn.service != service or (types and arn.resource_type not in types):
            reader.problem(path, f"{what} is an ARN like {_SHAPES[types[0]]}, found {_shown(value)}")
            return None
        if arn.account != "aws":  # an AWS managed policy: arn:aws:iam::aws:policy/...
            reader.account_of(arn.account, path)
        if arn.region and reader.region and arn.region != reader.region:
            reader.problem(
                path, f"{what} is in Region {arn.region}, but the file is in the {reader.region} folder"
            )
        return value

    return check


_SHAPES = {
    "user": "arn:aws:iam::ACCOUNT:user/NAME",
    "group": "arn:aws:iam::ACCOUNT:group/NAME",
    "role": "arn:aws:iam::ACCOUNT:role/NAME",
    "policy": "arn:aws:iam::ACCOUNT:policy/NAME",
    "secret": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX",
    "key": "arn:aws:kms:REGION:ACCOUNT:key/KEY-ID",
    "alias": "arn:aws:kms:REGION:ACCOUNT:alias/NAME",
}

_TAG = _obj({"Key": _Field(_string, True), "Value": _Field(_string)}, "a tag")
_TAGS = _list(_TAG, "Tags")
_INLINE = _obj({"PolicyName": _Field(_string), "PolicyDocument": _Field(_document, True)}, "an inline policy")
_ATTACHED = _obj(
    {"PolicyArn": _Field(_arn("iam", ("policy",), "PolicyArn"), True), "PolicyName": _Field(_string)},
    "an attached managed policy",
)
_BOUNDARY = _obj(
    {"PermissionsBoundaryArn": _Field(_arn("iam", ("policy",), "PermissionsBoundaryArn"))},
    "PermissionsBoundary",
)
_PAGING = {"IsTruncated": _Field(_flag), "Marker": _Field(_string), "NextToken": _Field(_string)}

_AUTHORIZATION_DETAILS = _obj(
    {
        "UserDetailList": _Field(
            _list(
                _obj(
                    {
                        "Arn": _Field(_arn("iam", ("user",), "Arn"), True),
                        "UserId": _Field(_string),
                        "Path": _Field(_string),
                        "GroupList": _Field(_list(_string, "GroupList")),
                        "UserPolicyList": _Field(_list(_INLINE, "UserPolicyList")),
                        "AttachedManagedPolicies": _Field(_list(_ATTACHED, "AttachedManagedPolicies")),
                        "PermissionsBoundary": _Field(_BOUNDARY),
                        "Tags": _Field(_TAGS),
                    },
                    "a user",
                ),
                "UserDetailList",
            )
        ),
        "GroupDetailList": _Field(
            _list(
                _obj(
                    {
                        "Arn": _Field(_arn("iam", ("group",), "Arn"), True),
                        "GroupName": _Field(_string, True),
                        "GroupPolicyList": _Field(_list(_INLINE, "GroupPolicyList")),
                        "AttachedManagedPolicies": _Field(_list(_ATTACHED, "AttachedManagedPolicies")),
                    },
                    "a group",
                ),
                "GroupDetailList",
            )
        ),
        "RoleDetailList": _Field(
            _list(
                _obj(
                    {
                        "Arn": _Field(_arn("iam", ("role",), "Arn"), True),
                        "RoleId": _Field(_string),
                        "Path": _Field(_string),
                        "AssumeRolePolicyDocument": _Field(_document),
                        "RolePolicyList": _Field(_list(_INLINE, "RolePolicyList")),
                        "AttachedManagedPolicies": _Field(_list(_ATTACHED, "AttachedManagedPolicies")),
                        "PermissionsBoundary": _Field(_BOUNDARY),
                        "Tags": _Field(_TAGS),
                    },
                    "a role",
                ),
                "RoleDetailList",
            )
        ),
        "Policies": _Field(
            _list(
                _obj(
                    {
                        "Arn": _Field(_arn("iam", ("policy",), "Arn"), True),
                        "PolicyVersionList": _Field(
                            _list(
                                _obj(
                                    {"Document": _Field(_document), "IsDefaultVersion": _Field(_flag)},
                                    "a policy version",
                                ),
                                "PolicyVersionList",
                            )
                        ),
                    },
                    "a managed policy",
                ),
                "Policies",
            )
        ),
        **_PAGING,
    },
    "the output of get-account-authorization-details",
)
_CALLER_IDENTITY = _obj(
    {"Account": _Field(_string, True), "Arn": _Field(_string)}, "the output of get-caller-identity"
)
_SECRET_ENTRY = {
    "ARN": _Field(_arn("secretsmanager", ("secret",), "ARN"), True),
    "Name": _Field(_string),
    "KmsKeyId": _Field(_string),
    "Tags": _Field(_TAGS),
}
_LIST_SECRETS = _obj(
    {
        "SecretList": _Field(
            _list(
                _obj({**_SECRET_ENTRY, "SecretVersionsToStages": _Field(_string_map)}, "a secret"),
                "SecretList",
            ),
            True,
        ),
        **_PAGING,
    },
    "the output of list-secrets",
)
_DESCRIBE_SECRET = _obj(
    {**_SECRET_ENTRY, "VersionIdsToStages": _Field(_string_map)}, "the output of describe-secret"
)
_RESOURCE_POLICY = _obj(
    {
        "ARN": _Field(_arn("secretsmanager", ("secret",), "ARN"), True),
        "Name": _Field(_string),
        "ResourcePolicy": _Field(_document),
    },
    "the output of get-resource-policy",
)
_LIST_ALIASES = _obj(
    {
        "Aliases": _Field(
            _list(
                _obj(
                    {
                        "AliasName": _Field(_string, True),
                        "AliasArn": _Field(_arn("kms", ("alias",), "AliasArn")),
                        "TargetKeyId": _Field(_string),
                    },
                    "an alias",
                ),
                "Aliases",
            ),
            True,
        ),
        "Truncated": _Field(_flag),
        "NextMarker": _Field(_string),
        **_PAGING,
    },
    "the output of list-aliases",
)
_LIST_KEYS = _obj(
    {
        "Keys": _Field(
            _list(
                _obj(
                    {"KeyId": _Field(_string, True), "KeyArn": _Field(_arn("kms", ("key",), "KeyArn"))},
                    "a key",
                ),
                "Keys",
            ),
            True,
        ),
        "Truncated": _Field(_flag),
        "NextMarker": _Field(_string),
        **_PAGING,
    },
    "the output of list-keys",
)
_DESCRIBE_KEY = _obj(
    {
        "KeyMetadata": _Field(
            _obj(
                {
                    "KeyId": _Field(_string, True),
                    "Arn": _Field(_arn("kms", ("key",), "Arn"), True),
                    "KeyManager": _Field(_string),
                },
                "KeyMetadata",
            ),
            True,
        )
    },
    "the output of describe-key",
)
_KEY_POLICY = _obj(
    {"Policy": _Field(_document, True), "PolicyName": _Field(_string)}, "the output of get-key-policy"
)
_KEY_TAGS = _obj(
    {
        "Tags": _Field(
            _list(_obj({"TagKey": _Field(_string, True), "TagValue": _Field(_string)}, "a tag"), "Tags"), True
        ),
        "Truncated": _Field(_flag),
        "NextMarker": _Field(_string),
        **_PAGING,
    },
    "the output of list-resource-tags",
)
_GRANTS = _obj(
    {
        "Grants": _Field(_list(_obj({}, "a grant"), "Grants"), True),
        "Truncated": _Field(_flag),
        "NextMarker": _Field(_string),
        **_PAGING,
    },
    "the output of list-grants",
)

_CHECKS: dict[str, Check] = {
    "get-caller-identity.json": _CALLER_IDENTITY,
    "get-account-authorization-details.json": _AUTHORIZATION_DETAILS,
    "list-secrets.json": _LIST_SECRETS,
    "list-aliases.json": _LIST_ALIASES,
    "list-keys.json": _LIST_KEYS,
    "describe-secret": _DESCRIBE_SECRET,
    "get-resource-policy": _RESOURCE_POLICY,
    "describe-key": _DESCRIBE_KEY,
    "get-key-policy": _KEY_POLICY,
    "list-resource-tags": _KEY_TAGS,
    "list-grants": _GRANTS,
}


# -- what a folder holds


@dataclass
class RegionDumps:
    """The dumps of one Region: the listings (None when their file is absent), and the outputs of
    one secret (by ARN) or one key (by key id)."""

    region: str
    folder: str
    listed_secrets: list[dict[str, Any]] | None = None
    aliases: list[dict[str, Any]] | None = None
    listed_keys: list[str] | None = None
    refused: list[str] = field(default_factory=list)  # listings whose file is empty (a refused command)
    described_secrets: dict[str, dict[str, Any]] = field(default_factory=dict)
    secret_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    described_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    key_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    key_tags: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    key_grants: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    named_keys: list[str] = field(default_factory=list)  # keys with a file, even an empty one

    def key_ids(self) -> list[str]:
        """Every key the Region's dumps name: listed, or with a file of its own."""
        found = dict.fromkeys([*(self.listed_keys or ()), *self.named_keys])
        for files in (self.described_keys, self.key_policies, self.key_tags, self.key_grants):
            found.update(dict.fromkeys(files))
        return list(found)


@dataclass
class AccountDumps:
    """The dumps of one account: its id, who dumped it (when ``get-caller-identity.json`` says),
    the IAM authorization details (None when absent) and each Region's dumps."""

    folder: str
    account: str
    caller: str | None
    authorization_details: dict[str, Any] | None
    regions: dict[str, RegionDumps]
    files: int


def read_dumps(folder: str | os.PathLike[str]) -> AccountDumps:
    """The dumps in ``folder`` (one account; the layout is in the module docstring). Raises
    ``ScenarioError`` with every problem located (file, JSON path, what was expected): a file
    that is not JSON or not the command's output, an output that is one page of a longer list,
    ARNs of several accounts or of another Region, an unknown file name, our input limits."""
    return _FolderReader(os.fspath(folder)).read()


class _FolderReader:
    """Reads one account folder; problems collect in ``problems``."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.problems: list[Problem] = []
        self.accounts: dict[str, tuple[str, JsonPath]] = {}  # account id -> where first seen
        self.files = 0
        self.bytes = 0
        self.blank = False  # whether the last file read was empty

    def problem(
        self, source: str, path: JsonPath, message: str, code: ProblemCode = ProblemCode.INVALID_FIELD
    ) -> None:
        self.problems.append(Problem(code, message, path, source=source))

    def read(self) -> AccountDumps:
        if not os.path.isdir(self.folder):
            self.problem(
                self.folder,
                (),
                "a dumps folder is a directory of AWS CLI output: get-account-authorization-details.json, "
                "REGION/list-secrets.json, ... (the layout is in the README)",
                ProblemCode.UNREADABLE_FILE,
            )
            raise ScenarioError(self.problems, what="dumps folder")
        caller = details = None
        regions: dict[str, RegionDumps] = {}
        for name in self.entries(self.folder):
            path = os.path.join(self.folder, name)
            if name in ACCOUNT_FILES:  # a FIFO, device or folder of that name is refused by file()
                data = self.file(path, name, None)
                if name == "get-caller-identity.json":
                    caller = data
                else:
                    details = data
            elif os.path.isdir(path) and region_problem(name) is None and name not in LAYOUT:
                regions[name] = self.region(path, name)
            else:
                self.unknown(path, name, ACCOUNT_FILES, "a Region folder (such as us-east-1) or one of")
        if not regions:  # no Region to name a gap after: most likely the wrong folder
            self.problem(
                self.folder,
                (),
                "no Region folder (such as us-east-1/): the secrets and KMS keys of the account are "
                "read from REGION/list-secrets.json, REGION/list-aliases.json, ...; for an account "
                'that has none, give a Region folder with list-secrets.json {"SecretList": []}, '
                'list-aliases.json {"Aliases": []} and list-keys.json {"Keys": []}',
                ProblemCode.MISSING_FIELD,
            )
        account = self.account(caller)
        if self.problems:
            raise ScenarioError(self.problems, what="dumps folder")
        return AccountDumps(
            self.folder,
            account,
            caller.get("Arn") if caller else None,
            details,
            regions,
            self.files,
        )

    def account(self, caller: dict[str, Any] | None) -> str:
        """The account of the dumps: get-caller-identity's, which every ARN must agree with, or
        the one account the ARNs name."""
        stated = caller.get("Account") if caller else None
        source = os.path.join(self.folder, "get-caller-identity.json")
        if stated is not None and not ACCOUNT_ID.match(stated):
            self.problem(source, ("Account",), f"Account is a 12-digit account id, found {_shown(stated)}")
            return ""
        named = list(self.accounts)
        if stated is not None:
            for other in named:
                if other != stated:
                    where, path = self.accounts[other]
                    self.problem(
                        where,
                        path,
                        f"an ARN of account {other}, but the dumps are of account {stated} "
                        "(get-caller-identity.json)",
                    )
            return str(stated)
        if len(named) > 1:
            for other in named[1:]:
                where, path = self.accounts[other]
                first = self.accounts[named[0]]
                self.problem(
                    where,
                    path,
                    f"an ARN of account {other}, but {first[0]} names account {named[0]}: "
                    "one folder holds the dumps of one account",
                )
        if not named:
            self.problem(
                self.folder,
                (),
                "no ARN names the account of these dumps: add the output of "
                "`aws sts get-caller-identity` as get-caller-identity.json",
                ProblemCode.MISSING_FIELD,
            )
            return ""
        return named[0]

    def region(self, folder: str, region: str) -> RegionDumps:
        dumps = RegionDumps(region, folder)
        for name in self.entries(folder):
            path = os.path.join(folder, name)
            if name in REGION_FILES:  # a FIFO, device or folder of that name is refused by file()
                data = self.file(path, name, region)
                if data is None:
                    if self.blank:
                        dumps.refused.append(name)
                    continue
                if name == "list-secrets.json":
                    dumps.listed_secrets = data.get("SecretList", [])
                elif name == "list-aliases.json":
                    dumps.aliases = data.get("Aliases", [])
                else:
                    dumps.listed_keys = [k["KeyId"] for k in data.get("Keys", ()) if "KeyId" in k]
            elif name in SECRET_FOLDERS and os.path.isdir(path):
                self.secret_files(path, name, region, dumps)
            elif name in KEY_FOLDERS and os.path.isdir(path):
                self.key_files(path, name, region, dumps)
            elif name in SECRET_FOLDERS or name in KEY_FOLDERS:
                self.problem(
                    path,
                    (),
                    f"{quoted(name)} is not a folder: it holds one .json file of "
                    f"`{LAYOUT[name]}` per {'secret' if name in SECRET_FOLDERS else 'key'}",
                    ProblemCode.UNREADABLE_FILE,
                )
            else:
                self.unknown(path, name, {**REGION_FILES, **SECRET_FOLDERS, **KEY_FOLDERS}, "one of")
        return dumps

    def secret_files(self, folder: str, kind: str, region: str, dumps: RegionDumps) -> None:
        into = dumps.described_secrets if kind == "describe-secret" else dumps.secret_policies
        files: dict[str, str] = {}  # ARN -> the file that named it first
        for name in self.entries(folder):
            path = os.path.join(folder, name)
            if not name.endswith(".json"):  # a .json that is not a regular file is refused by file()
                self.unknown(path, name, {}, f"a .json file of `{SECRET_FOLDERS[kind]}`")
                continue
            data = self.file(path, kind, region)
            arn = data.get("ARN") if data else None
            if data is None or arn is None:
                continue
            if arn in files:
                self.problem(path, ("ARN",), f"{arn} has two {kind} files (the other: {files[arn]})")
                continue
            files[arn] = path
            into[arn] = data

    def key_files(self, folder: str, kind: str, region: str, dumps: RegionDumps) -> None:
        for name in self.entries(folder):
            path = os.path.join(folder, name)
            key_id = name[: -len(".json")] if name.endswith(".json") else ""
            if not _KEY_ID.fullmatch(key_id):  # an alias or ARN would make a key that does not exist
                self.problems.append(
                    Problem(
                        ProblemCode.UNKNOWN_FIELD,
                        f"{quoted(name)} is not named after a key id: the output of "
                        f"`{KEY_FOLDERS[kind]}` is KEY_ID.json, KEY_ID a key id such as "
                        "1234abcd-12ab-34cd-56ef-1234567890ab (or mrk- and 32 hex digits for a "
                        "multi-Region key), never an alias or a key ARN",
                        (),
                        source=path,
                    )
                )
                continue
            if key_id not in dumps.named_keys:
                dumps.named_keys.append(key_id)
            data = self.file(path, kind, region)
            if data is None:
                continue
            if kind == "describe-key":
                meta = data.get("KeyMetadata") or {}
                if meta.get("KeyId") not in (None, key_id):
                    self.problem(
                        path,
                        ("KeyMetadata", "KeyId"),
                        f"the file is named after key {key_id}, "
                        f"but describes key {_shown(meta.get('KeyId'))}",
                    )
                    continue
                dumps.described_keys[key_id] = meta
            elif kind == "get-key-policy":
                if "Policy" in data:
                    dumps.key_policies[key_id] = data["Policy"]
            elif kind == "list-resource-tags":
                dumps.key_tags[key_id] = data.get("Tags", [])
            else:
                dumps.key_grants[key_id] = data.get("Grants", [])

    # -- one file

    def entries(self, folder: str) -> list[str]:
        """The names in ``folder`` (sorted; hidden files skipped), within our limit on files."""
        try:
            names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
        except OSError as exc:
            self.problem(folder, (), f"cannot list the folder: {exc.strerror}", ProblemCode.UNREADABLE_FILE)
            return []
        if self.files + len(names) > MAX_DUMP_FILES:
            self.problem(
                folder,
                (),
                f"the dumps hold more than {MAX_DUMP_FILES:,} files, the most secretslab reads",
                ProblemCode.FILE_TOO_LARGE,
            )
            raise ScenarioError(self.problems, what="dumps folder")
        return names

    def file(self, path: str, kind: str, region: str | None) -> dict[str, Any] | None:
        """The checked output in ``path`` (``kind``: its file or folder name in the layout), or None
        with problems."""
        self.files += 1
        budget = min(MAX_FILE_BYTES, MAX_DUMP_BYTES - self.bytes)
        text, problems = read_file(path, limit=max(budget, 0))  # a regular file only
        self.blank = False
        if text is None:
            if any(p.code is ProblemCode.FILE_TOO_LARGE for p in problems) and budget < MAX_FILE_BYTES:
                self.problem(
                    path,
                    (),
                    f"the dumps together are larger than {MAX_DUMP_BYTES:,} bytes, the most secretslab reads",
                    ProblemCode.FILE_TOO_LARGE,
                )
                raise ScenarioError(self.problems, what="dumps folder")
            self.problems.extend(problems)
            return None
        self.bytes += len(text.encode("utf-8"))
        if not text.strip():  # what a failed command leaves behind (`aws ... > FILE`): a gap, not an error
            self.blank = True
            return None
        data, problems = load_json(text, path, invalid=ProblemCode.UNREADABLE_FILE)
        if problems:
            self.problems.extend(problems)
            if data is None:
                return None
        reader = _FileReader(self, path, region)
        checked: dict[str, Any] | None = _CHECKS[kind](reader, data, ())
        if checked is not None:
            for flag, token in (("IsTruncated", "Marker"), ("Truncated", "NextMarker"), (None, "NextToken")):
                if (flag and checked.get(flag)) or checked.get(token):
                    where = flag if flag and checked.get(flag) else token
                    self.problem(
                        path,
                        (where,),
                        f"the output is one page of a longer list ({where}); "
                        f"run `{LAYOUT[kind]}` again without --max-items or --no-paginate, "
                        "so the AWS CLI reads every page",
                    )
                    return None
        return checked

    def unknown(self, path: str, name: str, known: Mapping[str, str], expected: str) -> None:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
        listed = ", ".join(known)
        message = f"{quoted(name)} is not part of the dumps layout; expected {expected}"
        message += f" {listed}" if listed else ""
        self.problems.append(
            Problem(
                ProblemCode.UNKNOWN_FIELD,
                message,
                (),
                f"did you mean {quoted(close[0])}?" if close else None,
                path,
            )
        )


class _FileReader:
    """Checks one file: problems go to the folder reader, located in this file."""

    def __init__(self, folder: _FolderReader, source: str, region: str | None) -> None:
        self.folder = folder
        self.source = source
        self.region = region

    def problem(self, path: JsonPath, message: str, code: ProblemCode = ProblemCode.INVALID_FIELD) -> None:
        self.folder.problem(self.source, path, message, code)

    def expect(self, value: Any, path: JsonPath, ok: bool, what: str) -> Any:
        if ok:
            return value
        self.problem(path, f"{path[-1] if path else 'the value'} is {what}, found {json_kind(value)}")
        return None

    def account_of(self, account: str, path: JsonPath) -> None:
        self.folder.accounts.setdefault(account, (self.source, path))


#: a KMS key id: a UUID, or mrk- and 32 hex digits for a multi-Region key (as KMS prints them)
_KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}")


def _shown(value: Any) -> str:
    return quoted(value, 80) if isinstance(value, str) else json_kind(value)


def dump_folders(folders: list[str | os.PathLike[str]]) -> list[AccountDumps]:
    """The dumps of each folder, one account each (``read_dumps``); two folders of one account are
    a problem, as the problems of every folder are, all raised at once."""
    out: list[AccountDumps] = []
    problems: list[Problem] = []
    for folder in folders:
        try:
            dumps = read_dumps(folder)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        twin = next((d for d in out if d.account == dumps.account), None)
        if twin is not None:
            problems.append(
                Problem(
                    ProblemCode.DUPLICATE_ENTITY,
                    f"account {dumps.account} is also the account of {twin.folder}: "
                    "give one folder per account",
                    (),
                    source=dumps.folder,
                )
            )
            continue
        out.append(dumps)
    if problems:
        raise ScenarioError(problems, what="dumps folder")
    return out
