"""Rendering a letter: its HTML to PDF with WeasyPrint (through django-weasyprint's fetcher,
limited to the portal's own files), several letters into one PDF, and the words a letter shows."""

from __future__ import annotations

from html.parser import HTMLParser

from django_weasyprint.utils import DjangoURLFetcher

# Rendering --------------------------------------------------------------------------------------


class LocalFilesOnly(DjangoURLFetcher):
    """django-weasyprint's fetcher (the portal's static and media files from disk), refusing
    anything else: a letter never makes the server fetch an address."""

    def fetch(self, url, headers=None):
        if not url.startswith("file:"):
            raise ValueError("Letters load no resource from the network.")
        return super().fetch(url, headers)


def render_pdf(html: str) -> bytes:
    """The PDF of a letter's HTML."""
    from weasyprint import HTML  # imported here: loading Pango is for the processes that render

    return HTML(string=html, base_url="file:///", url_fetcher=LocalFilesOnly()).write_pdf()


def render_pdfs_as_one(htmls: list[str]) -> bytes:
    """One PDF of several letters, each laid out on its own (its own page numbers)."""
    from weasyprint import HTML

    documents = [
        HTML(string=html, base_url="file:///", url_fetcher=LocalFilesOnly()).render() for html in htmls
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"style", "script", "title"}:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in {"style", "script", "title"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The words a letter's HTML shows, one space between each."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
