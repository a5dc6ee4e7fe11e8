"""One way to page a list on a page: `page_of(queryset, request)`.

The page number comes from `?page=` (a missing, non-numeric or out-of-range number gives the
first or the last page, never an error); a page costs two queries whatever the list's size
(its count and its slice), so a case page stays constant-time as the case grows. Render the
links with `{% include "cases/_pagination.html" %}` (context `page`, optional `query`).
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 25


def page_of(items: Any, request: HttpRequest, per_page: int = PER_PAGE) -> Page:
    """The requested page of `items` (an ordered QuerySet or a sequence), `per_page` rows."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
