"""What 第四章 asks to be recorded (cases.requirements gathers it on the checklist)."""

from .requirements_defence import *  # noqa: F403
