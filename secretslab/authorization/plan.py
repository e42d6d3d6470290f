"""The plan of a request: its calls in the order AWS makes them, built up by the planners and run
by ``authorize``. A call whose keys cost more to build than its name is planned as ``Pending``
and built only when it is reached; the calls an operation makes after its first (the extra
actions and KMS calls of a Secrets Manager operation) are planned as ``Later`` and listed only
when reached or when the decision names the calls it did not reach.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .calls import Call


class Pending(NamedTuple):  # a NamedTuple: immutable, and cheap to build
    """A call planned by name, built by ``build`` when the runner reaches it."""

    action: str
    resource: str
    principal: str
    purpose: str
    optional: bool
    build: Callable[[], Call]
    notes_after: tuple[str, ...] = ()  # said once the call is allowed


class Later(NamedTuple):
    """Calls planned only once the call before them is reached: ``expand`` fills a plan."""

    expand: Callable[[Plan], None]


Entry = Call | Pending | Later


@dataclass(slots=True)
class Plan:
    """The calls of a request in order (never escapes ``authorize``). A note said "now" goes
    with the last call planned so far: it is said once that call is allowed, as it would be
    when the calls are made one after another."""

    calls: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said before any call
    validate: tuple[str, Mapping[str, Any]] | None = None  # (operation, parameters) to validate

    def call(self, entry: Entry) -> None:
        """Plan the next call (a ``Call``, a ``Pending`` or a ``Later``)."""
        self.calls.append(entry)

    def note(self, text: str) -> None:
        """Say ``text`` once the last call planned so far is allowed (before any call when none is)."""
        last = self.calls[-1] if self.calls else None
        if isinstance(last, (Call, Pending)):
            self.calls[-1] = last._replace(notes_after=(*last.notes_after, text))
        else:
            self.notes.append(text)
