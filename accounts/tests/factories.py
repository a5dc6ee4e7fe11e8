import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from accounts.models import Department, Role, User

PASSWORD = "linke-Test-2026"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"执法{n}科")


class UserFactory(DjangoModelFactory):
    """A user with a usable password (PASSWORD). `roles=[Role.OFFICER, ...]` puts the user
    in those role groups; officers get a 执法证号 unless one is given."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Iterator(["张", "王", "李", "赵", "陈"])
    first_name = factory.Sequence(lambda n: f"执法{n}")
    department = factory.SubFactory(DepartmentFactory)
    cert_no = None
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self: User, create: bool, extracted: list | None, **kwargs) -> None:
        if not extracted:
            self.save()
            return
        for role in extracted:
            group, _ = Group.objects.get_or_create(name=Role(role).label)
            self.groups.add(group)
        if Role.OFFICER in extracted and not self.cert_no:
            self.cert_no = f"37130{self.pk:06d}"
        self.__dict__.pop("_role_names", None)
        self.save()
