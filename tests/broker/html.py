"""Reading the pages the way a person (or a screen reader) meets them: by element id."""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class _Find(HTMLParser):
    def __init__(self, element_id):
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.depth = 0
        self.text: list[str] = []
        self.found = False
        self.attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag not in VOID:
                self.depth += 1
        elif attrs.get("id") == self.element_id:
            self.found, self.attrs = True, attrs
            if tag not in VOID:
                self.depth = 1

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def element(html: str, element_id: str) -> tuple[dict, str] | None:
    """(attributes, text) of the element with ``element_id``, or None."""
    finder = _Find(element_id)
    finder.feed(html)
    if not finder.found:
        return None
    return finder.attrs, " ".join("".join(finder.text).split())


def error_text(html: str, field_id: str) -> str:
    """The error shown next to a field (``<id>_error``); "" when there is none."""
    found = element(html, f"{field_id}_error")
    return found[1] if found else ""


def field_attrs(html: str, field_id: str) -> dict:
    found = element(html, field_id)
    return found[0] if found else {}
