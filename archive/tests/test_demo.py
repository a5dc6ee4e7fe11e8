"""seed_demo's archive part (archive/demo.py): a sealed case with its Seal (备考表), a scan and an
ingested video, whose bag builds and validates; a concluded case waiting in the archivist's
queue; a concluded case failing a veto that the head lets through (准予归档) and the archivist
then seals; a second run adds nothing. Every identity number in any app's demo data passes the
shared validators."""

import ast
import re
from io import StringIO
from pathlib import Path
from typing import Any

import bagit  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from archive import demo
from archive.export import build_bag
from archive.models import Seal
from archive.quality import case_score
from archive.sealing import review
from archive.views_seal import queue_cases
from avrecords.selectors import details_missing, records_of_case
from cases.models import Attachment, Case, CaseState, Confidentiality, SignOff, SignOffOutcome, SignOffStep
from deadlines.models import Deadline, DeadlineKind
from linke.validators import validate_identity_number

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_a_sealed_case_whose_bag_builds(django_capture_on_commit_callbacks: Any, tmp_path: Path):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the AV pipeline, renders, then sealing
        call_command("seed_demo", stdout=out)
    sealed = Case.objects.get(title=demo.SEALED_CASE)
    assert sealed.state == CaseState.ARCHIVED, out.getvalue()
    seal = Seal.objects.get(case=sealed)
    assert seal.checked_by is not None
    assert seal.description and seal.sealed_by.username == "archivist" and seal.checked_by.username == "reviewer2"
    assert (seal.compiler, seal.checker) == (seal.sealed_by.display_name, seal.checked_by.display_name)
    assert f"档号 {seal.archival_code}" in out.getvalue()
    # Trial defect: the demo's own sealed file was late (逾期归档): sealed within its 30 days.
    period = Deadline.objects.get(case=sealed, kind=DeadlineKind.ARCHIVE_FILE)
    assert period.met_at is not None and period.met_at <= period.due
    (record,) = records_of_case(sealed.pk)
    assert record.original_key and record.duration
    # 第二十六条: the video is described (制作方法、时间、制作人、证明对象): no av.details failure
    assert not details_missing(record) and record.maker == User.objects.get(username="officer")
    assert "av.details" not in [f.code for f in case_score(sealed).failures]
    scan = Attachment.objects.get(case=sealed, original_name="项目申报书扫描件.pdf")
    with scan.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    # Trial defect D11: marked items, so a consultation's per-item treatment can be tried.
    marks = set(
        Attachment.objects.filter(case=sealed).exclude(confidentiality="").values_list("confidentiality", flat=True)
    )
    assert marks == {Confidentiality.TRADE_SECRET, Confidentiality.PRIVACY}
    assert scan.confidentiality == Confidentiality.TRADE_SECRET

    bag = build_bag(sealed, tmp_path / "bag")
    bagit.Bag(str(bag)).validate()
    payload = set(bagit.Bag(str(bag)).payload_files())
    assert any(p.startswith("data/media/") and p.endswith(".mp4") for p in payload)

    waiting = Case.objects.get(title=demo.WAITING_CASE)
    assert waiting.state == CaseState.CONCLUDED
    archivist = User.objects.get(username="archivist")
    assert set(queue_cases(archivist).values_list("pk", flat=True)) >= {sealed.pk, waiting.pk}

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    assert Case.objects.filter(title__in=[demo.SEALED_CASE, demo.WAITING_CASE, demo.VETO_CASE]).count() == 3
    assert Seal.objects.count() == 1

    # The case failing a veto waits in the queue; the head's 准予归档 page takes a reasoned agree
    # (issue 16: the override was never tried in a browser), then the archivist seals it.
    vetoed = Case.objects.get(title=demo.VETO_CASE)
    assert vetoed.state == CaseState.CONCLUDED and vetoed.pk in set(queue_cases(archivist).values_list("pk", flat=True))
    blocked = review(vetoed)
    assert blocked.score.vetoed and not blocked.may_seal
    assert any(b.startswith("否决项：执法人员少于两人") for b in blocked.blockers)
    client = Client()
    client.force_login(archivist)
    seal_url = reverse("archive:seal", args=[vetoed.pk])
    head = User.objects.get(username="head")
    # The 立卷人 is the archivist sealing; the 检查人 who signed the check (here 法规科, below).
    sealing_post = {"action": "seal", "description": "文书齐全，排列有序。"}
    refused = client.post(seal_url, sealing_post, follow=True).content.decode()
    assert "不能归档" in refused and "准予归档" in refused
    client.force_login(head)
    override_url = reverse("archive:override", args=[vetoed.pk])
    page = client.get(override_url).content.decode()
    assert page.count("执法人员少于两人") >= 1 and 'name="opinion"' in page
    client.post(override_url, {"decision": "agree", "opinion": ""})  # no reason: nothing signed
    assert not SignOff.objects.filter(case=vetoed, step=SignOffStep.SEAL_OVERRIDE).exists()
    reason = "经核查，另一名执法人员全程参与调查，系登记遗漏，准予归档。"
    assert client.post(override_url, {"decision": "agree", "opinion": reason}).status_code == 302
    row = SignOff.objects.get(case=vetoed, step=SignOffStep.SEAL_OVERRIDE)
    assert (row.actor, row.outcome, row.opinion) == (head, SignOffOutcome.AGREE, reason)
    client.force_login(User.objects.get(username="reviewer2"))  # the 检查人 checks first (第二十八条)
    check = {"action": "check", "decision": "agree", "opinion": "案卷完整，同意归档。"}
    assert client.get(reverse("archive:volume_pdf", args=[vetoed.pk])).status_code == 200  # reads the file
    assert client.post(seal_url, {**check, "digest": client.get(seal_url).context["digest"]}).status_code == 302
    client.force_login(archivist)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(seal_url, sealing_post).status_code == 302
    vetoed.refresh_from_db()
    assert vetoed.state == CaseState.ARCHIVED
    assert Seal.objects.get(case=vetoed).override == row


