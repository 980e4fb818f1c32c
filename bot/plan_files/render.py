"""HTML to PDF (WeasyPrint: Pango and HarfBuzz shape Arabic, Persian and Ge'ez, and lay out right
to left), and PDF to PNG (PDFium). One layout engine for the printed plan and the pictures.

Rendering is CPU work: callers run it in a thread (:func:`asyncio.to_thread`); a lock keeps it to
one document at a time, since fontconfig and Pango are not made for many threads at once.
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass
from functools import cache

from bot.plan_files import fonts

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
#: Pictures are laid out this wide (CSS pixels) and drawn at twice that: 1080 pixels, sharp on a phone.
PICTURE_WIDTH = 540
PICTURE_SCALE = 2
#: A picture's page is this tall; the empty part under the content is cut off.
PICTURE_MAX_HEIGHT = 9000


class Unavailable(RuntimeError):
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


def _check() -> None:
    reason = problem()
    if reason is not None:
        raise Unavailable(reason)


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int


def pdf(html: str) -> Pdf:
    _check()
    from weasyprint import HTML

    with _LOCK:
        document = HTML(string=html).render()
        return Pdf(document.write_pdf(), len(document.pages))


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
    """A picture of the first page of ``html``, cut off under its content."""
    import pypdfium2
    from PIL import Image, ImageChops

    rendered = pdf(html)
    with _LOCK:
        document = pypdfium2.PdfDocument(rendered.content)
        try:
            image = document[0].render(scale=PICTURE_SCALE * 96 / 72).to_pil().convert("RGB")  # points to pixels
        finally:
            document.close()
    background = Image.new("RGB", image.size, image.getpixel((0, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    bottom = min(image.height, (box[3] if box else image.height) + 24 * PICTURE_SCALE)
    out = io.BytesIO()
    image.crop((0, 0, image.width, bottom)).save(out, format="PNG")  # (optimize=True: 2% smaller, 3× slower)
    return Picture(out.getvalue(), image.width, bottom, complete=rendered.pages == 1)
