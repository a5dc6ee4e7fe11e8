"""Every audit action written anywhere in the code has a Chinese name on the case timeline
(第三条: the trail is read by people, not by programmers)."""

import ast
from pathlib import Path

from django.conf import settings

from audit.signals import _ADMIN_ACTIONS
from cases.models import ApplicationEventKind
from cases.stages import transitions
from cases.timeline import ACTION_LABELS, action_label

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "var", "node_modules", "migrations", "tests", "bench", "static", "templates"}

# Call sites whose action is computed: what each can produce. A new computed call site
# fails the test until it is listed here.
DYNAMIC = {
    "f'case.{t.name}'": {f"case.{name}" for name in transitions()},
    "f'application.{kind.value}'": {f"application.{k.value}" for k in ApplicationEventKind},
    "_ADMIN_ACTIONS.get(instance.action_flag, 'admin.other')": set(_ADMIN_ACTIONS.values()) | {"admin.other"},
    # avrecords.services.record_access(action=...): its callers pass action="av.…" (collected below).
    "action": set(),
}


def _sources():
    for app_dir in ROOT.iterdir():
        if not app_dir.is_dir() or app_dir.name in SKIP or app_dir.name.startswith("."):
            continue
        for path in app_dir.rglob("*.py"):
            if SKIP.isdisjoint(path.relative_to(ROOT).parts):
                yield path


def _actions_in_code() -> tuple[set[str], set[str]]:
    found, unknown_dynamic = set(), set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "record" and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                elif ast.unparse(arg) in DYNAMIC:
                    found |= DYNAMIC[ast.unparse(arg)]
                else:
                    unknown_dynamic.add(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(arg)}")
            for kw in node.keywords:
                if (
                    kw.arg == "action"
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                    and "." in kw.value.value
                ):
                    found.add(kw.value.value)
    return found, unknown_dynamic


def test_every_audit_action_in_the_code_has_a_chinese_label():
    found, unknown_dynamic = _actions_in_code()
    assert not unknown_dynamic, "computed audit actions: list what they produce in DYNAMIC"
    # The scan sees the apps that write the trail, so it cannot pass on an empty set.
    assert {
        "case.registered",
        "record.finalised",
        "document.issued",
        "deadline.opened",
        "av.received",
        "av.played",
        "case.approve_filing",
    } <= found
    unlabelled = sorted(a for a in found if action_label(a) == a)
    assert unlabelled == []


def test_labels_are_chinese():
    for action, label in ACTION_LABELS.items():
        assert label and not label.isascii(), action
