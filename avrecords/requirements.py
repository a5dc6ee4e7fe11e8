"""第二十六、二十七条 on the case checklist: while a case is being investigated its
audio-visual records must be described (method, time, maker, what it proves; a transcript
for sound), stored within 2 working days (or the delay explained), and the recordings that
written records say were made must have arrived."""

from django.db.models import Count, Q

from cases.models import Case, CaseState
from cases.requirements import Requirement, memo, register

from .models import AVRecord, ExpectedRecord, MediaKind

STAGE = CaseState.INVESTIGATING


def _stats(case: Case) -> dict[str, int]:
    """Two aggregate queries per checklist evaluation, shared by the four requirements."""

    def compute() -> dict[str, int]:
        audio = Q(kind=MediaKind.AUDIO)
        out = AVRecord.objects.filter(case=case).aggregate(
            records=Count("pk"),
            unfinalised=Count("pk", filter=Q(finalised_at__isnull=True)),
            audio=Count("pk", filter=audio),
            untranscribed=Count("pk", filter=audio & Q(transcript="")),
            unstored=Count("pk", filter=Q(stored_at__isnull=True)),
            late_unexplained=Count("pk", filter=Q(late=True, late_reason="")),
        )
        out |= ExpectedRecord.objects.filter(case=case, withdrawn_at__isnull=True).aggregate(
            expects=Count("pk"), expected_open=Count("pk", filter=Q(fulfilled_at__isnull=True))
        )
        return out

    return memo(case, "avrecords", compute)  # type: ignore[return-value]


def _has_records(case: Case) -> bool:
    return _stats(case)["records"] > 0


def _all_described(case: Case) -> bool:
    return _stats(case)["unfinalised"] == 0


def _has_audio(case: Case) -> bool:
    return _stats(case)["audio"] > 0


def _audio_transcribed(case: Case) -> bool:
    return _stats(case)["untranscribed"] == 0


def _all_stored(case: Case) -> bool:
    stats = _stats(case)
    return stats["unstored"] == 0 and stats["late_unexplained"] == 0


def _expects(case: Case) -> bool:
    return _stats(case)["expects"] > 0


def _expected_arrived(case: Case) -> bool:
    return _stats(case)["expected_open"] == 0


register(
    Requirement(
        code="av.described",
        article="第二十六条",
        stage=STAGE,
        order=260,
        applies=_has_records,
        satisfied=_all_described,
        label="音像记录附制作方法、制作时间、制作人和证明对象，并已定稿",
        target="av#panel-avrecords",
    ),
    Requirement(
        code="av.transcript",
        article="第二十六条",
        stage=STAGE,
        order=261,
        applies=_has_audio,
        satisfied=_audio_transcribed,
        label="声音资料附声音内容的文字记录",
        target="av#panel-avrecords",
    ),
    Requirement(
        code="av.stored",
        article="第二十七条",
        stage=STAGE,
        order=270,
        applies=_has_records,
        satisfied=_all_stored,
        label="音像记录2个工作日内存入专用存储（逾期的已书面说明原因）",
        target="av#panel-avrecords",
    ),
    Requirement(
        code="av.expected",
        article="第二十七条",
        stage=STAGE,
        order=271,
        applies=_expects,
        satisfied=_expected_arrived,
        label="文字记录载明已录音录像的，音像记录资料已到达专用存储",
        target="av#panel-avrecords",
    ),
)
