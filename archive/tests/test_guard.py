"""Read-only after sealing (第二十八条): one guard for every record of a sealed case — services,
views and the admin — with a declared exemption list; every model with a path to Case is
walked so a new model cannot escape."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from archive import guard
from archive.tests.test_sealing import sealed_case
from cases import policy, services
from cases.models import Attachment, Party, SignOffOutcome, SignOffStep
from cases.stages import TransitionError

pytestmark = pytest.mark.django_db

# The declared exemptions (archive.guard): changing this list is a decision, so it is spelled out.
EXEMPT = {
    "deadlines.deadline",
    "deadlines.deadline_responsible",
    "deadlines.notification",
    "avrecords.fixitycheck",
    "archive.addendum",
    # The archive's own bookkeeping after sealing (guard: every archive model but Seal and
    # ItemArrangement); the stored volume is written once per version by the task.
    "archive.exportjob",
    "archive.casescore",
    "archive.consultationrequest",
    "archive.consultationitem",
    "archive.consultationaccess",
    "archive.sealedvolume",
}


def test_every_model_with_a_path_to_case_is_guarded_or_declared_exempt():
    with_path = {m for m in apps.get_models(include_auto_created=True) if guard.path_to_case(m) is not None}
    assert set(guard.guarded_models()) == with_path
    exempt = {m._meta.label_lower for m in with_path if guard.is_exempt(m)}
    assert exempt == EXEMPT
    # The walk finds the records of every stage app, through m2m tables and nested rows too.
    labels = {m._meta.label_lower for m in with_path}
    for label in ("cases.case", "cases.party", "records.record_officers", "review.defencepoint", "documents.document"):
        assert label in labels
    assert guard.guarded_models()[apps.get_model("review", "DefencePoint")] == "defence__notice__case"


def test_every_stored_row_of_a_sealed_case_refuses_save_and_delete(head, archivist):
    case = sealed_case(head, archivist)
    tried = []
    for model, path in guard.guarded_models().items():
        if guard.is_exempt(model) or model._meta.auto_created:
            continue
        rows = model._base_manager.filter(**({path: case} if path else {"pk": case.pk}))[:3]
        for row in rows:
            if guard.is_exempt(model, row):  # an ADDENDUM / CONSULTATION sign-off
                continue
            before = model._base_manager.filter(pk=row.pk).values().get()
            # The receivers themselves (a model's own save() may refuse earlier, e.g. a final
            # document), then the real save and delete.
            with pytest.raises(guard.CaseSealed):
                guard._on_save(model, row)
            with pytest.raises(guard.CaseSealed):
                guard._on_delete(model, row)
            with pytest.raises(Exception), transaction.atomic():  # noqa: B017
                row.save()
            with pytest.raises(Exception), transaction.atomic():  # noqa: B017
                row.delete()
            assert model._base_manager.filter(pk=row.pk).values().get() == before
            tried.append(model._meta.label)
    # The case and the records of every stage that made some.
    for label in (
        "cases.Case",
        "cases.Party",
        "cases.SignOff",
        "documents.Document",
        "review.Decision",
        "delivery.Conclusion",
        "archive.Seal",
    ):
        assert label in tried, label


def test_m2m_changes_and_new_rows_on_a_sealed_case_are_refused(head, archivist, officer):
    case = sealed_case(head, archivist)
    with pytest.raises(guard.CaseSealed), transaction.atomic():
        case.officers.add(officer)
    party = case.parties.first()
    with pytest.raises(guard.CaseSealed), transaction.atomic():
        Party.objects.create(case=case, kind=party.kind, name="新增当事人", created_by=officer)
    assert case.parties.count() == 1


def test_a_service_is_refused_on_a_sealed_case(head, archivist):
    case = sealed_case(head, archivist)
    officer = case.created_by
    with pytest.raises(TransitionError):
        services.attachment_add(
            case=case, file=SimpleUploadedFile("补充.pdf", b"%PDF-1.4 x", content_type="application/pdf"), by=officer
        )
    assert not Attachment.objects.filter(case=case, original_name="补充.pdf").exists()


def test_may_write_is_false_on_a_sealed_case(head, archivist):
    case = sealed_case(head, archivist)
    assert not policy.may_write(case.created_by, case)


def test_a_view_post_is_refused_with_a_message_and_the_row_unchanged(client, head, archivist):
    case = sealed_case(head, archivist)
    count = Attachment.objects.filter(case=case).count()
    client.force_login(case.created_by)
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.4 x", content_type="application/pdf"), "description": "补"},
    )
    assert resp.status_code in (200, 400, 403, 409)
    assert "已归档" in resp.content.decode()
    assert Attachment.objects.filter(case=case).count() == count


def test_the_middleware_turns_an_escaped_refusal_into_a_409_page(rf: RequestFactory, archivist):
    request = rf.post("/x")
    request.user = archivist
    mw = guard.SealedMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    resp = mw.process_exception(request, guard.CaseSealed())
    assert resp is not None
    assert resp.status_code == 409 and guard.MESSAGE in resp.content.decode()
    assert mw.process_exception(request, ValueError()) is None


_PERMS = ("has_change_permission", "has_delete_permission", "has_add_permission")


@pytest.fixture
def changeable_party_admin(monkeypatch):
    """The registered PartyAdmin (its URLs are bound to this instance) made changeable like a
    plain ModelAdmin, then wrapped by the guard as install() does: the guard must not rely on
    the admins being ReadOnlyAdmin already."""
    ma = admin.site._registry[Party]
    for name in _PERMS:
        monkeypatch.delattr(ma, name)  # the guard's wrappers (instance attributes)
        monkeypatch.setattr(type(ma), name, getattr(admin.ModelAdmin, name))
    monkeypatch.setattr(ma, "_sealed_guard", False)
    monkeypatch.setattr(ma, "fields", ["name", "phone"])
    monkeypatch.setattr(ma, "readonly_fields", [])
    wrapped = guard.wrap_admin_site()
    yield ma, wrapped
    for name in _PERMS:
        ma.__dict__.pop(name, None)
    # monkeypatch puts back the class methods, the original wrappers and the flag.


def test_the_admin_shows_a_sealed_record_read_only_and_refuses_a_post(
    client, admin_user, head, archivist, changeable_party_admin
):
    ma, wrapped = changeable_party_admin
    assert ma in wrapped
    case = sealed_case(head, archivist)
    party = case.parties.first()
    client.force_login(admin_user)
    url = reverse("admin:cases_party_change", args=[party.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    resp = client.post(url, {"name": "改名", "phone": party.phone})
    assert resp.status_code == 403
    party.refresh_from_db()
    assert party.name != "改名"
    assert client.post(reverse("admin:cases_party_delete", args=[party.pk]), {"post": "yes"}).status_code == 403
    assert Party.objects.filter(pk=party.pk).exists()


def test_the_admin_still_changes_the_rows_of_an_open_case(client, admin_user, changeable_party_admin):
    from cases.tests.factories import CaseFactory

    case = CaseFactory()
    party = case.parties.first() or Party.objects.create(
        case=case, kind="person", name="张三", created_by=case.created_by
    )
    client.force_login(admin_user)
    resp = client.post(reverse("admin:cases_party_change", args=[party.pk]), {"name": "改名", "phone": party.phone})
    assert resp.status_code == 302, resp.content.decode()[:3000]
    party.refresh_from_db()
    assert party.name == "改名"


def test_addendum_and_consultation_signoffs_are_exempt(head, archivist):
    case = sealed_case(head, archivist)
    row = case.signoffs.first()
    row.step, row.outcome = SignOffStep.ADDENDUM, SignOffOutcome.AGREE
    assert guard.is_exempt(type(row), row)
    row.step = SignOffStep.DECISION if hasattr(SignOffStep, "DECISION") else SignOffStep.CONCLUSION
    assert not guard.is_exempt(type(row), row)


def test_publication_and_a_later_revocation_go_on_after_sealing_and_nothing_else(head, archivist):
    # 《行政处罚法》第四十八条第二款: a decision revoked after the file is sealed (a reconsideration,
    # a court) is recorded and its publication withdrawn; the published copy itself stays as it was.
    from review.models import Decision, DecisionChangeKind, DecisionOutcome
    from review.publication import decision_change_record, publication_publish, publication_withdraw
    from review.tests.legal_helpers import qualified_reviewer

    case = sealed_case(head, archivist)
    # The shared concluded case was not penalised (不予处罚 is not published): a penalty decision
    # instead, set below the guard as a fixture (QuerySet.update sends no signal).
    Decision.objects.filter(case=case).update(outcome=DecisionOutcome.PENALTY)
    reviewer = qualified_reviewer()
    pub = publication_publish(case_id=case.pk, by=reviewer)
    change = decision_change_record(
        case_id=case.pk, by=head, kind=DecisionChangeKind.REVOKED, reason="临沂市人民政府行政复议决定书撤销"
    )
    pub = publication_withdraw(publication_id=pub.pk, by=reviewer, reason="决定已被复议机关撤销")
    pub.refresh_from_db()
    assert pub.withdrawn_at is not None and pub.withdrawn_by == reviewer
    pub.facts = "改写的事实"
    with pytest.raises(guard.CaseSealed), transaction.atomic():
        pub.save()
    with pytest.raises(guard.CaseSealed), transaction.atomic():
        pub.delete()
    change.reason = "改写的理由"
    with pytest.raises(guard.CaseSealed), transaction.atomic():
        change.save()
