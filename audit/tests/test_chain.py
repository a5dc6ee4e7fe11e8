import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

import audit
from audit.models import GENESIS_HASH, Entry
from audit.services import verify_chain

pytestmark = pytest.mark.django_db


def _append(n: int, actor=None) -> list[Entry]:
    return [audit.record(None, "admin.other", actor=actor, n=i, text="执法记录") for i in range(n)]


def test_entries_chain_from_genesis(officer):
    first, second = _append(2, actor=officer)
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.actor == officer and "officer1" in second.actor_name
    assert second.data == {"n": 1, "text": "执法记录"}
    result = verify_chain()
    assert result.ok and result.verified == 2 and result.last_hash == second.hash


def test_update_and_delete_are_refused_by_the_database():
    _append(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(seq=1).update(action="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.filter(seq=1).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_entry SET payload = '{}' WHERE seq = 1")
    assert Entry.objects.get(seq=1).action == "admin.other"


def _tamper(sql: str, params: list) -> None:
    # What a database superuser could do: switch triggers off for the session.
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(sql, params)
        cur.execute("SET session_replication_role = origin")


def test_verify_audit_names_the_tampered_entry():
    _append(5)
    _tamper("UPDATE audit_entry SET payload = %s WHERE seq = %s", ['{"n":99,"text":"执法记录"}', 3])

    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit", stdout=out)
    assert "#3" in str(exc.value) and "篡改" in str(exc.value)
    result = verify_chain()
    assert not result.ok and result.bad_seq == 3 and result.verified == 2


def test_verify_audit_detects_a_deleted_entry():
    _append(4)
    _tamper("DELETE FROM audit_entry WHERE seq = %s", [2])
    result = verify_chain()
    assert not result.ok and result.bad_seq == 2 and "缺失" in result.reason


def test_verify_audit_detects_a_rewritten_tail():
    # Rewriting an entry and recomputing its own hash still breaks the link to the next one.
    entries = _append(3)
    from audit.chain import entry_hash, format_time

    e = entries[1]
    new_hash = entry_hash(
        e.prev_hash,
        e.seq,
        format_time(e.created_at),
        None,
        e.actor_name,
        "forged",
        e.case_id,
        e.object_type,
        e.object_id,
        e.payload,
    )
    _tamper("UPDATE audit_entry SET action = 'forged', hash = %s WHERE seq = 2", [new_hash])
    result = verify_chain()
    assert not result.ok and result.bad_seq == 3


def test_verify_audit_passes_and_counts():
    _append(7)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "已核验 7 条" in out.getvalue()


def test_canonical_entry_is_plain_json_so_anyone_can_recompute_it(officer):
    # The documented form: sha256(prev_hash + json.dumps([...], ensure_ascii=False, compact)).
    import hashlib
    import json

    from audit.chain import format_time

    e = audit.record(None, "admin.other", actor=officer, text='引号" 反斜杠\\ 换行\n', n=1)
    header = [e.seq, format_time(e.created_at), officer.pk, e.actor_name, e.action, None, "", ""]
    doc = json.dumps([*header, json.loads(e.payload)], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    assert hashlib.sha256((e.prev_hash + doc).encode()).hexdigest() == e.hash


def test_verification_reads_in_batches_and_stops_at_the_first_break():
    from audit.services import verify_chain

    _append(30)
    ok = verify_chain(fetch_size=7)  # several batches through the reader thread
    assert ok.ok and ok.verified == 30 and ok.last_seq == 30
    _tamper("UPDATE audit_entry SET actor_name = %s WHERE seq = %s", ["冒名", 25])
    _tamper("UPDATE audit_entry SET actor_name = %s WHERE seq = %s", ["冒名", 15])
    bad = verify_chain(fetch_size=7)
    assert not bad.ok and bad.bad_seq == 15 and bad.verified == 14
    part = verify_chain(after_seq=15, after_hash=Entry.objects.get(seq=15).hash, limit=5, fetch_size=2)
    assert part.ok and part.verified == 5 and part.last_seq == 20
