"""ffprobe/ffmpeg (through ffmpeg-python) and Pillow: what a file is, and the derived files
the browser needs. Every function reads a file path and writes to a temporary file;
nothing holds a whole media file in memory: ffmpeg streams it, and scales every picture
before Pillow sees it (Pillow only encodes JPEGs of at most POSTER_SIZE), so a worker stays
well under its 200 MB budget; frames above AV_MAX_PIXELS are not decoded at all.

A source browsers already play (proxy_plan) needs no copy when its index is in front
(original_plan, index_in_front: the player is served the original itself); with the index at
the end it is remuxed: its streams copied as they are, no encoder run, the index written into
room kept in front (index_reserve). Any other source is transcoded to H.264/AAC of at most
AV_PROXY_MAX_SIDE. Posters and proxies are in square pixels at the display aspect ratio
(a remuxed source has square pixels and no rotation already): anamorphic video
(a sample aspect ratio other than 1:1) is stretched as players show it, rotated video is
turned (ffmpeg's autorotate), and the record's width and height are the displayed ones.

A failure is a MediaError (the file's fault: flagged at once, never retried) with a Chinese
reason for the officer and a technical detail without server paths; MediaResourceError (no
disk or memory) is the machine's fault and retried.
"""

import datetime as dt
import io
import logging
import os
import re
import struct
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import ffmpeg
from django.conf import settings
from django.utils.dateparse import parse_datetime
from PIL import Image, ImageOps

log = logging.getLogger(__name__)

POSTER_SIZE = (1280, 1280)
THUMB_SIZE = (320, 320)
# H.264 profiles every current browser decodes (High 10, 4:2:2 and 4:4:4 profiles are not).
PLAYABLE_H264_PROFILES = frozenset({"Constrained Baseline", "Baseline", "Main", "High"})
# ffprobe's format_name for the MP4/MOV family (one demuxer for all of them).
MP4_FORMATS = "mov,mp4,"
WAVEFORM_SIZE = "960x160"
IMAGE_FORMATS = ("image2", "jpeg_pipe", "png_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif")

# ffmpeg says only what went wrong: its stderr becomes the technical detail of a failure.
QUIET = ("-hide_banner", "-loglevel", "error")
# ffmpeg's words for a machine that ran out of something: not the file's fault, so the step
# is retried rather than flagged.
_RESOURCE_ERRORS = ("No space left on device", "Cannot allocate memory", "Resource temporarily unavailable")

# What ffmpeg's last line means, for the officer (the line itself goes to the log and the
# custody trail).
_HINTS = (
    ("moov atom not found", "文件缺少索引（moov），通常是录制中断或文件没有传完整"),
    ("Invalid data found when processing input", "文件内容无法解析"),
    ("could not find codec parameters", "无法确定编码参数"),
    ("Decoder not found", "编码格式不受支持"),
    ("unsupported", "编码格式不受支持"),
    ("Output file #0 does not contain any stream", "文件中没有可用的画面或声音"),
    ("does not contain any stream", "文件中没有可用的画面或声音"),
)


class MediaError(Exception):
    """ffmpeg or Pillow could not read or convert the file: a property of the file, so the
    step is flagged at once and never retried. `reason` is for the officer (Chinese, no
    server paths); `detail` is the technical cause (ffmpeg's last lines, Pillow's message)
    with paths removed, for the log and the custody trail."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


class MediaResourceError(Exception):
    """ffmpeg failed for want of disk or memory on this machine: retried, not flagged."""


_ABS_PATH = re.compile(r"(?<![\w.~])/(?:[^\s/:'\"<>|]+/)+[^\s:'\"<>|,]*")


def scrub(text: str, *paths: str) -> str:
    """`text` without server paths: each of `paths` (and its folder) becomes "<文件>", any
    other absolute path "<路径>". Officers and the custody trail never see where a file lies."""
    for path in sorted((p for p in paths if p), key=len, reverse=True):
        text = text.replace(path, "<文件>")
        parent = str(Path(path).parent)
        if parent not in ("", "/", "."):
            text = text.replace(parent, "<路径>")
    return _ABS_PATH.sub("<路径>", text)


def _ffmpeg_detail(exc: ffmpeg.Error, path: str) -> str:
    """ffmpeg's last lines (at most 5, 1000 characters), without paths."""
    text = (exc.stderr or b"").decode("utf-8", "replace")
    if any(marker in text for marker in _RESOURCE_ERRORS):
        raise MediaResourceError(scrub(text.strip()[-500:], path)) from exc
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return scrub("\n".join(lines[-5:])[-1000:], path) or "ffmpeg 未输出错误信息"


