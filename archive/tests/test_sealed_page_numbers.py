"""页号 from the stored sealed volume (第二十八条): a sealed case's seal page numbers its 卷内目录
from the stored volume's item marks — no recorded row rendered, no item opened — and shows the
same 页号 as counting them would; a stored volume that will not open is counted instead. A page
counted by rendering is not rendered again by the next render of it (the export of a volume
stored before the marks: test_export_digests)."""

import io

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse
from pypdf import PdfReader

from archive import record_pages, sealing, volume
from archive.models import SealedVolume

from .test_sealed_volume import stored_case  # noqa: F401

pytestmark = pytest.mark.django_db


def _counted(case) -> list[tuple[int, int]]:
    """(pages, first page) of each item as counting them numbers it (archive.volume.paginate)."""
    cf = sealing.assemble(case)
    assert volume.paginate(cf) == []
    return [(i.pages, i.start_page) for i in cf.items]


def _refuse(*args, **kwargs):
    raise AssertionError("rendered or opened")


def fresh_count_cache(monkeypatch) -> None:
    """No page count remembered: counting a recorded row renders it."""
    monkeypatch.setattr(record_pages, "cache", LocMemCache("record-pages-test", {}))


def count_renders(monkeypatch) -> list[int]:
    """Count the recorded rows' PDF renderings (WeasyPrint, documents.rendering.render_pdf)."""
    calls: list[int] = []
    real = record_pages.render_pdf

    def counting(html):
        calls.append(1)
        return real(html)

    monkeypatch.setattr(record_pages, "render_pdf", counting)
    return calls


def test_a_sealed_cases_catalogue_has_the_stored_volumes_page_numbers_without_rendering(
    client, archivist, stored_case, monkeypatch
):
    expected = _counted(stored_case)
    fresh_count_cache(monkeypatch)
    for module, name in ((record_pages, "render_pdf"), (record_pages, "render"), (volume, "_spool")):
        monkeypatch.setattr(module, name, _refuse)
    client.force_login(archivist)
    resp = client.get(reverse("archive:seal", args=[stored_case.pk]))
    assert resp.status_code == 200 and resp.context["unreadable"] == []
    items = [row["item"] for row in resp.context["catalogue"]]
    assert [(i.pages, i.start_page) for i in items] == expected
    assert any(i.record is not None and i.pages for i in items) and sum(p for p, _ in expected) > 0
    html = resp.content.decode()
    for item in items:
        if item.pages:
            assert f'<td class="page-range">{item.page_range}</td>' in html


def test_a_stored_volume_that_will_not_open_is_counted_instead(client, archivist, stored_case):
    expected = _counted(stored_case)
    SealedVolume.objects.filter(case=stored_case).update(pdf="archive/volumes/00/missing.pdf")
    client.force_login(archivist)
    resp = client.get(reverse("archive:seal", args=[stored_case.pk]))
    assert resp.status_code == 200 and resp.context["unreadable"] == []
    assert [(r["item"].pages, r["item"].start_page) for r in resp.context["catalogue"]] == expected


def test_a_page_counted_by_rendering_is_not_rendered_again_unless_it_changed(stored_case, monkeypatch):
    fresh_count_cache(monkeypatch)
    renders = count_renders(monkeypatch)
    page = next(i.record for i in sealing.assemble(stored_case).items if i.record is not None)
    pages = record_pages.page_count(page, stored_case)
    pdf = record_pages.render(page, stored_case)
    assert len(renders) == 1 and len(PdfReader(io.BytesIO(pdf)).pages) == pages
    record_pages.render(page, stored_case)
    assert len(renders) == 2  # kept for one render only
    record_pages.page_count(page, stored_case)  # remembered: not rendered, nothing kept
    page.title += "（更正）"
    record_pages.page_count(page, stored_case)  # another HTML: rendered and kept
    page.title += "（再更正）"
    record_pages.render(page, stored_case)  # not the kept one: rendered
    assert len(renders) == 4 and page.kept is None
