from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def signing_key_configured(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Production signs audit checkpoints with its own key, not one generated on the fly."""
    if settings.AUDIT_SIGNING_KEY.strip() or "AUDIT_SIGNING_KEY_FILE" in __import__("os").environ:
        return []
    return [
        Warning(
            "AUDIT_SIGNING_KEY（或 AUDIT_SIGNING_KEY_FILE）未设置：审计检查点将使用自动生成的演示密钥签名。",
            hint="生成 Ed25519 私钥（PEM）并通过环境变量提供。",
            id="audit.W001",
        )
    ]
