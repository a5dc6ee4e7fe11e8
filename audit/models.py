"""The append-only, hash-chained audit trail (第三条 实时留痕, 第四条 可追溯).

Each Entry's hash is sha256(prev_hash ‖ canonical JSON of the entry). The canonical JSON
is the array [seq, created_at, actor_id, actor_name, action, case_id, object_type,
object_id, data], compact and with sorted keys inside `data`, so anyone with the rows
(or an exported case file) can recompute it. `payload` holds `data` as that canonical
text, byte for byte, so verification never re-encodes it.

The database refuses UPDATE and DELETE on the table (trigger in migration 0002).
"""

import json
from typing import Any

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class Entry(models.Model):
    seq = models.BigIntegerField("序号", primary_key=True)
    created_at = models.DateTimeField("时间", db_index=True)
    # PROTECT: a user who acted is never deleted (deactivate instead); the name is kept
    # as written at the time either way.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=True,
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    # A plain column, not a foreign key: the trail sits below every other app and must
    # outlive any row it mentions.
    case_id = models.BigIntegerField("案件ID", null=True, blank=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    payload = models.TextField("内容", default="{}")
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["seq"]
        indexes = [
            # The case timeline: a case's entries in order.
            models.Index(fields=["case_id", "seq"], name="audit_entry_case_seq"),
            models.Index(fields=["object_type", "object_id"], name="audit_entry_object"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.payload)


class Checkpoint(models.Model):
    """A signed statement that entries 1..seq verified and that entry seq has `hash`.

    The signature (Ed25519) covers `message`, so an exported case file can carry it and a
    third party holding the public key can check it without the database.
    """

    seq = models.BigIntegerField("截至序号", unique=True)
    hash = models.CharField("截至哈希", max_length=64)
    entries_verified = models.BigIntegerField("本次核验条数")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    key_id = models.CharField("公钥指纹", max_length=64)
    signature = models.CharField("签名", max_length=128)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"检查点 #{self.seq}"

    @property
    def message(self) -> bytes:
        return checkpoint_message(self.seq, self.hash)


def checkpoint_message(seq: int, hash_hex: str) -> bytes:
    return f"linke-audit-checkpoint:{seq}:{hash_hex}".encode()
