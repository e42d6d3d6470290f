"""How one account's template refers to what AWS generates at deployment: ``Ref``/``Fn::GetAtt`` to a
key or secret of the same template, a parameter (its default the world's ARN) for one of another
account, ``Outputs`` that give the owner's deployed ARNs, ``Fn::Sub`` inside longer strings, and
the ``DependsOn`` that AWS's check that named principals exist asks for (or a note where a
reference would make a cycle).

AWS page: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..world import World
from .export_documents import Json, principal_arns, strings
from .export_targets import Target, Targets, account_of

__all__ = ["References"]


class References:
    """One account's template being built: its resources, parameters, outputs, notes and
    dependencies, and the references between them."""

    def __init__(self, world: World, account: str, targets: Targets) -> None:
        self.world = world
        self.account = account
        self.targets = targets
        self.resources: dict[str, dict[str, Any]] = {}
        self.parameters: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []
        self.depends: dict[str, set[str]] = {}
        self.named_elsewhere: set[str] = set()

    def _mine(self, arn: str) -> bool:
        return account_of(arn) == self.account

    # -- references

    def _lid(self, arn: str) -> str:
        found = self.targets.of_arn(self.account, arn)
        assert found is not None, arn
        return found

    def _add(self, lid: str, kind: str, props: dict[str, Any]) -> None:
        self.resources[lid] = {"Type": kind, "Properties": props}

    def _output(self, arn: str, what: str) -> None:
        target = self.targets.generated[arn]
        self.outputs[target.output] = {"Description": what, "Value": target.local()}

    def _ref(self, arn: str) -> Json:
        """The deployed ARN of a key or secret: a reference here, a parameter for another account."""
        target = self.targets.generated.get(arn)
        if target is None:
            return arn
        if self._local(target):
            return target.local()
        self.parameters.setdefault(
            target.parameter,
            {
                "Type": "String",
                "Default": target.arn,
                "Description": f"the deployed ARN of {target.arn} (account {target.account})",
            },
        )
        return {"Ref": target.parameter}

    def _local(self, target: Target) -> bool:
        """Created by this template (an AWS managed key of this account is not)."""
        return target.account == self.account and not target.external

    def _names_local(self, doc: Json) -> bool:
        return any(self._local(t) for t in self._generated_in(doc))

    def _generated_in(self, doc: Json) -> Iterator[Target]:
        for text in strings(doc):
            for arn, target in self.targets.generated.items():
                if arn in text:
                    yield target

    def _document(self, doc: Json, what: str, *, local: bool = True) -> Json:
        """``doc`` with each generated ARN replaced by its reference. Where a reference to this
        template would make a dependency cycle (``local=False``: trust policies, boundaries, key
        policies), the world's ARN stays and a note says to edit it after deploying."""

        def walk(value: Json) -> Json:
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            if isinstance(value, str):
                return self._string(value, what, local)
            return value

        return walk(doc)

    def _string(self, text: str, what: str, local: bool) -> Json:
        found = [t for arn, t in self.targets.generated.items() if arn in text]
        if not found:
            return text
        usable = []
        for target in found:
            if not local and self._local(target):
                self.notes.append(
                    f"The {what} names {target.arn}, created by this template, so it keeps the world's "
                    "ARN (a reference would make a dependency cycle): edit it after deploying."
                )
            else:
                usable.append(target)
        if not usable:
            return text
        if len(usable) == 1 and usable[0].arn == text:
            return self._ref(text)
        out = text.replace("${", "${!")
        for target in usable:
            ref = self._ref(target.arn)
            name = ref["Ref"] if "Ref" in ref else target.sub()
            out = out.replace(target.arn, "${" + name + "}")
        return {"Fn::Sub": out}

    def _existence(self, lid: str, doc: Json) -> None:
        """AWS checks that the principals a policy names exist: depend on those this template
        creates; remember the other accounts whose principals must be deployed first."""
        needs = self.depends.setdefault(lid, set())
        for arn in principal_arns(doc):
            account = account_of(arn)
            if account != self.account:
                if account:
                    self.named_elsewhere.add(account)
                continue
            other = self.targets.of_arn(self.account, arn) or self._role_by_name(arn)
            if other is None:
                self.notes.append(f"A policy of {lid} names {arn}, which the world does not hold.")
            elif other != lid and not self._reaches(other, lid):
                needs.add(other)
            elif other != lid:
                self.notes.append(
                    f"{lid} and {other} name each other; AWS needs each to exist first, so deploy "
                    f"without the statement naming {other} and add it afterwards."
                )

    def _role_by_name(self, arn: str) -> str | None:
        role = self.world.role(arn)
        return self.targets.of_arn(self.account, role.arn) if role else None

    def _reaches(self, start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(self.depends.get(node, ()))
        return False
