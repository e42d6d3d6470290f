"""What the resource-based policy grants, sorted by how its principal matched the caller (a
DIRECT grant names the caller, a ROLE grant its role, an ACCOUNT grant only delegates to the
account's identity policies, §4.5, §8.5), and the boundary and session statements that let an
allow through (for the explanation of an allow).

AWS page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
"""

from __future__ import annotations

from .matching import MatchKind
from .results import Deciding, PolicyResult


class Grants:
    """The resource-based policy's applying Allow statements, by match kind (§8.5)."""

    __slots__ = ("account", "any", "direct", "role")

    def __init__(self, resource: list[PolicyResult]) -> None:
        self.direct: list[Deciding] = []
        self.role: list[Deciding] = []
        self.account: list[Deciding] = []
        for policy in resource:
            for r in policy.allows:
                kind = r.principal.kind if r.principal is not None else None
                if kind is MatchKind.DIRECT:
                    self.direct.append(Deciding(policy, r))
                elif kind is MatchKind.ROLE:
                    self.role.append(Deciding(policy, r))
                elif kind is MatchKind.ACCOUNT:
                    self.account.append(Deciding(policy, r))
        self.any = self.direct + self.role + self.account

    @property
    def strongest(self) -> MatchKind | None:
        """The strongest kind of grant there is (DIRECT, then ROLE, then ACCOUNT), or None when the
        resource-based policy grants nothing."""
        return (
            MatchKind.DIRECT
            if self.direct
            else MatchKind.ROLE
            if self.role
            else MatchKind.ACCOUNT
            if self.account
            else None
        )


def limiting(boundary: list[PolicyResult], session: list[PolicyResult]) -> list[Deciding]:
    """The boundary and session statements that let an allow through, for the explanation."""
    out: list[Deciding] = []
    for group in (boundary, session):
        for p in group:
            if p.allows:
                out.append(Deciding(p, p.allows[0]))
                break
    return out
