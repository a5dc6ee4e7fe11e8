from typing import Any

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import Q

from linke.validators import validate_phone


class Role(models.TextChoices):
    """The roles of DESIGN.md. Each is a Group whose name is the Chinese label."""

    OFFICER = "officer", "执法人员"
    # 承办机构负责人 (科长): signs 承办机构意见 for the cases of their department (第八条第一款).
    SECTION_CHIEF = "section_chief", "承办机构负责人"
    LEGAL_REVIEWER = "legal_reviewer", "法规科"
    HEAD = "head", "机关负责人"
    ARCHIVIST = "archivist", "档案管理员"
    ADMIN = "admin", "系统管理员"


class Department(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    code = models.CharField("代码", max_length=20, unique=True)

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = "科室"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    # 执法证号: the law-enforcement certificate an officer must hold to handle a case
    # (Administrative Penalty Law art. 42). Unique when set; NULL when the user has none.
    cert_no = models.CharField("执法证号", max_length=32, null=True, blank=True, unique=True)
    department = models.ForeignKey(
        Department, verbose_name="科室", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    phone = models.CharField("联系电话", max_length=32, blank=True, validators=[validate_phone])
    # 《行政处罚法》第五十八条第二款: whoever does 法制审核 for the first time holds the national
    # legal qualification (国家统一法律职业资格). A reviewer who did it before the law's 2021
    # amendment took effect (2021-07-15, from memory: unverified) is not a first-time reviewer.
    # db_default: rows inserted by code that predates the column (older migration states) stay valid.
    legal_qualification_no = models.CharField(
        "法律职业资格证书编号", max_length=32, blank=True, default="", db_default=""
    )
    legal_review_since = models.DateField(
        "开始从事法制审核日期", null=True, blank=True, help_text="2021年7月15日前已从事法制审核的，可不具有法律职业资格"
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # The form turns "" into NULL; this keeps "" out of the unique column anyway.
            models.CheckConstraint(name="user_cert_no_not_blank", condition=~Q(cert_no=""))
        ]

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    def has_role(self, role: Role | str) -> bool:
        label = Role(role).label
        cache = self.__dict__.setdefault("_role_names", None)
        if cache is None:
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("groups")
            if prefetched is not None:  # prefetch_related("groups"): no query per user
                cache = {g.name for g in prefetched}
            else:
                cache = set(self.groups.values_list("name", flat=True))
            self.__dict__["_role_names"] = cache
        return label in cache

    @property
    def role_labels(self) -> list[str]:
        return [r.label for r in Role if self.has_role(r)]

    @property
    def name_and_roles(self) -> str:
        """How pages name a person who acted: '张伟（执法人员）', '王强（机关负责人、法规科）';
        the name alone for someone with no role. Prefetch "groups" when listing many."""
        roles = "、".join(str(label) for label in self.role_labels)
        return f"{self}（{roles}）" if roles else str(self)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.cert_no is not None:
            self.cert_no = self.cert_no.strip() or None
        super().save(*args, **kwargs)


def role_group(role: Role | str) -> Group:
    return Group.objects.get(name=Role(role).label)
