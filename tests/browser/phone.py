"""Checks of a page on a phone: nothing wider than the screen, touch targets of 44 px."""

from __future__ import annotations

from playwright.sync_api import Page

PHONE = (390, 844)
DESKTOP = (1440, 900)

# Every visible control of the page and its box; a checkbox or radio button counts by its
# label (the label is what the finger touches), a visually hidden file input likewise.
_SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea')) {
    const byLabel = el.classList.contains('visually-hidden')
      || ['checkbox', 'radio'].includes(el.type);
    const target = byLabel ? el.closest('label') : el;
    if (!target) continue;
    const box = target.getBoundingClientRect();
    const style = getComputedStyle(target);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (box.width < 44 || box.height < 44) {
      const name = (target.textContent || target.getAttribute('aria-label') || '').trim();
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${target.tagName} "${name.slice(0, 40)}" ${size}`);
    }
  }
  return small;
}"""


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scrolling)."""
    width: int = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return max(0, width)


def small_targets(page: Page) -> list[str]:
    """The controls smaller than 44 × 44 px."""
    found: list[str] = page.evaluate(_SMALL_TARGETS)
    return found
