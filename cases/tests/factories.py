from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from cases.models import (
    Application,
    ApplicationForm,
    Case,
    CaseKind,
    CaseOfficer,
    CaseOrigin,
    CaseSource,
    CaseState,
    Complaint,
    ComplaintChannel,
    FilingRecord,
    Level,
    Party,
    PartyKind,
    SignOff,
    SignOffOutcome,
    SignOffStep,
)


class CaseFactory(DjangoModelFactory):
    """A penalty case, ex officio, in investigation, handled by two certified officers of
    its department. `officers=[u1, u2]` picks the officers."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    registration_number = factory.Sequence(lambda n: f"临科登〔{timezone.now().year}〕{n + 1}号")
    # The 案号 exists once the case is filed (立案号) or accepted (受理号).
    number = factory.LazyAttributeSequence(
        lambda o, n: (
            (f"临科{'罚立' if o.kind == CaseKind.PENALTY else '许受'}〔{timezone.now().year}〕{n + 1}号")
            if o.filed_at
            else None
        )
    )
    kind = CaseKind.PENALTY
    origin = CaseOrigin.EX_OFFICIO
    state = CaseState.INVESTIGATING
    title = factory.Sequence(lambda n: f"某科技公司涉嫌违规案（{n}）")
    summary = "群众反映该公司在科技项目申报中提供虚假材料。"
    department = factory.SubFactory(DepartmentFactory)
    created_by = factory.LazyAttribute(lambda o: UserFactory(department=o.department, roles=[Role.OFFICER]))
    filed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def officers(self, create: bool, extracted: list | None, **kwargs) -> None:
        if not create:
            return
        people = (
            extracted
            if extracted is not None
            else [self.created_by, UserFactory(department=self.department, roles=[Role.OFFICER])]
        )
        for i, user in enumerate(people):
            CaseOfficer.objects.get_or_create(
                case=self, officer=user, defaults={"is_lead": i == 0, "cert_no": user.cert_no or ""}
            )

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        # A case made already sealed (已归档): its rows are read-only (archive.guard), so it is
        # made concluded, given its officers, and sealed last (_after_postgeneration).
        sealed = kwargs.get("state") == CaseState.ARCHIVED
        if sealed:
            kwargs["state"] = CaseState.CONCLUDED
        obj = super()._create(model_class, *args, **kwargs)
        obj._factory_seal = sealed
        return obj

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        super()._after_postgeneration(instance, create, results)
        if create and getattr(instance, "_factory_seal", False):
            Case.objects.filter(pk=instance.pk).update(state=CaseState.ARCHIVED)
            instance.state = CaseState.ARCHIVED


class PartyFactory(DjangoModelFactory):
    class Meta:
        model = Party

    case = factory.SubFactory(CaseFactory)
    kind = PartyKind.ORGANISATION
    name = factory.Sequence(lambda n: f"临沂市某某科技有限公司{n}")
    # A valid 统一社会信用代码 shape; the check digit is not verified by the model.
    id_number = factory.Sequence(lambda n: f"91371300MA3C{n:05d}X"[:18])
    legal_rep = "王建国"
    address = "山东省临沂市兰山区某某路1号"
    phone = "0539-8888888"
    created_by = factory.LazyAttribute(lambda o: o.case.created_by)


class FilingRecordFactory(DjangoModelFactory):
    """A complete 第八条第一款 filing form, up to the unit's opinion (the head's is the approval)."""

    class Meta:
        model = FilingRecord

    case = factory.SubFactory(CaseFactory, state=CaseState.REGISTERED, filed_at=None)
    cause = "日常监督检查中发现当事人涉嫌提供虚假申报材料。"
    source = CaseSource.INSPECTION

    @factory.post_generation
    def opinions(obj, create, extracted, **kwargs):
        """The 承办人 and 承办机构 sign-offs (pass opinions=False for none)."""
        if not create or extracted is False:
            return
        case = obj.case
        SignOffFactory(case=case, level=Level.OFFICER, actor=case.created_by, opinion="建议立案调查。")
        chief = UserFactory(department=case.department, roles=[Role.SECTION_CHIEF])
        SignOffFactory(case=case, level=Level.UNIT, actor=chief, opinion="同意立案调查，报局领导审批。")


class SignOffFactory(DjangoModelFactory):
    class Meta:
        model = SignOff

    case = factory.SubFactory(CaseFactory)
    step = SignOffStep.FILING
    level = Level.OFFICER
    actor = factory.LazyAttribute(lambda o: o.case.created_by)
    outcome = SignOffOutcome.AGREE
    opinion = "同意。"


class ComplaintFactory(DjangoModelFactory):
    class Meta:
        model = Complaint

    case = factory.SubFactory(CaseFactory, origin=CaseOrigin.COMPLAINT, state=CaseState.REGISTERED, filed_at=None)
    anonymous = False
    complainant_name = "赵先生"
    complainant_phone = "13800000000"
    channel = ComplaintChannel.PHONE
    received_at = factory.LazyFunction(timezone.now)
    content = "举报某公司伪造科技成果登记材料。"
    recorded_by = factory.LazyAttribute(lambda o: o.case.created_by)


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application

    case = factory.SubFactory(
        CaseFactory,
        kind=CaseKind.LICENSING,
        origin=CaseOrigin.APPLICATION,
        state=CaseState.APPLIED,
        filed_at=None,
    )
    form = ApplicationForm.WRITTEN
    received_at = factory.LazyFunction(timezone.now)
    matter = "技术合同认定登记"
    materials = "技术合同登记申请表、技术合同文本"
    recorded_by = factory.LazyAttribute(lambda o: o.case.created_by)


def party_data(**overrides: object) -> dict:
    """Keyword arguments of a party for the registration services."""
    data: dict[str, object] = {
        "kind": PartyKind.ORGANISATION,
        "name": "临沂某某新材料有限公司",
        "id_number": "91371300MA3C8XY012",
        "legal_rep": "王建国",
        "address": "山东省临沂市兰山区涑河北街1号",
        "phone": "0539-8123456",
    }
    data.update(overrides)
    return data
