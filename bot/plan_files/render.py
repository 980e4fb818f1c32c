"""HTML to PDF (WeasyPrint: Pango and HarfBuzz shape Arabic, Persian and Ge'ez, and lay out right
to left), and PDF to PNG (PDFium). One layout engine for the printed plan and the pictures.

A page is laid out first (:func:`lay_out`), which says where each element with an ``id`` ended up;
the layout uses that to size cards to their content, to cut a picture's page to its content, and
to set the printed plan as large as the page allows.

These functions are CPU work and load WeasyPrint, PDFium and the fonts (some 100 MB): the bot runs
them in a worker process (:mod:`bot.plan_files.pool`), so they take plain strings and give plain
dataclasses of bytes. They are imported lazily: the bot itself never loads those libraries.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.plan_files import fonts
from bot.plan_files.pool import Failed

log = logging.getLogger(__name__)
#: fontconfig and Pango are not made for many threads at once (only tests render in threads).
_LOCK = threading.Lock()
#: Pictures are laid out this wide (CSS pixels) and drawn at twice that: 1080 pixels, sharp on a phone.
PICTURE_WIDTH = 540
PICTURE_SCALE = 2
#: A picture's page is laid out this tall (CSS pixels), then cut to its content before it is drawn.
PICTURE_MAX_HEIGHT = 9000
#: The element at the very end of a picture's content: the picture ends just under it.
END = "end"
_BELOW_END = 24  # CSS pixels of white under the content
_POINTS_PER_PIXEL = 72 / 96

Box = tuple[float, float, float, float]  # left, top, right, bottom in CSS pixels on the page


class Unavailable(Failed):
    """Pictures and PDFs cannot be made on this machine (see :func:`problem`)."""


@cache
def problem() -> str | None:
    """Why pictures cannot be made here, in one line for an administrator; ``None`` when they can."""
    try:
        import pypdfium2  # noqa: F401
        import weasyprint  # noqa: F401  (loads Pango; fails without it)
    except (ImportError, OSError) as error:
        return f"the PDF libraries cannot load ({type(error).__name__}): install Pango (Debian: libpango-1.0-0 libpangoft2-1.0-0)"
    missing = fonts.missing_families()
    if missing:
        return f"fonts missing: {', '.join(missing)}; install them (Debian: apt-get install {fonts.DEBIAN_PACKAGES})"
    return None


def problem_elsewhere() -> str | None:
    """:func:`problem`, asked of a fresh interpreter: the bot's own process stays without WeasyPrint
    and PDFium (some 30 MB; the workers that render load them)."""
    import subprocess
    import sys

    asked = subprocess.run(
        [sys.executable, "-c", "from bot.plan_files import render; print(render.problem() or '')"],
        capture_output=True,
        text=True,
        check=False,
    )
    if asked.returncode != 0:
        return f"the check for the PDF libraries failed (exit status {asked.returncode})"
    return asked.stdout.strip() or None


def _check() -> None:
    reason = problem()
    if reason is not None:
        raise Unavailable(reason)


@dataclass(frozen=True)
class Laid:
    """A laid-out document, not yet written."""

    pages: int
    boxes: dict[str, Box]  # where each element with an id is, on its page
    document: Any


def lay_out(html: str) -> Laid:
    _check()
    from weasyprint import HTML

    with _LOCK:
        document = HTML(string=html).render()
    boxes: dict[str, Box] = {}
    for page in document.pages:
        boxes.update(page.anchors)
    return Laid(len(document.pages), boxes, document)


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int
    scale: float = 1.0  # how much larger than its smallest the text was set (the printed plan)


def write(laid: Laid, *, scale: float = 1.0) -> Pdf:
    with _LOCK:
        return Pdf(laid.document.write_pdf(), laid.pages, scale)


def pdf(html: str) -> Pdf:
    return write(lay_out(html))


def fitted(pages: Sequence[tuple[float, str]], *, room: float) -> Pdf:
    """Of ``pages`` ((scale, html), by ascending scale), the one with the largest scale that fits one
    page of ``room`` CSS pixels; the smallest when none does (then on more pages). Each fitting
    try's height says how far up to try next, so it takes a few layouts, not one per scale."""
    html = dict(pages)
    scales = sorted(html)
    best, best_scale = lay_out(html[scales[0]]), scales[0]
    if best.pages > 1 or END not in best.boxes:
        return write(best, scale=best_scale)
    ceiling = max(scales)
    while True:
        aim = best_scale * room / max(best.boxes[END][3], 1.0)  # (wrapping text grows faster: then one step down)
        above = [scale for scale in scales if best_scale < scale <= min(aim, ceiling)]
        if not above:
            return write(best, scale=best_scale)
        laid = lay_out(html[above[-1]])
        if laid.pages == 1 and END in laid.boxes:
            best, best_scale = laid, above[-1]
        else:
            ceiling = max(scale for scale in scales if scale < above[-1])


@dataclass(frozen=True)
class Picture:
    content: bytes  # PNG
    width: int
    height: int
    complete: bool  # False: the content went on beyond the page (not seen with real plans)

    @property
    def fits_a_photo(self) -> bool:
        """Telegram's limits for sendPhoto: width + height at most 10000, a ratio of at most 20."""
        return self.width + self.height <= 10000 and self.height <= 20 * self.width


def png(html: str) -> Picture:
    """A picture of the first page of ``html``, down to the element with id :data:`END`. The page is
    cut to its content before it is written, so PDFium draws (and holds) only that: three bytes a
    pixel, straight into the PNG encoder."""
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    laid = lay_out(html)
    if laid.pages == 1 and END in laid.boxes:  # (content beyond one page, or no end mark: the whole page)
        page = laid.document.pages[0]
        page.height = min(page.height, laid.boxes[END][3] + _BELOW_END)
    rendered = write(laid)
    with _LOCK:
        document = pypdfium2.PdfDocument(rendered.content)
        try:
            page = document[0]
            bitmap = page.render(
                scale=PICTURE_SCALE / _POINTS_PER_PIXEL, force_bitmap_format=pdfium_c.FPDFBitmap_BGR, rev_byteorder=True
            )
            image = bitmap.to_pil()  # RGB, sharing the bitmap's memory
            out = io.BytesIO()
            image.save(out, format="PNG")  # (optimize=True: 2% smaller, 3× slower)
            width, height = image.width, image.height
            del image
            bitmap.close()
            page.close()
        finally:
            document.close()
    return Picture(out.getvalue(), width, height, complete=rendered.pages == 1)
