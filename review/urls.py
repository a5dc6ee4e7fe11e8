from django.urls import path

from . import views, views_defence, views_legal, views_publication

app_name = "review"
urlpatterns = [
    # Core: the approval queues, 第十三条 sign-offs, the decision (第十六条) and its draft.
    path("queue/", views.queue, name="queue"),
    path("case/<int:pk>/take/", views.claim_take, name="take"),
    path("case/<int:pk>/release/", views.claim_release, name="release"),
    path("case/<int:pk>/reassign/", views.claim_reassign, name="reassign"),
    path("case/<int:pk>/sign/", views.sign, name="sign"),
    path("case/<int:pk>/decide/", views.decide, name="decide"),
    path("case/<int:pk>/decision/", views.decision_edit, name="decision"),
    # Legal review, expert argumentation, collective discussion, periods, publication.
    path("case/<int:case_id>/sheet/", views_legal.sheet_edit, name="sheet"),
    path("case/<int:case_id>/legal-review/", views_legal.legal_review_new, name="legal_review"),
    path("case/<int:case_id>/experts/", views_legal.expert_opinion_new, name="expert_opinion"),
    path("case/<int:case_id>/discussion/", views_legal.discussion_new, name="discussion"),
    path("case/<int:case_id>/period/extend/", views_legal.period_extend, name="period_extend"),
    path("case/<int:case_id>/period/exclude/", views_legal.period_exclude_new, name="period_exclude"),
    path("case/<int:case_id>/publish/", views_publication.publish, name="publish"),
    path("case/<int:case_id>/decision-change/", views_publication.decision_change_new, name="decision_change"),
    path("case/<int:case_id>/publication/<int:pk>/withdraw/", views_publication.withdraw, name="withdraw"),
    # 第十四、十五条: notice, statement and defence, hearing.
    path("case/<int:case_id>/defence/", views_defence.defence_page, name="defence"),
    path("case/<int:case_id>/defence/<str:key>/", views_defence.defence_act, name="defence_act"),
]
