"""第二十八条 in the browser, end to end: the archivist opens the queue (/archive/) and sees a
concluded case with its quality score and failing rules; where a veto item blocks it, the head
signs 准予归档 first; the archivist opens the review page, retitles and moves an item (the
arrangement); the 检查人 (法规科) opens the file from the case page, reads the volume and signs
the 检查意见; the archivist fills the 备考表 (the 检查人 is who checked) and seals; the 备考表
names the checker and the check date; the case page shows 已归档 and the 档号; the archivist
exports the archival package (a real Celery worker builds it while the page polls its
progress), downloads the tar, and the bag inside validates with the bagit library."""

import tarfile
from pathlib import Path
from typing import Any

import bagit  # type: ignore[import-untyped]
import pytest

from archive import sealing
from archive.models import ExportJob, ExportStatus, ItemArrangement, Seal
from cases.models import Attachment, CaseState

from .factories_export import concluded_case_with_records

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_TITLE = "现场检查照片（执法现场）"


def test_archivist_reviews_arranges_seals_and_exports_the_bag(
    request: Any, live_server: Any, login: Any, head: Any, archivist: Any, reviewer: Any, tmp_path: Path
) -> None:
    case = concluded_case_with_records(head, tmp_path)  # built with tasks run eagerly
    worker = request.getfixturevalue("celery_worker")  # from here on, tasks go to a real worker
    base = live_server.url
    review = sealing.review(case)

    # The queue: the concluded case with its score and each failing rule.
    page = login(archivist)
    page.goto(f"{base}/archive/")
    row = page.locator(f"#archive-queue tr[data-case='{case.pk}']")
    shown = row.inner_text()
    assert case.get_state_display() in shown
    assert str(review.score.score) in shown
    assert review.score.failures, "the built case is expected to fail some rule"
    for failure in review.score.failures:
        assert failure.message in shown

    if not review.may_seal:  # a veto item or a gap: the head's 准予归档 first
        page.click("button:has-text('退出')")
        page = login(head)
        page.goto(f"{base}/archive/case/{case.pk}/override/")
        page.check("input[name=decision][value=agree]")
        page.fill("#id_opinion", "经复核，准予归档。")
        page.click("button[type=submit]:has-text('签署')")
        assert "意见已签署" in page.inner_text(".messages")
        page.click("button:has-text('退出')")
        page = login(archivist)
        page.goto(f"{base}/archive/")

    # The review page: move the photo to the front of its volume and retitle it.
    row.locator("text=审查并归档").click()
    page.wait_for_load_state("networkidle")
    photo = Attachment.objects.get(case=case, original_name="现场照片.jpg")
    key = page.locator(f"#items input[type=hidden][value='att:{photo.pk}']")
    n = key.get_attribute("name").removeprefix("key_")
    page.fill(f"#items input[name=title_{n}]", NEW_TITLE)
    page.fill(f"#items input[name=position_{n}]", "0")
    page.click("#items button[type=submit]")
    assert "卷内排列与题名已保存" in page.inner_text(".messages")
    arranged = ItemArrangement.objects.get(case=case, key=f"att:{photo.pk}")
    assert arranged.title == NEW_TITLE and arranged.position == 0
    titles = [t.input_value() for t in page.locator("#items input[name^=title_]").all()]
    assert NEW_TITLE in titles
    volume = page.locator("#items tbody tr", has=page.locator(f"input[value='{NEW_TITLE}']")).locator("td").nth(1)
    first_of_volume = page.locator("#items tbody tr", has_text=volume.inner_text()).first
    assert first_of_volume.locator(f"input[value='{NEW_TITLE}']").count() == 1

    # Nobody has checked the file yet: the seal button waits for the 检查人.
    assert "待检查" in page.inner_text("#check-status")
    assert page.locator("#seal-form button[type=submit]").is_disabled()
    page.click("button:has-text('退出')")

    # The 检查人 (法规科) opens the file from the case page, reads the volume and signs.
    page = login(reviewer)
    page.goto(f"{base}/cases/{case.pk}/s/archive/")
    page.click("text=检查案卷")
    page.wait_for_load_state("networkidle")
    assert NEW_TITLE in page.inner_text("#items")  # the arrangement the archivist made
    volume_pdf = page.request.get(f"{base}/archive/case/{case.pk}/volume.pdf")
    assert volume_pdf.ok and volume_pdf.body().startswith(b"%PDF")
    page.check("input[name=decision][value=agree]")
    page.fill("#id_opinion", "案卷材料齐全，排列有序，同意归档。")
    page.click("#check-form button[type=submit]")
    assert "检查意见已签署" in page.inner_text(".messages")
    assert "已检查" in page.inner_text("#check-status")
    page.click("button:has-text('退出')")

    # The 备考表 and 归档.
    page = login(archivist)
    page.goto(f"{base}/archive/case/{case.pk}/seal/")
    assert reviewer.display_name in page.inner_text("#checker")  # the 检查人: who checked, not a choice
    page.fill("#id_description", "案卷材料齐全，排列有序。")
    assert page.inner_text("#compiler") == archivist.display_name  # the 立卷人: the archivist sealing
    page.click("#seal-form button[type=submit]")
    assert "案卷已归档，档号" in page.inner_text(".messages")
    seal = Seal.objects.get(case=case)
    case.refresh_from_db()
    assert case.state == CaseState.ARCHIVED
    assert (seal.sealed_by, seal.checked_by) == (archivist, reviewer)
    assert (seal.compiler, seal.checker) == (archivist.display_name, reviewer.display_name)
    assert page.inner_text("#archival-code") == seal.archival_code

    # The case page's 归档与评查 section.
    page.goto(f"{base}/cases/{case.pk}/s/archive/")
    shown = page.inner_text("body")
    assert "已归档" in shown and seal.archival_code in shown

    # The export: started from the sealed file's page, built by the worker, progress polled.
    page.click("text=导出归档包")
    page.click("form button[type=submit]:has-text('导出归档包')")
    assert "已开始导出电子案卷" in page.inner_text(".messages")
    link = page.locator(".export-status .export-download")
    try:
        link.wait_for(state="visible", timeout=120_000)
    except Exception:
        job = ExportJob.objects.get(case=case)
        raise AssertionError(f"{job.status} {job.message}\n{worker.output()[-3000:]}") from None
    assert page.inner_text(".export-status .export-label").startswith("已完成（100%）")
    assert ExportJob.objects.get(case=case).status == ExportStatus.DONE
    with page.expect_download() as info:
        link.click()
    tar_path = tmp_path / "bag.tar"
    info.value.save_as(tar_path)

    with tarfile.open(tar_path) as tar:
        tar.extractall(tmp_path / "out", filter="data")
    (bag_dir,) = [p.parent for p in (tmp_path / "out").rglob("bagit.txt")]
    bag = bagit.Bag(str(bag_dir))
    bag.validate()  # raises BagValidationError on a missing, extra or changed file
    assert bag.info["External-Identifier"] == seal.archival_code  # the 档号
    payload = set(bag.payload_files())
    assert "data/volume/volume.pdf" in payload
    assert any(p.startswith("data/media/") and p.endswith(".mp4") for p in payload)
