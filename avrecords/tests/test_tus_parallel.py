"""tus concatenation with a real client: the vendored tus-js-client in headless Chromium,
uploading with `parallelUploads: 2` (two partial uploads sent at once, then a final upload
that concatenates them). The parts are no records; the whole file is one, hashed once."""

import hashlib
import os

import pytest
import requests

from audit.models import Entry
from avrecords.models import AVRecord, AVRecordStatus, Upload, UploadConcat, UploadState
from avrecords.storage import original_hash, staging_path
from avrecords.tests.test_tus import TUS
from cases.tests.factories import CaseFactory

from .conftest import recent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MB = 1024 * 1024

UPLOAD = """([endpoint, meta]) => new Promise((resolve, reject) => {
    const file = document.querySelector('#av-file').files[0];
    const csrf = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/)[1];
    const upload = new tus.Upload(file, {
        endpoint: endpoint,
        parallelUploads: 2,
        chunkSize: 512 * 1024,
        retryDelays: [],
        metadata: Object.assign({filename: file.name}, meta),
        headers: {'X-CSRFToken': csrf},
        onError: (err) => reject(new Error(String(err))),
        onSuccess: () => resolve(upload.url),
    });
    upload.start();
})"""


def test_parallel_upload_from_tus_js_client_becomes_one_record(login, officer, live_server, tmp_path):
    case = CaseFactory(officers=[officer])
    path = tmp_path / "并行上传的录像.bin"
    data = os.urandom(3 * MB + 4321)  # two parts of several PATCHes each, of odd sizes
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    endpoint = f"{live_server.url}/api/v1/uploads/"
    assert "concatenation" in requests.options(endpoint).headers["Tus-Extension"].split(",")

    page = login(officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/s/av/")  # the case page's 音像记录 section
    page.set_input_files("#av-file", str(path))
    url = page.evaluate(UPLOAD, [endpoint, {"sha256": digest, "ended_at": recent(), "case": case.number}])

    parts = list(Upload.objects.filter(concat=UploadConcat.PARTIAL))
    final = Upload.objects.get(concat=UploadConcat.FINAL)
    assert url.endswith(str(final.pk))
    assert len(parts) == 2 and sum(p.length for p in parts) == len(data)
    assert all(p.state == UploadState.COMPLETE and p.final_id == final.pk for p in parts)
    assert final.state == UploadState.COMPLETE and final.length == len(data)
    # The parts' staging files are gone (copied into the final upload's); they are no records.
    assert not any(staging_path(p.pk).exists() for p in parts)
    record = AVRecord.objects.get()
    assert record.upload_id == final.pk and record.case == case and record.filename == path.name
    assert record.sha256 == digest == record.declared_sha256 and record.size == len(data)
    assert original_hash(record.original_key)[0] == digest
    assert record.status == AVRecordStatus.FLAGGED  # random bytes: kept, flagged as not media
    # Hashed once, while the parts were copied.
    assert Entry.objects.get(action="av.hashed", object_id=str(record.pk)).data["method"] == "received"
    assert Entry.objects.get(action="av.upload_assembled").data["parts"] == final.parts


def test_a_final_upload_refuses_parts_that_are_not_its_own_or_not_whole(live_server, db):
    from avrecords.services import station_create

    _, token = station_create(name="一号采集站")
    _, other = station_create(name="二号采集站")
    endpoint = f"{live_server.url}/api/v1/uploads/"

    def post(tok: str, **headers: str) -> requests.Response:
        return requests.post(endpoint, headers={**TUS, "Authorization": f"Token {tok}", **headers})

    whole = post(token, **{"Upload-Concat": "partial", "Upload-Length": "0"}).headers["Location"]
    half = post(token, **{"Upload-Concat": "partial", "Upload-Length": "10"}).headers["Location"]
    for concat in (f"final;{half}", f"final;{whole} {whole}", "final;/not/an/upload", "final;", "parts"):
        assert post(token, **{"Upload-Concat": concat}).status_code == 400, concat
    assert post(other, **{"Upload-Concat": f"final;{whole}"}).status_code == 400
    assert not AVRecord.objects.exists()
    head = requests.head(whole, headers={**TUS, "Authorization": f"Token {token}"})
    assert head.headers["Upload-Concat"] == "partial"
    # A final upload of a whole part (here empty) is a record; it takes no PATCH.
    final = post(token, **{"Upload-Concat": f"final;{whole}"})
    assert final.status_code == 201
    assert AVRecord.objects.get().upload_id == Upload.objects.get(concat=UploadConcat.FINAL).pk
    auth = {**TUS, "Authorization": f"Token {token}"}
    assert requests.head(final.headers["Location"], headers=auth).headers["Upload-Concat"].startswith("final;/api/")
    resp = requests.patch(
        final.headers["Location"],
        data=b"",
        headers={**auth, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
    )
    assert resp.status_code == 403
    assert post(token, **{"Upload-Concat": f"final;{whole}"}).status_code == 400  # each part goes into one