def _hint(detail: str) -> str:
    for marker, hint in _HINTS:
        if marker.lower() in detail.lower():
            return f"：{hint}"
    return ""


def _ffmpeg_failed(what: str, exc: ffmpeg.Error, path: str) -> MediaError:
    detail = _ffmpeg_detail(exc, path)
    return MediaError(f"{what}{_hint(detail)}。原件已完整保存。", detail)


def _ratio(raw: Any) -> Fraction | None:
    """ffprobe's "4:3" (or "0:1", "N/A") as a fraction; None when unknown."""
    try:
        num, den = (int(x) for x in str(raw).split(":"))
    except ValueError:
        return None
    return Fraction(num, den) if num > 0 and den > 0 else None


def _rotation(stream: dict[str, Any]) -> int:
    """Degrees the player turns the picture (display matrix side data, or the older tag)."""
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            try:
                return int(float(side["rotation"]))
            except (TypeError, ValueError):
                return 0
    try:
        return int(float(stream.get("tags", {}).get("rotate", 0)))
    except (TypeError, ValueError):
        return 0


def _exif_orientation(path: str) -> int:
    """A photo's EXIF orientation (1-8), read from the header without decoding the pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format == "PNG":
                    # Pillow's PNG getexif() decodes the whole image to look for a late eXIf
                    # chunk; the header's (before the pixels, as the spec asks) is enough.
                    exif = Image.Exif()
                    if image.info.get("exif"):
                        exif.load(image.info["exif"])
                else:
                    exif = image.getexif()
                return int(exif.get(0x0112, 1) or 1)
    except (OSError, ValueError, TypeError, SyntaxError, Image.DecompressionBombError):
        return 1


def display_size(stream: dict[str, Any], *, orientation: int = 1, square: bool = False) -> tuple[int, int] | None:
    """(width, height) in pixels as a player shows the picture: the coded width stretched
    by the sample aspect ratio (unless `square`: browsers show photos pixel for pixel), then
    turned by the rotation or the EXIF `orientation` (5-8 turn by 90°). None without a size."""
    width, height = stream.get("width"), stream.get("height")
    if not width or not height:
        return None
    sar = None if square else _ratio(stream.get("sample_aspect_ratio"))
    if sar is not None and sar != 1:
        width = max(1, round(width * sar))
    if _rotation(stream) % 180 == 90 or orientation in (5, 6, 7, 8):
        width, height = height, width
    return int(width), int(height)


def max_pixels() -> int:
    """AV_MAX_PIXELS: the largest frame (width x height as coded) that is decoded to make a
    poster, proxy or display image; a larger one is flagged instead."""
    return int(getattr(settings, "AV_MAX_PIXELS", 50_000_000))


def check_frame_size(coded: tuple[int, int] | None) -> None:
    """Raise MediaError for a frame larger than AV_MAX_PIXELS: decoding it would take the
    worker's ffmpeg past its memory budget (16384 x 11000 needs about 600 MB)."""
    if not coded:
        return
    width, height = coded
    limit = max_pixels()
    if width * height > limit:
        raise MediaError(
            f"画面尺寸过大（{width}×{height}，约 {width * height / 1e6:.0f} 百万像素），超过预览处理上限"
            f"（{limit / 1e6:.0f} 百万像素），未生成封面和播放副本。原件已完整保存，可下载后用专业软件查看。",
            f"frame {width}x{height} = {width * height} pixels > AV_MAX_PIXELS {limit}",
        )


