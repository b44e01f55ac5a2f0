"""HTML for the auditor report: one Jinja2 template renders every page from its blocks.

Autoescaping is on everywhere and undefined names are errors, so a title such as
``<script>alert(1)</script>`` arrives as text and a template typo fails the tests instead of
printing nothing. The only markup not escaped is the inline SVG made by :mod:`isms.svg`, which
escapes every piece of text itself. The stylesheet and the small filter script are inlined in
each page: the site works from ``file://`` with nothing fetched.

Output is deterministic: the same :class:`~isms.report.Site` always gives the same bytes.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from isms import __version__
from isms.labels import Labels
from isms.report import relative_url

if TYPE_CHECKING:
    from jinja2 import Environment

    from isms.report import Page, Progress, Site

MARKER = ".isms-report.json"


@cache
def environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("isms", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


def render_page(site: Site, page: Page) -> str:
    from markupsafe import Markup

    t = Labels(site.lang)

    def url(href: str) -> str:
        return relative_url(page.path, href)

    def trusted_svg(text: str) -> Markup:
        return Markup(text)  # noqa: S704 - built by isms.svg, which escapes every text itself

    template = environment().get_template("page.html.j2")
    return template.render(site=site, page=page, t=t, url=url, svg=trusted_svg,
                           version=__version__, html_lang="zh-CN" if site.lang == "zh" else "en")


def render_site(site: Site) -> dict[str, str]:
    """Every page's path → its HTML."""
    return {page.path: render_page(site, page) for page in site.pages}


def write_site(out: Path, site: Site, pages: dict[str, str],
               progress: Progress | None = None) -> list[str]:
    """Write the pages and copy the evidence files into ``out``; returns the paths written.

    A directory that already holds files must be an earlier report (it has our marker file):
    files of the earlier report that this one no longer has are removed, anything else is
    left alone, and a directory that is not a report is refused.
    """
    from isms.errors import UsageError
    from isms.fsutil import atomic_write, is_inside

    out = Path(out)
    marker = out / MARKER
    previous: list[str] = []
    if out.exists():
        if not out.is_dir():
            raise UsageError(f"--out {out} exists and is not a directory")
        if marker.is_file():
            try:
                data = json.loads(marker.read_text(encoding="utf-8"))
                previous = [p for p in data.get("files", []) if isinstance(p, str)]
            except (OSError, ValueError, AttributeError):
                previous = []
        elif any(out.iterdir()):
            raise UsageError(f"--out {out} is not empty and holds no earlier isms report",
                             hint="choose an empty or new directory")
    written = sorted([*pages, *(c.dest for c in site.copies if c.dest)])
    total = sum(len(h.encode("utf-8")) for h in pages.values()) + sum(
        c.size or 0 for c in site.copies)
    done = 0
    for path in sorted(pages):
        data = pages[path].encode("utf-8")
        atomic_write(out / path, data)
        done += len(data)
        if progress is not None:
            progress(done, total)
    for copy in site.copies:
        assert copy.dest is not None and copy.source is not None
        raw = copy.source.read_bytes()
        atomic_write(out / copy.dest, raw)
        done += len(raw)
        if progress is not None:
            progress(done, total)
    keep = set(written)
    root = os.path.realpath(out)
    for stale in previous:
        if stale in keep or stale.startswith("/") or ".." in stale.split("/"):
            continue
        target = os.path.realpath(out / stale)
        if target != root and is_inside(root, target) and os.path.isfile(target):
            os.unlink(target)
    atomic_write(marker, json.dumps({"tool": "isms", "files": written}, indent=1) + "\n")
    return written
