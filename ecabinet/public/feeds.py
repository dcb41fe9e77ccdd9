"""The public page's Atom feeds (all, or one agency's, or one type's) and the sitemap:
only what ``documents.public_queries`` finds, so only what was published."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from documents.public_queries import PublicItem, PublicPage

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
STATES_VI = {"published": "", "withdrawn": " (đã thu hồi)", "expired": " (hết hiệu lực)"}


def _title(item: PublicItem) -> str:
    assert item.shown is not None
    return f"{item.type_name} số {item.shown.number_symbol}{STATES_VI[item.shown.state]}"


def atom(page: PublicPage, base: str, title: str, self_url: str) -> bytes:
    """An Atom 1.0 feed of the page's items, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "vi"})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{base}/cong-khai")
    newest = max(
        (i.publication.changed_at for i in page.items), default=datetime(2026, 1, 1, tzinfo=UTC)
    )
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest.isoformat()
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Ủy ban nhân dân tỉnh"
    for item in page.items:
        if item.shown is None:  # not in the log: not in the feed
            continue
        url = f"{base}/cong-khai/{item.publication.slug}"
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _title(item)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = item.publication.changed_at.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}published").text = (
            item.shown.published_at or item.publication.published_at
        ).isoformat()
        summary = item.shown.abstract
        if item.shown.reason:
            summary += f" — {item.shown.reason}"
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(entry_author, f"{{{ATOM}}}name").text = item.agency_name
    return _document(feed)


def sitemap(slugs: list[tuple[str, datetime]], base: str) -> bytes:
    """Every published document's page (withdrawn and expired ones too: they stay), its
    address percent-encoded as the sitemap protocol asks ("Đ" in a symbol is "%C4%90")."""
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    page = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
    ET.SubElement(page, f"{{{SITEMAP}}}loc").text = f"{base}/cong-khai"
    for slug, changed in slugs:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = f"{base}/cong-khai/{quote(slug)}"
        ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = changed.date().isoformat()
    return _document(urlset)


def _document(root: ET.Element) -> bytes:
    body: bytes = ET.tostring(root, encoding="unicode").encode()
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body
