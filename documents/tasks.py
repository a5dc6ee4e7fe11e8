from celery import shared_task

from .services import document_render


@shared_task(acks_late=True)
def document_render_task(document_id: int) -> str:
    """Render a document to PDF and store it; a repeat run for a finalised document is a no-op."""
    return document_render(document_id=document_id).status
