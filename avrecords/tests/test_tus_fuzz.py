"""Fuzzing the tus endpoint (Hypothesis): sequences of POST/PATCH/HEAD/DELETE with arbitrary
header values and metadata (any bytes, base64 or not, padded or not). Whatever arrives:
never a 5xx (the test client raises on an unhandled exception), never an upload stuck in
"receiving" with all its bytes, every whole upload a record, nothing stored lost."""

import base64
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from avrecords.models import AVRecord, Upload, UploadConcat, UploadState
from avrecords.services import station_create
from avrecords.storage import staging_path
from avrecords.tus import max_size

pytestmark = pytest.mark.django_db

ENDPOINT = "/api/v1/uploads/"

numbers = st.one_of(
    st.integers(min_value=0, max_value=40).map(str),
    st.sampled_from(["5_0", "+5", "\t5", "-1", "５", "1e3", "", " ", "0x10", "9" * 30, "00012", "0" * 40 + "7"]),
    st.text(max_size=12),
)


def _b64(data: bytes, pad: bool) -> str:
    text = base64.b64encode(data).decode()
    return text if pad else text.rstrip("=")


keys = st.one_of(
    st.sampled_from(["filename", "case", "recorder", "officer", "sha256", "started_at", "ended_at", "important"]),
    st.text(min_size=1, max_size=12).filter(lambda k: " " not in k and "," not in k),
)
values = st.one_of(
    st.builds(_b64, st.binary(max_size=300), st.booleans()),  # any bytes: digests, NUL…
    st.builds(
        _b64,
        st.sampled_from(["执法现场.mp4".encode("gbk"), b"a\x00b", ("现场" * 150).encode(), b"\r\n", b""]),
        st.booleans(),
    ),
    st.builds(lambda t, pad: _b64(t.encode(), pad), st.text(max_size=300), st.booleans()),
    st.text(max_size=40),  # not base64 at all
    st.sampled_from(["MjAyNi0xMS0yN1QxMDowMDowMCswODowMA==", "MjAyNi0xMS0yN1QwOTowMDowMCswODowMA"]),
)
metadata = st.one_of(
    st.lists(st.tuples(keys, values), max_size=6).map(lambda pairs: ",".join(f"{k} {v}" for k, v in pairs)),
    st.text(max_size=60),
)
requests_ = st.lists(
    st.fixed_dictionaries(
        {
            "method": st.sampled_from(["POST", "POST", "PATCH", "PATCH", "HEAD", "DELETE"]),
            "target": st.integers(min_value=0, max_value=5),
            "HTTP_TUS_RESUMABLE": st.one_of(st.just("1.0.0"), st.text(max_size=8)),
            "HTTP_UPLOAD_LENGTH": numbers,
            "HTTP_UPLOAD_OFFSET": st.one_of(st.just("auto"), numbers),
            "HTTP_UPLOAD_METADATA": metadata,
            "HTTP_UPLOAD_CONCAT": st.one_of(
                st.just(None), st.just("partial"), st.just("final;parts"), st.text(max_size=20)
            ),
            "HTTP_UPLOAD_CHECKSUM": st.one_of(st.just(None), st.text(max_size=50), st.just("sha256 ")),
            "CONTENT_TYPE": st.one_of(st.just("application/offset+octet-stream"), st.text(max_size=20)),
            "body": st.binary(max_size=48),
            "complete": st.booleans(),  # a PATCH body that brings the upload to its length
        },
        optional={},
    ),
    min_size=1,
    max_size=5,
)


@pytest.fixture
def fuzz_station(db: Any) -> tuple[Any, str]:
    return station_create(name="模糊测试采集站")


def _check_nothing_stuck_or_lost() -> None:
    for upload in Upload.objects.all():
        path = staging_path(upload.pk)
        if upload.state == UploadState.RECEIVING:
            assert not (upload.length and upload.offset == upload.length), f"{upload.pk} stuck in receiving"
            assert path.exists() and path.stat().st_size >= upload.offset, f"{upload.pk} lost bytes"
        elif upload.state == UploadState.COMPLETE and upload.concat != UploadConcat.PARTIAL:
            record = AVRecord.objects.filter(upload=upload).first()
            assert record is not None, f"{upload.pk} complete without a record"
            # The pipeline has not run (on-commit, inside this test's transaction): the bytes wait.
            assert path.exists() and path.stat().st_size == upload.length, f"{upload.pk} lost its bytes"
        elif upload.state == UploadState.COMPLETE and upload.final_id is None:
            assert path.exists() and path.stat().st_size == upload.length, f"part {upload.pk} lost its bytes"


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=requests_)
def test_tus_never_answers_5xx_never_sticks_never_loses(fuzz_station, sequence):
    station, token = fuzz_station
    client = Client()
    for req in sequence:
        req = dict(req)
        method, target, body, complete = req.pop("method"), req.pop("target"), req.pop("body"), req.pop("complete")
        headers = {k: v for k, v in req.items() if v is not None}
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
        uploads = list(Upload.objects.order_by("-created_at")[:6])
        if "final;" in headers.get("HTTP_UPLOAD_CONCAT", ""):
            headers["HTTP_UPLOAD_CONCAT"] = "final;" + " ".join(f"{ENDPOINT}{u.pk}" for u in uploads[:2])
        if method == "POST" or not uploads:
            headers.pop("CONTENT_TYPE")
            resp = client.generic("POST", ENDPOINT, b"", **headers)
            _check_creation(headers, resp)
        else:
            upload = uploads[target % len(uploads)]
            if headers.get("HTTP_UPLOAD_OFFSET") == "auto":
                headers["HTTP_UPLOAD_OFFSET"] = str(upload.offset)
                if complete:
                    body = bytes(upload.length - upload.offset)
            resp = client.generic(method, f"{ENDPOINT}{upload.pk}", body if method == "PATCH" else b"", **headers)
        assert resp.status_code < 500, resp.content
        _check_nothing_stuck_or_lost()


def _check_creation(headers: dict[str, str], resp: Any) -> None:
    """A POST with a plain length is never refused for its metadata; any other length is."""
    length = headers.get("HTTP_UPLOAD_LENGTH", "")
    if headers.get("HTTP_TUS_RESUMABLE") != "1.0.0" or "HTTP_UPLOAD_CONCAT" in headers:
        return
    if length.isascii() and length.isdigit() and int(length) > max_size():
        assert resp.status_code == 413
    elif length.isascii() and length.isdigit():
        assert resp.status_code == 201, resp.content
        created = Upload.objects.get(pk=resp["Location"].rsplit("/", 1)[1])
        assert created.length == int(length)
    else:
        assert resp.status_code == 400, length
