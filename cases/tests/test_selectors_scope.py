import pytest

from accounts.models import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from cases import selectors
from cases.selectors import cases_visible_to
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("inline_limit", [5000, 1])
def test_officer_sees_department_cases_and_every_case_they_handle_elsewhere(
    officer, officer2, monkeypatch, inline_limit
):
    monkeypatch.setattr(selectors, "_ELSEWHERE_INLINE", inline_limit)
    other = DepartmentFactory(code="QT", name="其他科")
    colleague = UserFactory(department=other, roles=[Role.OFFICER])
    own = CaseFactory(department=officer.department, officers=[officer2, UserFactory(roles=[Role.OFFICER])])
    elsewhere = [CaseFactory(department=other, officers=[officer, colleague]) for _ in range(3)]
    hidden = CaseFactory(department=other, officers=[colleague, UserFactory(roles=[Role.OFFICER])])

    visible = set(cases_visible_to(officer).values_list("pk", flat=True))

    assert visible == {own.pk, *(c.pk for c in elsewhere)}
    assert hidden.pk not in visible
