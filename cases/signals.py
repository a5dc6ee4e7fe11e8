"""Domain events of the case aggregate. Sent by cases.services inside the transition's
transaction, so receivers (deadlines, notifications) commit or roll back with it."""

from django.dispatch import Signal

# kwargs: case, from_state, to_state, by (User or None)
case_transitioned = Signal()

# kwargs: case, by (User). Sent by case_assign_officers after the handling officers changed,
# inside its transaction; receivers (deadlines) hand over what followed the old officers.
officers_assigned = Signal()