def coded_size(raw: dict[str, Any]) -> tuple[int, int] | None:
    """The first picture stream's coded (width, height) from a stored ffprobe result."""
    for s in raw.get("streams", []):
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic"):
            if s.get("width") and s.get("height"):
                return int(s["width"]), int(s["height"])
            return None
    return None


def probe(path: str) -> dict[str, Any]:
    """Duration, streams, codecs, display size, creation time; or an error: `error` for the
    officer (Chinese), `detail` for the log and the custody trail (no paths)."""
    try:
        raw = ffmpeg.probe(path, v="error")
    except ffmpeg.Error as exc:
        failed = _ffmpeg_failed("无法识别为音视频或图片（文件损坏、不完整或不是媒体文件）", exc, path)
        return {"kind": "", "raw": {}, "error_code": "not_media", "error": failed.reason, "detail": failed.detail}
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
        # The size as shown: sample aspect ratio and rotation (video), EXIF orientation (photo).
        size = (
            display_size(video[0], orientation=_exif_orientation(path), square=True)
            if is_image
            else display_size(video[0])
        )
        info["width"], info["height"] = size or (None, None)
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


def _fit(stream: Any, max_side: int, *, square: bool = False, even: bool = True) -> Any:
    """Scale to square pixels (the width stretched by the sample aspect ratio unless
    `square`), then down to fit `max_side` x `max_side`, never up; `even` sizes for yuv420p.
    ffmpeg has already turned a video by its rotation (autorotate)."""
    sar = "1" if square else "sar"
    dar = "(iw/ih)" if square else "dar"
    width = f"min(iw*{sar},min({max_side},{max_side}*{dar}))"
    height = f"min(ih,min({max_side},{max_side}/{dar}))"
    if even:
        width, height = f"max(2,trunc({width}/2)*2)", f"max(2,trunc({height}/2)*2)"
    else:
        width, height = f"max(1,round({width}))", f"max(1,round({height}))"
    return stream.filter("scale", w=width, h=height).filter("setsar", "1")


def _frame(path: str, *, max_side: int, photo: bool, seek: float | None = None) -> bytes:
    """One picture of the file, scaled by ffmpeg to fit `max_side` (so Pillow never decodes
    a full-size frame), as uncompressed PPM bytes (at most 1280 x 1280 x 3 = 4.9 MB; a PNG
    costs ffmpeg a compression Pillow undoes at once, half the poster's time). A photo is
    taken as stored (square pixels, no rotation: the caller applies its EXIF orientation,
    whatever the image format)."""
    options: dict[str, Any] = {"noautorotate": None} if photo else {}
    if seek:
        options["ss"] = seek
    picture, _ = (
        _fit(ffmpeg.input(path, **options)["v:0"], max_side, square=photo, even=False)
        .output("pipe:", vframes=1, format="image2", vcodec="ppm", pix_fmt="rgb24")
        .global_args(*QUIET)
        .run(capture_stdout=True, capture_stderr=True)
    )
    return picture


def _open_small(picture: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(picture))
    # ffmpeg made it at most POSTER_SIZE: anything else is not the frame we asked for.
    if image.width * image.height > POSTER_SIZE[0] * POSTER_SIZE[1]:
        raise MediaError("无法生成预览图：画面尺寸异常。原件已完整保存。", f"scaled frame is {image.size}")
    return image


