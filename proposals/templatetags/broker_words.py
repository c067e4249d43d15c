"""Filters that put SFS's codes in words on a broker's pages (proposals/views/event_words.py)."""

from django import template

from proposals.views import event_words as presenter

register = template.Library()

register.filter("event_words", presenter.event_words)
register.filter("error_words", presenter.error_words)
register.filter("notification_words", presenter.notification_words)
register.filter("field_words", presenter.field_words)
register.filter("value_words", presenter.value_words)
