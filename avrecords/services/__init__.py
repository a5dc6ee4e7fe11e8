"""Writes for audio-visual records. One public function per transition; each locks its
rows, checks the state, saves, writes the audit entry and queues what follows on commit.

A package by concern (HackSoft styleguide), re-exporting its public functions here:
`stations` (采集站 and their tokens), `uploads` (tus: create, advance, complete, terminate),
`pipeline` (the ingest tasks' state changes), `work` (the officer's work on a record and its
custody), `expected` (recordings a written record expects, 第二十七条), `common` (shared).

Other apps call:
- `expected_record_sync(...)` when a written record says whether audio-video was recorded
  (records/ on-site inspection "with audio-video recording"), so the recording is expected
  and has its own 第二十七条 deadline until it arrives.
"""

from .common import (
    AV_RECORDING_STATES,
    CONTENT_POINTS,
    CONTENT_POINTS_ORDER,
    CONTENT_PROBLEMS,
    RECORDER_METHOD,
    AVError,
    av_refusal,
)
from .expected import expected_record_fulfil, expected_record_sync
from .pipeline import record_derived, record_flag, record_hashed, record_probed, record_processed, record_stored
from .stations import station_create, station_rotate_token, station_seen, token_digest
from .uploads import (
    _parse_time,
    upload_advance,
    upload_assembled,
    upload_complete,
    upload_concat_create,
    upload_create,
    upload_rewind,
    upload_terminate,
)
from .work import (
    DESCRIBE_FIELDS,
    finalise_missing,
    record_access,
    record_assign,
    record_describe,
    record_explain_late,
    record_finalise,
    record_played,
    record_set_owner,
    record_sm3,
    record_verify,
)

__all__ = [
    "AV_RECORDING_STATES",
    "AVError",
    "av_refusal",
    "CONTENT_POINTS",
    "CONTENT_POINTS_ORDER",
    "CONTENT_PROBLEMS",
    "DESCRIBE_FIELDS",
    "RECORDER_METHOD",
    "expected_record_fulfil",
    "expected_record_sync",
    "finalise_missing",
    "record_access",
    "record_assign",
    "record_derived",
    "record_describe",
    "record_explain_late",
    "record_finalise",
    "record_flag",
    "record_hashed",
    "record_played",
    "record_probed",
    "record_processed",
    "record_set_owner",
    "record_sm3",
    "record_stored",
    "record_verify",
    "station_create",
    "station_rotate_token",
    "station_seen",
    "token_digest",
    "upload_advance",
    "upload_assembled",
    "upload_complete",
    "upload_concat_create",
    "upload_create",
    "upload_rewind",
    "upload_terminate",
    "_parse_time",
]
