"""Authorization of whole requests on a world (semantics §10–13): a request is planned as the
calls AWS makes for it — the AssumeRole chain (``chain``), the action, the Secrets Manager
operation's extra actions and the KMS calls it makes for the caller (``secretsmanager``,
``kms``) — and each call is evaluated by the engine (``calls``); ``authorize`` runs the plan and
returns the ``Decision``; ``denied`` words a denied decision as the error AWS returns.
"""

from .authorize import authorize
from .decision import Decision, PlannedStep, Step
from .denied import AccessDenied, access_denied
from .request import AssumeRoleStep, Request

__all__ = [
    "AccessDenied",
    "AssumeRoleStep",
    "Decision",
    "PlannedStep",
    "Request",
    "Step",
    "access_denied",
    "authorize",
]
