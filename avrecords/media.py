"""ffprobe/ffmpeg (through ffmpeg-python) and Pillow: what a file is, and the derived files
the browser needs. Every function reads a file path and writes to a temporary file;
nothing holds a whole media file in memory (ffmpeg streams it, Pillow decodes one image).
"""

import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

import ffmpeg
from django.utils.dateparse import parse_datetime
from PIL import Image, ImageOps

POSTER_SIZE = (1280, 1280)
THUMB_SIZE = (320, 320)
WAVEFORM_SIZE = "960x160"
IMAGE_FORMATS = ("image2", "jpeg_pipe", "png_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif")


class MediaError(Exception):
    """ffmpeg or Pillow could not read or convert the file; the message is for the officer."""


def _stderr(exc: ffmpeg.Error) -> str:
    lines = [ln.strip() for ln in (exc.stderr or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1][:200] if lines else "ffmpeg 出错"


def probe(path: str) -> dict[str, Any]:
    """Duration, streams, codecs, resolution, creation time; or an error for the officer."""
    try:
        raw = ffmpeg.probe(path)
    except ffmpeg.Error as exc:
        return {
            "kind": "",
            "raw": {},
            "error_code": "not_media",
            "error": f"无法识别为音视频或图片（文件损坏、不完整或不是媒体文件）：{_stderr(exc)}",
        }
    streams = raw.get("streams", [])
    fmt = raw.get("format", {})
    video = [s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    is_image = fmt.get("format_name", "") in IMAGE_FORMATS
    info: dict[str, Any] = {"raw": raw, "audio_codecs": [s.get("codec_name", "") for s in audio]}
    if video and is_image:
        info["kind"] = "photo"
    elif video:
        info["kind"] = "video"
    elif audio:
        info["kind"] = "audio"
    else:
        info.update(kind="", error_code="no_streams", error="文件中没有可播放的音视频流。")
        return info
    if video:
        info["width"], info["height"] = video[0].get("width"), video[0].get("height")
        info["video_codec"] = video[0].get("codec_name", "")
    try:
        duration = float(fmt.get("duration") or 0)
    except ValueError:
        duration = 0
    info["duration"] = duration if duration > 0 and not is_image else None
    info["media_created_at"] = _creation_time(fmt, streams)
    return info


def _creation_time(fmt: dict[str, Any], streams: list[dict[str, Any]]) -> dt.datetime | None:
    for tags in [fmt.get("tags", {}), *(s.get("tags", {}) for s in streams)]:
        raw = tags.get("creation_time")
        if raw:
            try:
                value = parse_datetime(raw.replace("Z", "+00:00"))
            except ValueError:
                value = None
            if value is not None and value.tzinfo is not None and value.year > 1970:
                return value
    return None


def _jpeg(image: Image.Image, size: tuple[int, int]) -> bytes:
    image = image.copy()
    image.thumbnail(size)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def video_poster(path: str, duration: float | None) -> bytes:
    """A frame from 1 s in (or the middle of a shorter video), as a JPEG."""
    at = min(1.0, (duration or 0) / 2)
    try:
        png, _ = (
            ffmpeg.input(path, ss=at)
            .output("pipe:", vframes=1, format="image2", vcodec="png")
            .run(capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        raise MediaError(f"无法截取封面帧：{_stderr(exc)}") from exc
    if not png:
        raise MediaError("无法截取封面帧：视频中没有可解码的画面")
    with Image.open(io.BytesIO(png)) as image:
        return _jpeg(image, POSTER_SIZE)


def photo_images(path: str) -> tuple[bytes, bytes]:
    """(display image, thumbnail), turned upright by the EXIF orientation."""
    try:
        with Image.open(path) as image:
            image.draft("RGB", POSTER_SIZE)  # JPEG: decode at a reduced scale
            upright = ImageOps.exif_transpose(image)
            return _jpeg(upright, POSTER_SIZE), _jpeg(upright, THUMB_SIZE)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise MediaError(f"无法读取照片：{exc}") from exc


def proxy(path: str, *, has_video: bool, audio_tracks: int, work_dir: Path | None = None) -> Path:
    """A browser-playable MP4: H.264 (even dimensions, yuv420p) and AAC, every audio track
    kept (Archivematica #773/#1328). Written into `work_dir` (a fresh temporary folder if
    none); returns the file path, which the caller moves and cleans up."""
    out = (work_dir or Path(tempfile.mkdtemp(prefix="linke-av-"))) / "proxy.mp4"
    inp = ffmpeg.input(path)
    streams: list[Any] = []
    kwargs: dict[str, Any] = {"movflags": "+faststart", "format": "mp4"}
    if has_video:
        # x264 with yuv420p needs even width and height: round down to even.
        streams.append(inp["v:0"].filter("scale", "trunc(iw/2)*2", "trunc(ih/2)*2").filter("setsar", "1"))
        kwargs.update(vcodec="libx264", preset="veryfast", crf=26, pix_fmt="yuv420p")
    streams.extend(inp[f"a:{i}"] for i in range(audio_tracks))
    if audio_tracks:
        kwargs.update(acodec="aac", audio_bitrate="128k")
    try:
        ffmpeg.output(*streams, str(out), **kwargs).overwrite_output().run(capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        out.unlink(missing_ok=True)
        raise MediaError(f"无法生成播放副本（文件可能损坏或不完整）：{_stderr(exc)}") from exc
    return out


def waveform(path: str) -> bytes:
    """A PNG of the first audio track's waveform (audio-only records)."""
    try:
        png, _ = (
            ffmpeg.input(path)["a:0"]
            .filter("showwavespic", s=WAVEFORM_SIZE, colors="0x1f5f8b")
            .output("pipe:", vframes=1, format="image2", vcodec="png")
            .run(capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        raise MediaError(f"无法生成波形图：{_stderr(exc)}") from exc
    return png
