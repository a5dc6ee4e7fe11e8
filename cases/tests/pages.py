"""The case page in tests: it is split into sections (tabs, issue 17), each its own URL."""

from typing import Any

from cases.panels import SECTIONS, section_url


def section_html(client: Any, case: Any, section: str) -> str:
    """One section of the case page as the logged-in client sees it (asserting 200)."""
    resp = client.get(section_url(case.pk, section))
    assert resp.status_code == 200, (section, resp.status_code)
    return resp.content.decode()


def case_page_html(client: Any, case: Any) -> str:
    """Every section of the case page, one after the other: all the page offers."""
    return "".join(section_html(client, case, key) for key in SECTIONS)
