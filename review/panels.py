"""Review's panels on the case page (cases.panels)."""

from . import panels_defence  # noqa: F401
