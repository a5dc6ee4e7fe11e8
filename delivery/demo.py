"""Demo cases of 第五章 (run by seed_demo): the execution part's case in court enforcement
(demo_execution)."""

from __future__ import annotations

from typing import Any

from accounts.models import User


def seed(stdout: Any, users: dict[str, User]) -> None:
    """Nothing before the other apps' seeds: the cases are made in `finish`."""


def finish(stdout: Any, users: dict[str, User]) -> None:
    from .demo_execution import finish as execution_finish

    execution_finish(stdout, users)