def _jpeg(image: Image.Image, size: tuple[int, int]) -> bytes:
    image = image.copy()
    image.thumbnail(size)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def video_poster(path: str, duration: float | None) -> bytes:
    """A frame from 1 s in (or the middle of a shorter video), as a JPEG of at most
    POSTER_SIZE in square pixels: the display aspect ratio of the video, whatever its
    sample aspect ratio or rotation."""
    at = min(1.0, (duration or 0) / 2)
    try:
        picture = _frame(path, max_side=POSTER_SIZE[0], photo=False, seek=at)
    except ffmpeg.Error as exc:
        raise _ffmpeg_failed("无法截取封面帧", exc, path) from exc
    if not picture:
        raise MediaError("无法截取封面帧：视频中没有可解码的画面。原件已完整保存。", "ffmpeg wrote no frame")
    try:
        with _open_small(picture) as image:
            return _jpeg(image, POSTER_SIZE)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaError("无法截取封面帧：画面无法解码。原件已完整保存。", scrub(str(exc), path)) from exc


def photo_images(path: str) -> tuple[bytes, bytes]:
    """(display image, thumbnail) as JPEGs, turned upright by the EXIF orientation. ffmpeg
    decodes and scales the photo; Pillow only sees the scaled picture."""
    orientation = _exif_orientation(path)
    try:
        picture = _frame(path, max_side=POSTER_SIZE[0], photo=True)
    except ffmpeg.Error as exc:
        raise _ffmpeg_failed("无法读取照片", exc, path) from exc
    if not picture:
        raise MediaError("无法读取照片：没有可解码的画面。原件已完整保存。", "ffmpeg wrote no frame")
    try:
        with _open_small(picture) as image:
            image.getexif()[0x0112] = orientation
            upright = ImageOps.exif_transpose(image)
            return _jpeg(upright, POSTER_SIZE), _jpeg(upright, THUMB_SIZE)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise MediaError("无法读取照片：画面无法解码。原件已完整保存。", scrub(str(exc), path)) from exc


def proxy_max_side() -> int:
    """AV_PROXY_MAX_SIDE: the browser copy has at most this many pixels on its longer side
    (default 1280; the original, at full size, is in dedicated storage)."""
    return int(getattr(settings, "AV_PROXY_MAX_SIDE", 1280))


@dataclass(frozen=True)
class ProxyPlan:
    """How to make the browser copy: `remux` (copy the streams into a new MP4 with the index
    in front) or not (transcode); `reason` says why, in Chinese, for the record's page;
    `playable`: what browsers play of it as it is ("H.264/AAC"), when `remux`."""

    remux: bool
    reason: str
    playable: str = ""


