"""A tiny PDF writer: text pages in Helvetica, enough for the agreements and the decision document.

The file has a correct cross-reference table, so strict readers (poppler's `pdftoppm`) render
it without repairing it. Text outside Latin-1 becomes `?`: the standard font has no other glyphs.
"""

LINES_PER_PAGE = 48
TOP = 800
LEADING = 15
LEFT = 56


def _escape(text: str) -> str:
    text = text.encode("latin-1", errors="replace").decode("latin-1")
    text = "".join(ch if ch >= " " else " " for ch in text)
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(title: str | None, lines: list[str]) -> bytes:
    parts = ["BT"]
    y = TOP
    if title is not None:
        parts.append(f"/F1 16 Tf {LEFT} {y} Td ({_escape(title)}) Tj")
        parts.append(f"/F1 11 Tf 0 -{2 * LEADING} Td")
    else:
        parts.append(f"/F1 11 Tf {LEFT} {y} Td")
    for line in lines:
        parts.append(f"({_escape(line)}) Tj 0 -{LEADING} Td")
    parts.append("ET")
    return "\n".join(parts).encode("latin-1")


def write_pdf(title: str, lines: list[str]) -> bytes:
    """A PDF of one or more A4 pages: the title on the first, then the lines."""
    first = LINES_PER_PAGE - 2
    chunks = [lines[:first]]
    rest = lines[first:]
    while rest:
        chunks.append(rest[:LINES_PER_PAGE])
        rest = rest[LINES_PER_PAGE:]
    page_count = len(chunks)
    # Objects: 1 catalog, 2 pages, 3 font, then a page and its content stream per page.
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objects: list[bytes] = [b"", b"", font]
    kids = []
    for index, chunk in enumerate(chunks):
        page_number = 4 + 2 * index
        stream = _page_stream(title if index == 0 else None, chunk)
        kids.append(f"{page_number} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_number + 1} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {page_count} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
