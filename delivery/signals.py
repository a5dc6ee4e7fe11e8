"""Domain events of delivery (第五章), sent inside the delivering transaction.

`document_served` — kwargs: case_id, document_id, doc_type, served_on (date), by (User). Receivers
in other apps start what runs from the service date (review: the defence and hearing-request
periods of 事先告知书 and 听证通知书; delivery's own execution periods)."""

from django.dispatch import Signal

document_served = Signal()
