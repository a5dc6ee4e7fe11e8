"""Domain events of the written records (第十条), for apps that listen sideways or upwards
(DESIGN.md, how apps talk): sent inside the action's transaction, so a receiver's rows commit
or roll back with it."""

from django.dispatch import Signal

# Sent by records.services.record_finalise once a record is final and its document issued.
# sender: records.models.Record (the base model, whatever the kind);
# kwargs: record (the base Record row, status final), by (the User who finalised it).
record_finalised = Signal()
