"""One spelling, finalise (issue 10): the record's finalisation columns are renamed. The
record_final_complete constraint is rebuilt over the new names; the PostgreSQL immutability
trigger reads only `status`, so it is unaffected."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("records", "0003_refused_note_message")]

    operations = [
        migrations.RemoveConstraint(model_name="record", name="record_final_complete"),
        migrations.RenameField(model_name="record", old_name="finalized_at", new_name="finalised_at"),
        migrations.RenameField(model_name="record", old_name="finalized_by", new_name="finalised_by"),
        migrations.AddConstraint(
            model_name="record",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "final"), _negated=True),
                    models.Q(("document__isnull", False), ("finalised_at__isnull", False), ("finalised_by__isnull", False)),
                    _connector="OR",
                ),
                name="record_final_complete",
            ),
        ),
    ]
