"""The archive's transition, 归档 (已结案 → 已归档, 第二十八条): declared and run in archive.sealing
(cases.stages wants advance() called where the transition is declared); imported here for the
AppConfig and for readers who look for a stage app's actions module."""

from .sealing import SEAL

__all__ = ["SEAL"]
