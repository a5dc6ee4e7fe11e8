"""第五章 on the case checklist (the delivery part is added by part A)."""

from .requirements_execution import *  # noqa: F403
