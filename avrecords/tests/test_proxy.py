"""The browser copy is made only when needed (issue 17): a source browsers play as it is
(H.264/AAC in MP4, square pixels, even size, within AV_PROXY_MAX_SIDE) is remuxed — its
streams copied, no encoder run —, anything else transcoded and capped; the record says which
and why. Real ffmpeg on media generated with lavfi; HEVC is made with libx265."""

import subprocess
from pathlib import Path

import ffmpeg
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from audit.models import Entry
from avrecords import media
from avrecords.models import AVRecordStatus, ProxyMethod
from avrecords.storage import original_hash

from .conftest import receive, recent

CAP = 1280


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def _lavfi_video(out: Path, size: str, *encode: str, rate: int = 25, seconds: float = 2, audio: bool = True) -> Path:
    inputs = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate={rate}:duration={seconds}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-b:a", "32k"]
    _ffmpeg(*inputs, *encode, str(out))
    return out


H264 = ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")


@pytest.fixture(scope="session")
def sources(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("proxy-sources")
    out = {
        # What most body-worn recorders write: H.264 (High) / AAC in MP4, moov at the end.
        "h264": _lavfi_video(d / "执法记录仪.mp4", "320x240", *H264, "-profile:v", "high"),
        "hevc": _lavfi_video(
            d / "hevc.mp4", "320x240", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"
        ),
        "anamorphic": _lavfi_video(d / "anamorphic.mp4", "320x240", "-vf", "setsar=4/3", *H264),
        "uhd": _lavfi_video(d / "uhd.mp4", "3840x2160", *H264, rate=2, seconds=1, audio=False),
        # H.264 in 4:2:0 cannot be odd-sized (its cropping counts in 2-pixel units): an odd
        # size comes with 4:4:4 (or another codec), so this file fails the profile too.
        "odd": _lavfi_video(d / "odd.mp4", "161x121", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"),
    }
    return out


def _video_stream(path: str | Path) -> dict:
    return next(s for s in ffmpeg.probe(str(path))["streams"] if s["codec_type"] == "video")


def _packet_hash(path: str | Path, stream: str) -> str:
    """SHA-256 of a stream's coded packets (not decoded): equal only for the same bitstream."""
    out = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-map",
            f"0:{stream}",
            "-c",
            "copy",
            "-f",
            "streamhash",
            "-hash",
            "sha256",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().rsplit("=", 1)[-1]


def _plays(path: str) -> None:
    """Every frame of every stream decodes without an error (what a player does)."""
    result = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


# --- the decision, from probe dicts ------------------------------------------------------------


def _probe(
    video: dict | None = None, audio: tuple[str, ...] | list[str] = ("aac",), fmt: str = "mov,mp4,m4a,3gp,3g2,mj2"
) -> dict:
    streams = []
    if video is not None:
        streams.append(
            {
                "codec_type": "video",
                "codec_name": "h264",
                "profile": "High",
                "pix_fmt": "yuv420p",
                "width": 1280,
                "height": 720,
                "sample_aspect_ratio": "1:1",
                **video,
            }
        )
    streams += [{"codec_type": "audio", "codec_name": name} for name in audio]
    return {"format": {"format_name": fmt}, "streams": streams}


@pytest.mark.parametrize(
    "video",
    [
        {},
        {"profile": "Constrained Baseline"},
        {"profile": "Baseline"},
        {"profile": "Main", "sample_aspect_ratio": "0:1"},  # unset
        {"sample_aspect_ratio": None, "width": 720, "height": 1280},
    ],
)
def test_browser_playable_sources_are_remuxed(video):
    plan = media.proxy_plan(_probe(video), max_side=CAP)
    assert plan.remux and "H.264/AAC" in plan.reason
    assert media.proxy_plan(_probe(video, audio=[]), max_side=CAP).remux  # no sound at all


@pytest.mark.parametrize(
    ("video", "audio", "fmt", "words"),
    [
        ({"codec_name": "hevc", "profile": "Main"}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "hevc（非 H.264）"),
        ({"profile": "High 10"}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "High 10"),
        ({"profile": "High 4:4:4 Predictive"}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "档次"),
        ({"pix_fmt": "yuvj420p"}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "yuvj420p"),
        ({"sample_aspect_ratio": "4:3"}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "SAR 4:3"),
        ({"width": 1279, "height": 720}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "不是偶数"),
        ({"width": 1920, "height": 1080}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "超过播放副本上限（长边 1280 像素）"),
        ({"width": 720, "height": 1282}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "超过"),
        ({"side_data_list": [{"rotation": -90}]}, ["aac"], "mov,mp4,m4a,3gp,3g2,mj2", "旋转"),
        ({}, ["aac", "pcm_s16le"], "mov,mp4,m4a,3gp,3g2,mj2", "pcm_s16le（非 AAC）"),
        ({}, ["mp3"], "mov,mp4,m4a,3gp,3g2,mj2", "mp3"),
        ({}, ["aac"], "matroska,webm", "matroska,webm（非 MP4/MOV）"),
        ({}, ["aac"], "mpegts", "mpegts"),
    ],
)
def test_anything_else_is_transcoded_and_says_why(video, audio, fmt, words):
    plan = media.proxy_plan(_probe(video, audio=audio, fmt=fmt), max_side=CAP)
    assert not plan.remux and words in plan.reason


def test_audio_only_aac_in_mp4_is_remuxed_and_no_streams_is_not():
    assert media.proxy_plan(_probe(None, audio=["aac"]), max_side=CAP).remux
    assert not media.proxy_plan(_probe(None, audio=["opus"]), max_side=CAP).remux
    assert not media.proxy_plan({"format": {}, "streams": []}, max_side=CAP).remux


def test_remux_command_runs_no_encoder_and_puts_the_index_first():
    remux = media.proxy_args("in.mp4", "out.mp4", has_video=True, audio_tracks=2, remux=True)
    assert remux[remux.index("-c") + 1] == "copy" and "+faststart" in remux
    assert not {"-vcodec", "-acodec", "-filter_complex", "libx264", "aac"} & set(remux)
    assert remux.count("-map") == 3
    transcode = media.proxy_args("in.mp4", "out.mp4", has_video=True, audio_tracks=1, max_side=CAP)
    assert "libx264" in transcode and f"{CAP}" in " ".join(transcode) and "+faststart" in transcode
    # With room kept in front for the index, the file is written once (no +faststart pass).
    once = media.proxy_args("in.mp4", "out.mp4", has_video=True, audio_tracks=1, remux=True, reserve=70000)
    assert once[once.index("-moov_size") + 1] == "70000" and "+faststart" not in once


# --- the pipeline, real files -----------------------------------------------------------------


@pytest.mark.django_db
def test_h264_aac_mp4_is_remuxed_plays_and_keeps_its_duration(client, officer, sources):
    source = sources["h264"]
    record = receive(source, user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.proxy_method == ProxyMethod.REMUX and "流复制" in record.proxy_reason

    proxy = default_storage.path(record.proxy)
    # No encoder ran: the proxy holds the very packets of the source, picture and sound.
    assert _packet_hash(proxy, "v:0") == _packet_hash(source, "v:0")
    assert _packet_hash(proxy, "a:0") == _packet_hash(source, "a:0")
    got, was = _video_stream(proxy), _video_stream(source)
    for key in ("codec_name", "profile", "width", "height", "pix_fmt", "bit_rate", "nb_frames"):
        assert got[key] == was[key], key
    _plays(proxy)
    assert float(ffmpeg.probe(proxy)["format"]["duration"]) == pytest.approx(
        float(ffmpeg.probe(str(source))["format"]["duration"]), abs=0.05
    )
    # +faststart: the index (moov) comes before the media data (mdat).
    head = Path(proxy).read_bytes()
    assert head.index(b"moov") < head.index(b"mdat")
    # The original is untouched in dedicated storage.
    assert original_hash(record.original_key)[1] == source.stat().st_size

    processed = Entry.objects.get(action="av.processed", object_id=str(record.pk))
    assert '"proxy":"转封装"' in processed.payload
    client.force_login(officer)
    html = client.get(reverse("avrecords:detail", args=[record.pk])).content.decode()
    assert "转封装" in html and "原件未改动" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "words", "shown"),
    [
        ("hevc", "hevc（非 H.264）", (320, 240)),
        ("anamorphic", "像素非正方形（SAR 4:3）", (426, 240)),
        ("odd", "画面尺寸 161×121 不是偶数", (160, 120)),
    ],
)
def test_other_sources_are_transcoded_to_playable_h264(officer, sources, name, words, shown):
    record = receive(sources[name], user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.proxy_method == ProxyMethod.TRANSCODE and words in record.proxy_reason
    proxy = default_storage.path(record.proxy)
    stream = _video_stream(proxy)
    assert (stream["codec_name"], stream["pix_fmt"], stream["profile"]) == ("h264", "yuv420p", "High")
    assert (stream["width"], stream["height"]) == shown
    assert stream.get("sample_aspect_ratio", "1:1") == "1:1"
    _plays(proxy)


@pytest.mark.django_db
def test_uhd_h264_source_is_transcoded_down_to_the_cap(officer, sources, settings):
    assert settings.AV_PROXY_MAX_SIDE == CAP  # the default
    record = receive(sources["uhd"], user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert (record.width, record.height) == (3840, 2160)  # the original's size, as recorded
    assert record.proxy_method == ProxyMethod.TRANSCODE and "3840×2160 超过播放副本上限" in record.proxy_reason
    stream = _video_stream(default_storage.path(record.proxy))
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 1280, 720)


@pytest.mark.django_db
def test_the_cap_is_a_setting(officer, sources, settings):
    settings.AV_PROXY_MAX_SIDE = 240
    record = receive(sources["h264"], user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.proxy_method == ProxyMethod.TRANSCODE
    stream = _video_stream(default_storage.path(record.proxy))
    assert (stream["width"], stream["height"]) == (240, 180)


@pytest.mark.django_db
def test_a_remux_ffmpeg_refuses_falls_back_to_a_transcode(officer, sources, monkeypatch):
    real = media.proxy

    def remux_fails(path, *, remux=False, **kwargs):
        if remux:
            raise media.MediaError("无法生成播放副本", "Could not write header for output file #0")
        return real(path, **kwargs)

    monkeypatch.setattr(media, "proxy", remux_fails)
    record = receive(sources["h264"], user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY and not record.problems
    assert record.proxy_method == ProxyMethod.TRANSCODE and "转封装未成功" in record.proxy_reason
    assert "header" not in record.proxy_reason  # ffmpeg's words go to the log, not the page
    _plays(default_storage.path(record.proxy))


# --- the original plays as it is (index in front): no copy at all ------------------------------


@pytest.fixture(scope="session")
def front_sources(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("front-sources")
    return {
        # Browser-playable and faststart (moov before mdat): the player is served the original.
        "h264": _lavfi_video(d / "前置索引.mp4", "320x240", *H264, "-profile:v", "high", "-movflags", "+faststart"),
        "audio": _audio_front(d / "录音.m4a"),
        # Two picture streams: a remux keeps only the first, so it is remuxed even though faststart.
        "two_pictures": _two_pictures(d / "two.mp4"),
    }


def _audio_front(out: Path) -> Path:
    _ffmpeg("-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", "-b:a", "32k", "-movflags", "+faststart", str(out))
    return out


def _two_pictures(out: Path) -> Path:
    _ffmpeg(
        *("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2"),
        *("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2"),
        *("-map", "0:v", "-map", "1:v", *H264, "-movflags", "+faststart", str(out)),
    )
    return out


def _boxes(*boxes: tuple[bytes, int]) -> bytes:
    """Top-level MP4 boxes of the given types and total sizes (bodies zero)."""
    return b"".join(size.to_bytes(4, "big") + kind + bytes(size - 8) for kind, size in boxes)


@pytest.mark.parametrize(
    ("data", "front"),
    [
        (_boxes((b"ftyp", 24), (b"moov", 100), (b"mdat", 1000)), True),
        (_boxes((b"ftyp", 24), (b"mdat", 1000), (b"moov", 100)), False),
        (_boxes((b"ftyp", 24), (b"moov", 100), (b"free", 8), (b"mdat", 1000), (b"udta", 20)), True),
        (_boxes((b"ftyp", 24), (b"moov", 100), (b"mdat", 1000))[:-1], False),  # cut short
        (_boxes((b"ftyp", 24), (b"moov", 100)), False),  # no media data
        (_boxes((b"ftyp", 24), (b"moov", 100)) + b"\0\0\0\0mdat" + bytes(50), True),  # size 0: to the end
        # A 64-bit size (1, then the size in 8 bytes), as files over 4 GiB have.
        (_boxes((b"ftyp", 24), (b"moov", 100)) + b"\0\0\0\1mdat" + (66).to_bytes(8, "big") + bytes(50), True),
        (_boxes((b"ftyp", 24), (b"moov", 100)) + b"\0\0\0\1mdat" + (8).to_bytes(8, "big"), False),
        (_boxes((b"ftyp", 24)) + b"\0\0\0\4moov" + bytes(100), False),  # a size below a header
        (_boxes(*[(b"free", 8)] * (media.MAX_BOXES + 1), (b"moov", 100), (b"mdat", 100)), False),
    ],
)
def test_index_in_front_reads_the_box_chain(tmp_path, data, front):
    path = tmp_path / "f.mp4"
    path.write_bytes(data)
    assert media.index_in_front(str(path)) is front


def test_index_in_front_on_real_files(sources, front_sources):
    assert media.index_in_front(str(front_sources["h264"]))
    assert not media.index_in_front(str(sources["h264"]))  # ffmpeg's default: moov at the end


def _no_ffmpeg_proxy(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("no browser copy may be made of a file that plays as it is")

    monkeypatch.setattr(media, "proxy", refuse)


@pytest.mark.django_db
def test_faststart_h264_aac_mp4_plays_from_the_original_and_no_copy_is_made(
    client, officer, front_sources, monkeypatch
):
    _no_ffmpeg_proxy(monkeypatch)
    source = front_sources["h264"]
    record = receive(source, user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.proxy_method == ProxyMethod.ORIGINAL and not record.proxy and record.poster
    assert "索引在前，直接播放原件" in record.proxy_reason and "H.264/AAC" in record.proxy_reason
    assert not default_storage.exists(f"av/{record.uuid}/proxy.mp4")
    processed = Entry.objects.get(action="av.processed", object_id=str(record.pk))
    assert '"proxy":"直接播放原件"' in processed.payload

    client.force_login(officer)
    html = client.get(reverse("avrecords:detail", args=[record.pk])).content.decode()
    url = reverse("avrecords:media", args=[record.pk, "proxy"])
    assert "<video" in html and f'src="{url}"' in html and "直接播放原件" in html and "原件未改动" in html
    # The player's byte ranges are the original's bytes, read-only, and are no download.
    whole = source.read_bytes()
    part = client.get(url, HTTP_RANGE="bytes=100-4195")
    assert part.status_code == 206 and part["Content-Type"] == "video/mp4"
    assert part["Content-Range"] == f"bytes 100-4195/{len(whole)}"
    assert part["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(part.streaming_content) == whole[100:4196]
    assert not Entry.objects.filter(action="av.downloaded", object_id=str(record.pk)).exists()
    # The whole file without a Range is a copy of the original leaving the system.
    assert b"".join(client.get(url).streaming_content) == whole
    assert Entry.objects.get(action="av.downloaded", object_id=str(record.pk)).data["copy"] == "original"
    assert original_hash(record.original_key) == (record.sha256, len(whole))
    # No access, no bytes: the same check as every record's media.
    from accounts.models import Role
    from accounts.tests.factories import DepartmentFactory, UserFactory

    client.force_login(UserFactory(roles=[Role.OFFICER], department=DepartmentFactory(code="OTHER")))
    assert client.get(url, HTTP_RANGE="bytes=0-9").status_code == 404


@pytest.mark.django_db
def test_faststart_aac_audio_plays_from_the_original(client, officer, front_sources, monkeypatch):
    _no_ffmpeg_proxy(monkeypatch)
    record = receive(front_sources["audio"], user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.proxy_method == ProxyMethod.ORIGINAL and record.waveform
    client.force_login(officer)
    resp = client.get(reverse("avrecords:media", args=[record.pk, "proxy"]), HTTP_RANGE="bytes=0-99")
    assert resp.status_code == 206 and resp["Content-Type"] == "audio/mp4"
    assert b"".join(resp.streaming_content) == front_sources["audio"].read_bytes()[:100]


@pytest.mark.django_db
def test_moov_at_the_end_is_remuxed_with_the_index_in_front(officer, sources):
    assert not media.index_in_front(str(sources["h264"]))
    record = receive(sources["h264"], user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.proxy_method == ProxyMethod.REMUX
    assert media.index_in_front(default_storage.path(record.proxy))


@pytest.mark.django_db
def test_faststart_with_two_picture_streams_is_remuxed(officer, front_sources):
    record = receive(front_sources["two_pictures"], user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.proxy_method == ProxyMethod.REMUX
    assert len(ffmpeg.probe(default_storage.path(record.proxy))["streams"]) == 1


@pytest.mark.django_db
def test_faststart_original_on_s3_is_played_by_ranged_gets(client, officer, front_sources, s3_originals, seaweedfs):
    source = front_sources["h264"]
    record = receive(source, user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.proxy_method == ProxyMethod.ORIGINAL and record.original_version
    client.force_login(officer)
    url = reverse("avrecords:media", args=[record.pk, "proxy"])
    whole = source.read_bytes()
    for rng, want in (("bytes=10-2000000", whole[10:2000001]), ("bytes=-7", whole[-7:]), ("bytes=5-", whole[5:])):
        resp = client.get(url, HTTP_RANGE=rng)
        assert resp.status_code == 206 and b"".join(resp.streaming_content) == want, rng
    assert client.get(url, HTTP_RANGE=f"bytes={len(whole)}-").status_code == 416
    assert b"".join(client.get(url).streaming_content) == whole


def _spy_reserve(monkeypatch) -> list:
    calls: list = []
    real = media._proxy_output

    def spy(*args, **kwargs):
        calls.append(kwargs.get("reserve"))
        return real(*args, **kwargs)

    monkeypatch.setattr(media, "_proxy_output", spy)
    return calls


def _same_packets(proxy: str, source: Path) -> None:
    assert _packet_hash(proxy, "v:0") == _packet_hash(source, "v:0")
    assert _packet_hash(proxy, "a:0") == _packet_hash(source, "a:0")


@pytest.mark.django_db
def test_remux_writes_the_index_into_room_kept_in_front(officer, sources, monkeypatch):
    calls = _spy_reserve(monkeypatch)
    source = sources["h264"]
    record = receive(source, user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.proxy_method == ProxyMethod.REMUX
    moov = dict(media.top_boxes(str(source)))[b"moov"]
    assert calls == [2 * moov + 65536]  # one ffmpeg run, no +faststart pass
    proxy = default_storage.path(record.proxy)
    assert media.index_in_front(proxy)
    _same_packets(proxy, source)
    _plays(proxy)


@pytest.mark.django_db
def test_remux_whose_index_does_not_fit_is_made_again_with_faststart(officer, sources, monkeypatch):
    calls = _spy_reserve(monkeypatch)
    monkeypatch.setattr(media, "index_reserve", lambda path: 64)
    source = sources["h264"]
    record = receive(source, user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY and not record.problems
    assert record.proxy_method == ProxyMethod.REMUX and calls == [64, None]
    proxy = default_storage.path(record.proxy)
    assert media.index_in_front(proxy)
    _same_packets(proxy, source)
    _plays(proxy)
