"""secretslab and real AWS through boto3: read-only import, an embedded stand-in (moto) and export
for workshops (issue 5).

- ``snapshot`` / ``load_snapshot`` / ``Snapshot`` (``importer``, with ``imported`` and the
  ``import_*`` readers): a world read from accounts, read-only, with what could not be read kept
  as gaps;
- ``snapshot_from_dumps`` (``import_dumps``, over ``dumps``): the same import from AWS CLI output
  in folders, without credentials or boto3;
- ``guard`` / ``importer_policy`` / ``READ_OPERATIONS`` (``readonly``): the allow-list checked on
  every call, and the least-privilege IAM policy the importer needs;
- ``StandIn`` / ``seed_demo`` / ``seed_world`` (``standin``, which re-exports them from
  ``server``, ``demo`` and ``seeding``): moto's server on loopback, seeded with real boto3 calls
  (the shape of the data, never evidence of who may do what); the demo's content is the
  package's ``demo-world.json``;
- ``to_cloudformation`` / ``write_templates`` (``export``): one template per account;
- ``describe`` (``errors``): a botocore error a user can fix, as one sentence.

Names are loaded on first use, so ``import secretslab.aws`` does not pay for boto3 or moto.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "snapshot": "importer",
    "snapshot_from_dumps": "import_dumps",
    "load_snapshot": "imported",
    "Snapshot": "imported",
    "guard": "readonly",
    "importer_policy": "readonly",
    "ForbiddenOperation": "readonly",
    "READ_OPERATIONS": "readonly",
    "StandIn": "server",
    "seed_demo": "demo",
    "seed_world": "seeding",
    "to_cloudformation": "export",
    "write_templates": "export",
    "describe": "errors",
}

__all__ = [
    "READ_OPERATIONS",
    "ForbiddenOperation",
    "Snapshot",
    "StandIn",
    "describe",
    "guard",
    "importer_policy",
    "load_snapshot",
    "seed_demo",
    "seed_world",
    "snapshot",
    "snapshot_from_dumps",
    "to_cloudformation",
    "write_templates",
]

if TYPE_CHECKING:
    from .demo import seed_demo
    from .errors import describe
    from .export import to_cloudformation, write_templates
    from .import_dumps import snapshot_from_dumps
    from .imported import Snapshot, load_snapshot
    from .importer import snapshot
    from .readonly import READ_OPERATIONS, ForbiddenOperation, guard, importer_policy
    from .seeding import seed_world
    from .server import StandIn


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'secretslab.aws' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
