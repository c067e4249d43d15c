"""The upload form's state on the checklist (issue 13): read from the portal's own rows."""

from django import template

from proposals.services.uploads import upload_words, uploads_latest_by_item

register = template.Library()


@register.simple_tag
def uploads_by_item(proposal):
    """`{% uploads_by_item proposal as uploads %}`: the latest upload of each checklist item."""
    return uploads_latest_by_item(proposal)


@register.simple_tag
def upload_of(uploads, row):
    """`{% upload_of uploads row as upload %}`: that row's latest upload, or None."""
    return uploads.get(f"{row.id_type}-{row.id_value}")


@register.filter
def upload_state_words(upload):
    return upload_words(upload) if upload is not None else ""
