import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from cases.models import Case, CaseKind, CaseOfficer, CaseOrigin, CaseState


class CaseFactory(DjangoModelFactory):
    """A penalty case, ex officio, in investigation, handled by two certified officers of
    its department. `officers=[u1, u2]` picks the officers."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"临科罚立〔{timezone.now().year}〕{n + 1}号")
    kind = CaseKind.PENALTY
    origin = CaseOrigin.EX_OFFICIO
    state = CaseState.INVESTIGATING
    title = factory.Sequence(lambda n: f"某科技公司涉嫌违规案（{n}）")
    summary = "群众反映该公司在科技项目申报中提供虚假材料。"
    department = factory.SubFactory(DepartmentFactory)
    created_by = factory.LazyAttribute(lambda o: UserFactory(department=o.department, roles=[Role.OFFICER]))
    filed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def officers(self, create: bool, extracted: list | None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if not create:
            return
        people = extracted if extracted is not None else [
            self.created_by, UserFactory(department=self.department, roles=[Role.OFFICER])]
        for i, user in enumerate(people):
            CaseOfficer.objects.get_or_create(case=self, officer=user, defaults={"is_lead": i == 0})
