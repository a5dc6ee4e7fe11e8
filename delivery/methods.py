"""What each delivery method must record, element by element, with the article that asks for it
(第十七至二十二条; 《行政处罚法》第六十一条). One declaration serves the action (which refuses a
missing element naming its article), the form (which shows only its method's elements) and the
checklist (delivery/requirements.py).

An element is recorded either when the attempt is made (phase START) or when its result comes
back (phase COMPLETE: the postal return receipt, the entrusted organ's 送达回证). A method whose
COMPLETE elements are all given at once is served at once; given none, the attempt waits
(送达中) for `delivery_complete`. Elements marked `on_failure` are recorded for a failed attempt
too (where, when and by whom it was tried), besides its reason.

Kinds: text, date, datetime, bool (must be ticked), choice, users (certified officers), file
(an upload kept as a case attachment), av (an AV record of the case).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .models import Carrier, DeliveryMethod, OrganKind, PostalKind, RecipientRelation

START, COMPLETE = "start", "complete"
ART_61 = "《行政处罚法》第六十一条"


@dataclass(frozen=True)
class Element:
    name: str  # the attempt's field, or the file element's code (DeliveryFile.element)
    label: str  # Chinese, as the form and the refusal name it
    article: str
    kind: str = "text"
    phase: str = START
    on_failure: bool = False
    # Required only when this says so (given the values entered); None: always.
    when: Callable[[dict[str, Any]], bool] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    help_text: str = ""
    # A file element's 题名 in the case file, before the document it concerns (file_title);
    # "": the label without its "（扫描件）"/"（文件）".
    title: str = ""

    def required(self, values: dict[str, Any]) -> bool:
        return self.when is None or self.when(values)


@dataclass(frozen=True)
class Method:
    code: str
    article: str
    elements: tuple[Element, ...]
    # Allowed values of `organ_kind` (entrusted / transferred).
    organ_kinds: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return DeliveryMethod(self.code).label

    def of_phase(self, phase: str) -> list[Element]:
        return [e for e in self.elements if e.phase == phase]

    @property
    def waits(self) -> bool:
        """Whether an attempt may be recorded before its result (送达中)."""
        return bool(self.of_phase(COMPLETE)) or self.code == DeliveryMethod.ANNOUNCEMENT


def _blank(values: dict[str, Any], name: str) -> bool:
    value = values.get(name)
    return value in (None, "", [], (), False) or (isinstance(value, str) and not value.strip())


A18, A19, A20, A21, A22 = "第十八条", "第十九条", "第二十条", "第二十一条", "第二十二条"
RECEIPT = "送达回证"
_FILE_SUFFIX = re.compile(r"（(?:扫描件|文件)）$")


def _deliverers(article: str, **kw: Any) -> Element:
    return Element("deliverers", "送达人（执法人员）", article, "users", **kw)


def _direct() -> Method:
    return Method(
        DeliveryMethod.DIRECT,
        A18,
        (
            Element("delivered_at", "送达时间", A18, "datetime", on_failure=True),
            Element("place", "送达地点", A18, on_failure=True),
            _deliverers(A18, on_failure=True),
            Element("seal", "送达文书加盖行政执法机关印章", A18, "bool"),
            Element("recipient_name", "签收人姓名", A18),
            Element(
                "recipient_relation",
                "签收人与受送达人的关系",
                A18,
                "choice",
                choices=tuple(RecipientRelation.choices),
                help_text="自然人：本人或同住成年家属；法人或其他组织：法定代表人、主要负责人或负责收件的人；"
                "也可以是代理人或指定的代收人。拒绝签收的，请登记为未送达并改用留置送达（第二十条）。",
            ),
            Element("served_on", "签收日期（签收人在送达回证上写明的日期）", A18, "date"),
            Element("receipt", "签收的送达回证（扫描件）", A18, "file", title=RECEIPT),
        ),
    )


def _postal() -> Method:
    return Method(
        DeliveryMethod.POSTAL,
        A19,
        (
            Element(
                "postal_kind", "邮寄方式（挂号信或邮政特快专递）", A19, "choice", choices=tuple(PostalKind.choices)
            ),
            Element("tracking_no", "邮件号", A19),
            Element("sent_on", "交邮日期", A19, "date", on_failure=True),
            Element("registration", "邮寄送达登记（扫描件）", A19, "file"),
            Element("postage_receipt", "付邮凭证（扫描件）", A19, "file"),
            Element("mailing_list", "邮寄清单（扫描件）", A19, "file"),
            Element(
                "listed_documents",
                "邮寄清单载明的文书名称及文号",
                A19,
                help_text="照邮寄清单填写，须含所送达文书的名称和文号。",
            ),
            Element("return_receipt", "邮件回执（扫描件）", A19, "file", phase=COMPLETE),
            Element("served_on", "回执签收日期", A19, "date", phase=COMPLETE),
        ),
    )


def _lien() -> Method:
    return Method(
        DeliveryMethod.LIEN,
        A20,
        (
            Element("reason", "留置事由（如受送达人拒绝签收）", A20),
            Element("place", "留置地点", A20),
            Element("delivered_at", "留置时间", A20, "datetime"),
            _deliverers(A20),
            Element(
                "witnesses",
                "见证人（基层组织或所在单位的代表，姓名及单位）",
                A20,
                when=lambda v: _blank(v, "av_record"),
                help_text="无见证人的，须关联记录留置过程的音像记录。",
            ),
            Element(
                "av_record",
                "记录留置过程的音像记录（无见证人时）",
                A20,
                "av",
                when=lambda v: _blank(v, "witnesses"),
            ),
        ),
    )


def _through(code: str, organ_kinds: tuple[str, ...], what: str) -> Method:
    return Method(
        code,
        A21,
        (
            Element("reason", f"{what}原因", A21),
            Element(
                "organ_kind",
                f"{what}单位类别",
                A21,
                "choice",
                choices=tuple((k, OrganKind(k).label) for k in organ_kinds),
            ),
            Element("organ_name", f"{what}单位名称", A21),
            Element("sent_on", f"{what}日期", A21, "date", on_failure=True),
            Element("letter", "委托函或转交函（扫描件）", A21, "file"),
            Element("deliverer_name", "送达人（受委托或转交单位的人员）", A21, phase=COMPLETE),
            Element("recipient_name", "签收人姓名", A21, phase=COMPLETE),
            Element("served_on", "签收日期", A21, "date", phase=COMPLETE),
            Element("receipt", "签收的送达回证（扫描件）", A21, "file", phase=COMPLETE, title=RECEIPT),
        ),
        organ_kinds=organ_kinds,
    )


def _announcement() -> Method:
    return Method(
        DeliveryMethod.ANNOUNCEMENT,
        A22,
        (
            Element("reason", "采取公告送达的原因（其他方式无法送达的情况）", A22),
            Element("carrier", "公告载体", A22, "choice", choices=tuple(Carrier.choices)),
            Element("text", "公告文本（文件）", A22, "file"),
            Element("published_on", "公告发布日期", A22, "date"),
            Element("place", "公告地点（张贴地点、报纸名称或网址）", A22),
            Element("present_persons", "在场人员", A22),
            Element(
                "photo",
                "在受送达人住所张贴公告的照片或视频",
                "第二十二条第二款；最高法解释第一百三十八条",
                "file",
                when=lambda v: v.get("carrier") == Carrier.RESIDENCE,
            ),
        ),
    )


def _electronic() -> Method:
    return Method(
        DeliveryMethod.ELECTRONIC,
        ART_61,
        (
            Element("delivered_at", "送达系统记录的送达成功时间", ART_61, "datetime"),
            Element("evidence", "送达成功记录（系统回执或截图）", ART_61, "file"),
        ),
    )


METHODS: dict[str, Method] = {
    m.code: m
    for m in (
        _direct(),
        _postal(),
        _lien(),
        _through(DeliveryMethod.ENTRUSTED, (OrganKind.ADMIN_ORGAN,), "委托"),
        _through(DeliveryMethod.TRANSFERRED, (OrganKind.MILITARY, OrganKind.PRISON, OrganKind.EDUCATION), "转交"),
        _announcement(),
        _electronic(),
    )
}


def missing(method: Method, values: dict[str, Any], phase: str, *, failure: bool = False) -> list[Element]:
    """The required elements of `phase` not given in `values` (files included by their code)."""
    return [
        e
        for e in method.of_phase(phase)
        if (e.on_failure or not failure) and e.required(values) and _blank(values, e.name)
    ]


def describe(method: Method, gaps: list[Element]) -> str:
    """'第十八条：直接送达缺少送达人、签收人姓名' — grouped by article."""
    by_article: dict[str, list[str]] = {}
    for e in gaps:
        by_article.setdefault(e.article, []).append(e.label)
    return "；".join(f"{art}：{method.label}缺少{'、'.join(labels)}" for art, labels in by_article.items())


def file_elements(method: Method) -> list[Element]:
    return [e for e in method.elements if e.kind == "file"]


def file_title(element: Element, doc: Any) -> str:
    """The 题名 of a delivery file stored as a case attachment (the 卷内目录's title): what it is
    and which document it concerns, e.g. "送达回证（行政处罚决定书 临科罚决〔2026〕3号）" — two
    receipts of one case are told apart by the document they prove served (第十八、二十一条).
    `doc`: the Document served (its title and number)."""
    what = element.title or _FILE_SUFFIX.sub("", element.label)
    about = f"{doc.title} {doc.number}".strip()
    return f"{what}（{about}）" if about else what


def element_label(method_code: str, name: str) -> str:
    for e in METHODS[method_code].elements:
        if e.name == name:
            return e.label
    return name
