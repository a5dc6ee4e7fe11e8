"""The counters behind every gap-free number series."""

from django.db import models


class Counter(models.Model):
    """Gap-free counters: one row per (scope, year). A number is taken in the same
    transaction as the row that carries it, so a rollback gives the number back and the
    sequence never has holes (案号, 文号)."""

    scope = models.CharField("编号范围", max_length=64)
    year = models.PositiveSmallIntegerField("年度")
    value = models.PositiveIntegerField("已用到", default=0)

    class Meta:
        # The table (and its rows) that documents.Counter created: moved with its data.
        db_table = "documents_counter"
        verbose_name = "编号计数器"
        verbose_name_plural = "编号计数器"
        constraints = [models.UniqueConstraint(fields=["scope", "year"], name="counter_scope_year_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.value}"
