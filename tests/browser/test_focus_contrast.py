"""Focus people can see: moving through a page with the Tab key, each focused control shows a ring
of at least 2 px with a contrast of 3:1 or more against the colour behind it (WCAG 1.4.11)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element's ring and what it is drawn on: the first ancestor with a solid background.
RING = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  let node = el.parentElement, behind = "rgb(255, 255, 255)";
  while (node) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== "transparent" && !bg.startsWith("rgba(0, 0, 0, 0)")) { behind = bg; break; }
    node = node.parentElement;
  }
  return {
    what: el.tagName + (el.id ? "#" + el.id : "") + " " + (el.name || el.textContent).slice(0, 30),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    ring: style.outlineColor, behind: behind,
  };
}
"""


def _channels(css: str) -> tuple[float, float, float]:
    inside = css[css.index("(") + 1 : css.index(")")]
    red, green, blue = (float(part) for part in inside.replace(",", " ").split()[:3])
    return red, green, blue


def _luminance(css: str) -> float:
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(css))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_does():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert contrast("rgb(255, 255, 255)", "rgb(255, 255, 255)") == 1.0


def rings_along_the_tab_order(tab, presses: int) -> list[dict]:
    seen = []
    for _ in range(presses):
        tab.page.keyboard.press("Tab")
        ring = tab.page.evaluate(RING)
        if ring is not None:
            seen.append(ring)
    return seen


@pytest.mark.parametrize("path", ["/", "/proposals/new"])
def test_every_focused_control_shows_a_ring_at_3_to_1(open_tab, broker, portal_credential, path):
    tab = open_tab("focus")
    tab.login(broker.username)
    tab.goto(path)
    tab.page.wait_for_load_state("load")
    rings = rings_along_the_tab_order(tab, 25)
    assert len(rings) >= 8, rings
    faint = [
        ring
        for ring in rings
        if ring["style"] == "none"
        or ring["width"] < 2
        or contrast(ring["ring"], ring["behind"]) < 3
    ]
    assert faint == [], faint
