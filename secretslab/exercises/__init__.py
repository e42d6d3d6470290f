"""Checkers for the notebooks' exercises, one module per notebook (``check_00`` … ``check_06``),
each deciding the learner's answer with the package itself (``check_policy``, ``authorize``,
``who_can``, ``diff``) and answering ``Right`` or ``Not yet`` with the reason the package found
(the failing step, the reason code, the statement or condition that did not apply); a checker
never raises, whatever it is given, so a notebook still runs top to bottom with its placeholder
answer. The checkers of notebooks 00, 01, 04, 05 and 06 take the notebook's world as a second
argument; those of 02 and 03 build their own small worlds from the files in ``worlds/``."""

from __future__ import annotations

from .audit import ASKED_ROLE, LEGACY_SECRET, READER_ROLE, check_06
from .common import APPS, GET, NOT_YET, PROD, REGION, RIGHT
from .cross_account import LEGACY, PATHS, PIECES, check_03, pieces_world
from .first_request import check_00
from .how_aws_decides import TAGGING_REQUESTS, check_02, tagging_request, tagging_statement, tagging_world
from .identity_vs_resource import ALICE, DEVS, SHARED_CONFIG, check_01
from .people_come_and_go import PAYMENTS_LEGACY, PAYMENTS_TEAM, check_04
from .what_if import CONTRACTOR, PROD_DB, check_05

__all__ = [
    "ALICE",
    "APPS",
    "ASKED_ROLE",
    "CONTRACTOR",
    "DEVS",
    "GET",
    "LEGACY",
    "LEGACY_SECRET",
    "NOT_YET",
    "PATHS",
    "PAYMENTS_LEGACY",
    "PAYMENTS_TEAM",
    "PIECES",
    "PROD",
    "PROD_DB",
    "READER_ROLE",
    "REGION",
    "RIGHT",
    "SHARED_CONFIG",
    "TAGGING_REQUESTS",
    "check_00",
    "check_01",
    "check_02",
    "check_03",
    "check_04",
    "check_05",
    "check_06",
    "pieces_world",
    "tagging_request",
    "tagging_statement",
    "tagging_world",
]