def proxy_plan(raw: dict[str, Any], *, max_side: int) -> ProxyPlan:
    """Decide from a stored ffprobe result (`raw`: {"format": ..., "streams": [...]}) whether
    browsers play the source as it is: an MP4/MOV container; its picture (if any) H.264 of a
    playable profile (PLAYABLE_H264_PROFILES), yuv420p, square pixels (SAR 1:1 or unset), no
    rotation, even width and height, at most `max_side` pixels on the longer side; every audio
    track AAC (or none). Pure: no file is read."""
    fmt = str(raw.get("format", {}).get("format_name", ""))
    streams = raw.get("streams", [])
    video = [s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    if not video and not audio:
        return ProxyPlan(False, "没有可播放的音视频流")
    why: list[str] = []
    if not (fmt + ",").startswith(MP4_FORMATS):
        why.append(f"容器为 {fmt or '未知格式'}（非 MP4/MOV）")
    if video:
        v = video[0]
        codec, profile, pix_fmt = v.get("codec_name", ""), v.get("profile", ""), v.get("pix_fmt", "")
        width, height = int(v.get("width") or 0), int(v.get("height") or 0)
        if codec != "h264":
            why.append(f"视频编码为 {codec or '未知'}（非 H.264）")
        elif profile not in PLAYABLE_H264_PROFILES:
            why.append(f"H.264 档次为 {profile or '未知'}（浏览器不一定能播放）")
        if pix_fmt != "yuv420p":
            why.append(f"像素格式为 {pix_fmt or '未知'}（非 yuv420p）")
        sar = _ratio(v.get("sample_aspect_ratio"))
        if sar is not None and sar != 1:
            why.append(f"像素非正方形（SAR {v.get('sample_aspect_ratio')}）")
        if _rotation(v) % 360:
            why.append(f"画面带旋转标记（{_rotation(v)}°）")
        if not width or not height or width % 2 or height % 2:
            why.append(f"画面尺寸 {width}×{height} 不是偶数")
        if max(width, height) > max_side:
            why.append(f"分辨率 {width}×{height} 超过播放副本上限（长边 {max_side} 像素）")
    others = sorted({s.get("codec_name", "") or "未知" for s in audio} - {"aac"})
    if others:
        why.append(f"音频编码为 {'、'.join(others)}（非 AAC）")
    if why:
        return ProxyPlan(False, "；".join(why))
    what = "H.264" + ("/AAC" if audio else "") if video else "AAC"
    return ProxyPlan(True, f"源文件为浏览器可直接播放的 {what}（MP4/MOV），流复制，原画质", what)


# Top-level boxes index_in_front reads at most: a real MP4 has a handful (ftyp, moov, mdat,
# free, udta ...); a file of millions of tiny boxes is not walked (it is remuxed instead).
MAX_BOXES = 1000


def top_boxes(path: str) -> list[tuple[bytes, int]] | None:
    """The top-level boxes of the MP4/MOV file at `path`, as (type, size in bytes), in file
    order; None unless they chain exactly to the end of the file (cut short, damaged, empty
    or more than MAX_BOXES). Reads only box headers (16 bytes each, seeking over the bodies;
    ISO/IEC 14496-12 §4.2: a 32-bit size, 1 = a 64-bit size follows, 0 = to the end)."""
    size = os.path.getsize(path)
    pos, boxes = 0, []
    with open(path, "rb") as fh:
        for _ in range(MAX_BOXES):
            fh.seek(pos)
            head = fh.read(16)
            if len(head) < 8:
                return None
            box, kind = struct.unpack(">I4s", head[:8])
            if box == 1:
                box = struct.unpack(">Q", head[8:16])[0] if len(head) == 16 else 0
                if box < 16:
                    return None
            elif box == 0:
                box = size - pos
            elif box < 8:
                return None
            if pos + box > size:
                return None  # cut short: the file is not whole
            boxes.append((kind, box))
            pos += box
            if pos == size:
                return boxes
    return None


def index_in_front(path: str) -> bool:
    """True when the MP4/MOV file at `path` is whole (top_boxes) and has its index (the moov
    box) before its media data (the first mdat box), as `+faststart` leaves it: a browser
    then plays it from its first bytes."""
    kinds = [kind for kind, _ in top_boxes(path) or []]
    return b"moov" in kinds and b"mdat" in kinds and kinds.index(b"moov") < kinds.index(b"mdat")


def original_plan(raw: dict[str, Any], path: str, plan: ProxyPlan) -> ProxyPlan | None:
    """The original itself as the player's source, when a remux would only copy it: browsers
    play it as it is (`plan` = proxy_plan(raw), a remux), it has one picture stream at most
    (a remux keeps only the first) and its index is in front (index_in_front: no faststart
    pass needed). Returns the plan with the reason in Chinese, else None (remux it)."""
    if not plan.remux:
        return None
    streams = raw.get("streams", [])
    pictures = [
        s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    if len(pictures) > 1 or not index_in_front(path):
        return None
    return ProxyPlan(
        True,
        f"源文件为浏览器可直接播放的 {plan.playable}（MP4/MOV），索引在前，直接播放原件，不另生成副本",
        plan.playable,
    )


def proxy_args(
    path: str,
    out: str,
    *,
    has_video: bool,
    audio_tracks: int,
    remux: bool = False,
    max_side: int | None = None,
    reserve: int | None = None,
) -> list[str]:
    """The ffmpeg arguments (without the program name) that `proxy` runs."""
    return list(
        _proxy_output(
            path, out, has_video=has_video, audio_tracks=audio_tracks, remux=remux, max_side=max_side, reserve=reserve
        ).get_args()
    )


def _proxy_output(
    path: str,
    out: str,
    *,
    has_video: bool,
    audio_tracks: int,
    remux: bool,
    max_side: int | None = None,
    reserve: int | None = None,
) -> Any:
    """The ffmpeg command that makes the browser copy of `path` at `out`. `remux`: copy the
    first picture stream and every audio track as they are (no encoder runs); else H.264 in
    square pixels at the display aspect ratio, at most `max_side` (AV_PROXY_MAX_SIDE), even
    dimensions, yuv420p, and AAC, every audio track kept (Archivematica #773/#1328). Either
    way an MP4 with its index in front, so playback starts before it is loaded: written there
    into `reserve` bytes kept free for it (-moov_size: the file is written once), else moved
    there when the file is finished (+faststart: ffmpeg reads and writes the whole file again)."""
    inp = ffmpeg.input(path)
    streams: list[Any] = []
    kwargs: dict[str, Any] = {"format": "mp4"}
    if reserve:
        kwargs["moov_size"] = reserve
    else:
        kwargs["movflags"] = "+faststart"
    if has_video:
        streams.append(inp["v:0"] if remux else _fit(inp["v:0"], max_side or proxy_max_side()))
    streams.extend(inp[f"a:{i}"] for i in range(audio_tracks))
    if remux:
        kwargs["c"] = "copy"
    else:
        if has_video:
            kwargs.update(vcodec="libx264", preset="veryfast", crf=26, pix_fmt="yuv420p")
        if audio_tracks:
            kwargs.update(acodec="aac", audio_bitrate="128k")
    return ffmpeg.output(*streams, out, **kwargs).global_args(*QUIET).overwrite_output()


def index_reserve(path: str) -> int | None:
    """Bytes to keep free in front of a remux of `path` for its index: twice the source's
    own moov box and 64 KiB (the copy indexes the same samples, possibly in more chunks);
    None when the source's boxes cannot be read (then +faststart)."""
    sizes = [size for kind, size in top_boxes(path) or [] if kind == b"moov"]
    return 2 * sizes[0] + 65536 if sizes else None


def proxy(path: str, *, has_video: bool, audio_tracks: int, work_dir: Path | None = None, remux: bool = False) -> Path:
    """A browser-playable MP4 made as `_proxy_output` says, written into `work_dir` (a fresh
    temporary folder if none); returns the file path, which the caller moves and cleans up.
    A remux writes the index into room kept for it in front (index_reserve), so the copy is
    written once; ffmpeg 5 exits 0 even when that room was too small (it then overwrites
    media data), so the result is checked (index_in_front: a whole chain of boxes, the index
    first) and, if wrong, made again with +faststart.
    Raises MediaError (the file's fault) or MediaResourceError (the machine's)."""
    out = (work_dir or Path(tempfile.mkdtemp(prefix="linke-av-"))) / "proxy.mp4"
    reserve = index_reserve(path) if remux else None
    for room in (reserve, None) if reserve else (None,):
        command = _proxy_output(
            path, str(out), has_video=has_video, audio_tracks=audio_tracks, remux=remux, reserve=room
        )
        try:
            _, err = command.run(capture_stdout=True, capture_stderr=True)
        except ffmpeg.Error as exc:
            out.unlink(missing_ok=True)
            raise _ffmpeg_failed("无法生成播放副本（文件可能损坏或不完整）", exc, path) from exc
        if room is None or (not (err or b"").strip() and index_in_front(str(out))):
            return out
        detail = scrub((err or b"").decode("utf-8", "replace").strip()[-300:], path, str(out))
        log.warning("remux: the index did not fit %s bytes in front (%s); again with +faststart", room, detail)
        out.unlink(missing_ok=True)
    return out


def waveform(path: str) -> bytes:
    """A PNG of the first audio track's waveform (audio-only records)."""
    try:
        png, _ = (
            ffmpeg.input(path)["a:0"]
            .filter("showwavespic", s=WAVEFORM_SIZE, colors="0x1f5f8b")
            .output("pipe:", vframes=1, format="image2", vcodec="png")
            .global_args(*QUIET)
            .run(capture_stdout=True, capture_stderr=True)
        )
    except ffmpeg.Error as exc:
        raise _ffmpeg_failed("无法生成波形图", exc, path) from exc
    return png


# Where a watermark's lines are drawn (drawtext's x and y: w, h the picture's size, text_w the
# line's width): near the top left, in the middle and near the bottom right, so cropping one
# corner or the middle away leaves the others (第二十九条 consultation, archive.rendition).
MARK_PLACES = (("w*0.04", "h*0.08"), ("(w-text_w)/2", "h*0.45"), ("w*0.96-text_w", "h*0.82"))


def _mark_size(text: str, width: int, height: int) -> int:
    """The font size (pixels) of a watermark line of `text`: the line about 90 % of the width
    (a CJK character is one em wide, anything else about half), at most a tenth of the height,
    at least 10 px."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text) or 1
    return max(10, min(int(0.9 * width / ems), height // 10))


def _draw_mark(stream: Any, textfile: Path, font: str, size: int) -> Any:
    for x, y in MARK_PLACES:
        stream = stream.drawtext(
            textfile=str(textfile),
            fontfile=font,
            expansion="none",  # the text is literal: a "%" in a name is no directive
            fontsize=size,
            fontcolor="white@0.5",
            borderw=max(1, size // 16),
            bordercolor="black@0.5",
            x=x,
            y=y,
        )
    return stream


def burn_text(path: str, out: Path, *, text: str, font: str, kind: str) -> Path:
    """A copy of the file at `path` (a record's browser copy: an MP4 proxy, a photo's JPEG, an
    audio MP4) with `text` burnt in, written to `out`: a video is re-encoded (H.264, yuv420p,
    `+faststart`; the audio tracks copied) with `text` drawn (ffmpeg drawtext, `font` a font
    file) semi-transparent in the three MARK_PLACES of every frame; a photo becomes a JPEG with
    the same marks; a sound carries no picture, so its copy (streams copied) names `text` in
    its metadata (comment, title). `kind` is a MediaKind value. Returns `out`.
    Raises MediaError (the file's fault) or MediaResourceError (the machine's)."""
    textfile = out.with_suffix(".txt")
    textfile.write_text(text, encoding="utf-8")
    inp = ffmpeg.input(path)
    try:
        if kind == "audio":
            command = ffmpeg.output(
                inp["a"],
                str(out),
                c="copy",
                format="mp4",
                movflags="+faststart",
                **{"metadata:g:0": f"comment={text}", "metadata:g:1": f"title={text}"},
            )
        else:
            size = coded_size(ffmpeg.probe(path, v="error")) or (0, 0)
            if not size[0]:
                raise MediaError("无法生成带水印的副本：没有可用的画面。", "no picture stream")
            picture = _draw_mark(inp["v:0"], textfile, font, _mark_size(text, *size))
            if kind == "photo":
                command = ffmpeg.output(picture, str(out), vframes=1, format="image2", vcodec="mjpeg", q=3)
            else:
                command = ffmpeg.output(
                    picture,
                    inp["a?"],
                    str(out),
                    format="mp4",
                    movflags="+faststart",
                    vcodec="libx264",
                    preset="veryfast",
                    crf=23,
                    pix_fmt="yuv420p",
                    acodec="copy",
                )
        command.global_args(*QUIET).overwrite_output().run(capture_stdout=True, capture_stderr=True)
    except ffmpeg.Error as exc:
        out.unlink(missing_ok=True)
        raise _ffmpeg_failed("无法生成带水印的副本", exc, path) from exc
    finally:
        textfile.unlink(missing_ok=True)
    return out
