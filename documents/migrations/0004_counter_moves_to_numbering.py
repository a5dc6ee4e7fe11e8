"""The gap-free counter moves to the `numbering` app (issue 10: cases and documents no longer
import each other). State only: the table documents_counter and its rows stay where they are;
numbering.0001 takes the model over with db_table = "documents_counter"."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_document_immutable")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Counter")],
            database_operations=[],
        ),
    ]
