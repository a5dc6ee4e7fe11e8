"""What 第四章 asks a case to record before it leaves review and decision (review/requirements_*.py
register their lines on import)."""

from . import requirements_legal  # noqa: F401