# An 18-character token shaped like a 居民身份证号码 or a 统一社会信用代码 (digits and capitals, at
# least six digits), standing alone in a string.
_IDENTITY = re.compile(r"(?<![0-9A-Za-z])(?=(?:[A-Z]*\d){6})[0-9A-Z]{18}(?![0-9A-Za-z])")


def _identity_numbers(source: str) -> set[str]:
    """The identity-number-shaped tokens in a module's string literals."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= set(_IDENTITY.findall(node.value))
    return found


def test_every_identity_number_in_the_demo_data_passes_the_shared_validators():
    """Issue 16 trial 15d: the demo party's credit code failed validate_uscc. Every app's demo
    module and seed_demo: each 居民身份证号码 / 统一社会信用代码 passes the validator the forms use."""
    root = Path(settings.BASE_DIR)
    modules = sorted({*root.glob("*/demo*.py"), *root.glob("*/management/commands/seed_demo.py")})
    assert {p.parent.name for p in modules} >= {"archive", "cases", "delivery", "review", "records"}
    numbers = {(p.relative_to(root).as_posix(), n) for p in modules for n in _identity_numbers(p.read_text())}
    assert ("archive/demo.py", "91371300MA3C4R7K2A") in numbers and len(numbers) >= 8
    bad = []
    for path, number in sorted(numbers):
        try:
            validate_identity_number(number)
        except ValidationError:
            bad.append(f"{path}: {number}")
    assert bad == []
    # The scan sees a bad number where one is written (the defect this test was written for).
    assert _identity_numbers('PARTY = {"id_number": "91371322MA3D9T5H6Q", "cert": "37130020190001"}') == {
        "91371322MA3D9T5H6Q"
    }
