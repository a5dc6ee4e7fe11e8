"""Every opinion becomes a SignOff row (issue: sign-off rows).

- FilingRecord's three column triplets (承办人/承办机构/机关负责人 opinion, by, at) become rows of
  the filing step, round 1; the head's decision becomes the outcome (approved → agree,
  returned → return, not filed → refuse). A head row without a decision keeps "agree" only if
  the case went on to investigation; otherwise it is the decision recorded with the case.
- A return for more investigation (case.return_for_investigation), kept only in audit JSON so
  far, becomes a row of the review step; a later return of the same case opens the next round.

Opinions that were signed without a signer (not possible through the services) are skipped.
Reverse: the rows are removed (the columns come back empty; 0007 reversed restores them).
"""

import json

from django.db import migrations

_OUTCOME = {"approved": "agree", "returned": "return", "not_filed": "refuse"}
_AFTER_FILING = {
    "investigating", "under_review", "pending_decision", "decided", "delivered", "executing", "concluded", "archived",
}


def forwards(apps, schema_editor):
    FilingRecord = apps.get_model("cases", "FilingRecord")
    SignOff = apps.get_model("cases", "SignOff")
    Entry = apps.get_model("audit", "Entry")
    Case = apps.get_model("cases", "Case")
    User = apps.get_model("accounts", "User")
    rows = []
    for f in FilingRecord.objects.select_related("case").iterator():
        for level in ("officer", "unit", "head"):
            opinion = (getattr(f, f"{level}_opinion") or "").strip()
            by_id = getattr(f, f"{level}_opinion_by_id")
            at = getattr(f, f"{level}_opinion_at")
            if not opinion or by_id is None or at is None:
                continue
            outcome = "agree"
            if level == "head":
                outcome = _OUTCOME.get(f.head_decision) or (
                    "agree" if f.case.state in _AFTER_FILING else "refuse" if f.case.state == "not_filed" else "agree"
                )
            rows.append(
                SignOff(case_id=f.case_id, step="filing", round=1, level=level, actor_id=by_id, outcome=outcome,
                        opinion=opinion, signed_at=at)
            )
    # Returns for investigation: audit entries of the case, oldest first; one round each.
    rounds: dict[int, int] = {}
    users = set(User.objects.values_list("pk", flat=True))
    for e in Entry.objects.filter(action="case.return_for_investigation").order_by("seq").iterator():
        try:
            payload = json.loads(e.payload or "{}")
        except ValueError:
            payload = {}
        if not isinstance(payload, dict):
            payload = {}
        opinion = str(payload.get("opinion") or "").strip()
        if not opinion or e.case_id is None or e.actor_id not in users:
            continue
        if not Case.objects.filter(pk=e.case_id).exists():
            continue
        actor = User.objects.get(pk=e.actor_id)
        names = set(actor.groups.values_list("name", flat=True))
        level = "legal" if "法规科" in names else "head"
        rounds[e.case_id] = rounds.get(e.case_id, 0) + 1
        rows.append(
            SignOff(case_id=e.case_id, step="review", round=rounds[e.case_id], level=level, actor_id=e.actor_id,
                    outcome="return", opinion=opinion, signed_at=e.created_at)
        )
    SignOff.objects.bulk_create(rows, batch_size=500)


def backwards(apps, schema_editor):
    apps.get_model("cases", "SignOff").objects.filter(step__in=["filing", "review"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_signoff"),
        ("audit", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
