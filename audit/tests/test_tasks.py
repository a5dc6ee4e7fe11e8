import pytest

import audit
from audit.models import Checkpoint
from audit.signing import verify_signature
from audit.tasks import audit_verify_task


@pytest.mark.worker
def test_real_worker_verifies_and_signs_a_checkpoint(celery_worker):
    for i in range(3):
        audit.record(None, "admin.other", n=i)

    result = audit_verify_task.delay().get(timeout=60)

    assert result["ok"] and result["verified"] == 3 and result["checkpoint"] == 3
    cp = Checkpoint.objects.get(seq=3)
    assert verify_signature(cp.message, cp.signature)
    # The worker that ran it is the subprocess, not this test process.
    assert "audit.tasks.audit_verify_task" in celery_worker.output()

    # Incremental: the next run checks only what came after the checkpoint.
    audit.record(None, "admin.other", n=3)
    again = audit_verify_task.delay().get(timeout=60)
    assert again["verified"] == 1 and again["checkpoint"] == 4
