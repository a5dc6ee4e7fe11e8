"""第二十六、二十七条 on the case checklist: while a case is being investigated its
audio-visual records must be described (method, time, maker, what it proves; a transcript
for sound), stored within 2 working days (or the delay explained), and the recordings that
written records say were made must have arrived."""

from cases.models import Case, CaseState
from cases.requirements import Requirement, register

from .models import AVRecord, ExpectedRecord, MediaKind

STAGE = CaseState.INVESTIGATING


def _has_records(case: Case) -> bool:
    return AVRecord.objects.filter(case=case).exists()


def _all_described(case: Case) -> bool:
    return not AVRecord.objects.filter(case=case, finalised_at__isnull=True).exists()


def _has_audio(case: Case) -> bool:
    return AVRecord.objects.filter(case=case, kind=MediaKind.AUDIO).exists()


def _audio_transcribed(case: Case) -> bool:
    return not AVRecord.objects.filter(case=case, kind=MediaKind.AUDIO, transcript="").exists()


def _all_stored(case: Case) -> bool:
    records = AVRecord.objects.filter(case=case)
    return not records.filter(stored_at__isnull=True).exists() and not records.filter(late=True, late_reason="").exists()


def _expects(case: Case) -> bool:
    return ExpectedRecord.objects.filter(case=case, withdrawn_at__isnull=True).exists()


def _expected_arrived(case: Case) -> bool:
    return not ExpectedRecord.objects.filter(case=case, withdrawn_at__isnull=True, fulfilled_at__isnull=True).exists()


register(
    Requirement(code="av.described", article="第二十六条", stage=STAGE, order=260, applies=_has_records,
                satisfied=_all_described,
                label="音像记录附制作方法、制作时间、制作人和证明对象，并已定稿"),
    Requirement(code="av.transcript", article="第二十六条", stage=STAGE, order=261, applies=_has_audio,
                satisfied=_audio_transcribed, label="声音资料附声音内容的文字记录"),
    Requirement(code="av.stored", article="第二十七条", stage=STAGE, order=270, applies=_has_records,
                satisfied=_all_stored, label="音像记录2个工作日内存入专用存储（逾期的已书面说明原因）"),
    Requirement(code="av.expected", article="第二十七条", stage=STAGE, order=271, applies=_expects,
                satisfied=_expected_arrived, label="文字记录载明已录音录像的，音像记录资料已到达专用存储"),
)
