"""Text from pictures of text (scanned PDF pages, image-only DOCX, image files) with Tesseract.

OCR is optional: it needs the `ocr` extra (pytesseract, Pillow) and the tesseract program with
English data (Debian: tesseract-ocr, tesseract-ocr-eng). Without them, or with `Limits.ocr`
off, such files stay unread as before and the error says how to turn OCR on.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import struct
import warnings

from skillner.extract.readers.base import Extracted, Limits, ReadError, UnsupportedFormat

# A scanned page is rendered at twice its picture's resolution, within these bounds (dpi).
# Tesseract reads best near 300 dpi, but a 100-dpi scan enlarged 3 times blurs: rendered at 200
# it keeps 98 % of the skills found in the source text, at 300 93 %; 150-dpi scans and 7 pt print
# read best near 300 (benchmarks/bench_ocr.py, tests/test_ocr.py).
OCR_DPI = (200, 300)
# One page, however large its MediaBox or image, is OCRed at no more than A3 at 300 dpi.
MAX_PIXELS = 18_000_000
# Seconds for one page: a resume page takes 1.5 to 5 at 300 dpi on one core (benchmarks/bench_ocr.py).
PAGE_TIMEOUT = 60
# At most this many words of text over a full-page picture are a stamp, not a text layer.
_STAMP_WORDS = 12
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
HOW_TO_ENABLE = ("install the OCR extra (pip install 'skillner-resumes[ocr]') and Tesseract "
                 "(Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-eng)")
# Tesseract reads a round bullet as one of these glyphs.
_BULLET = re.compile(r"^[ \t]*[•·*¢«°©®■▪►‣◦][ \t]+(?=\S)", re.MULTILINE)


@functools.cache
def ocr_available() -> bool:
    """pytesseract importable and a tesseract program with English data on PATH."""
    try:
        import pytesseract

        return "eng" in pytesseract.get_languages()
    except (ImportError, OSError, RuntimeError):  # RuntimeError covers pytesseract's own errors
        return False


def why_not_read(limits: Limits, tried: bool) -> str:
    """The end of a `no_text_layer` message: what would get the text out."""
    if tried:
        return "OCR found no text on it either"
    if not limits.ocr:
        return "OCR is switched off"
    return f"to read scans, {HOW_TO_ENABLE}"


def ocr_wanted(limits: Limits) -> bool:
    return limits.ocr and ocr_available()


def is_scanned(page, text: str) -> bool:
    """A page to OCR: no text layer, or next to none (a scanner app's "Scanned with ..." stamp,
    a page number) over a picture that covers most of the page."""
    words = len(text.split())
    if words == 0:
        return True
    picture = _largest_picture(page) if words <= _STAMP_WORDS else None
    return picture is not None and picture[0] >= 0.5


def ocr_pdf_page(page, name: str, number: int) -> str:
    """A PDFium page rendered at twice its largest picture's resolution within `OCR_DPI` (and
    under `MAX_PIXELS` for a huge page), then OCRed."""
    picture = _largest_picture(page)
    low, high = OCR_DPI
    dpi = high if picture is None else min(max(2 * picture[1], low), high)
    width, height = page.get_size()
    scale = min(dpi / 72, (MAX_PIXELS / max(width * height, 1)) ** 0.5)
    image = page.render(scale=scale, grayscale=True).to_pil()
    return ocr_image(image, f"{name} page {number}")


def _largest_picture(page) -> tuple[float, float] | None:
    """(share of the page it covers, its resolution in dpi) for the page's largest picture."""
    import pypdfium2.raw as pdfium_c

    largest = None
    for picture in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = picture.get_bounds()
        area = (right - left) * (top - bottom)
        if largest is None or area > largest[0]:
            largest = (area, 72 * picture.get_px_size()[0] / max(right - left, 1))
    if largest is None:
        return None
    width, height = page.get_size()
    return largest[0] / max(width * height, 1), largest[1]


def ocr_image(image, where: str) -> str:
    """One picture's text, line by line, bullets as "• "; `ReadError("timeout")` past `PAGE_TIMEOUT`."""
    import pytesseract

    # Tesseract's OpenMP threads make it several times slower on a busy machine (a batch runs
    # one reader per core already), so one thread unless the user chose otherwise.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if image.width * image.height > MAX_PIXELS:
        factor = (MAX_PIXELS / (image.width * image.height)) ** 0.5
        image = image.resize((int(image.width * factor), int(image.height * factor)))
    try:
        text = pytesseract.image_to_string(image, lang="eng", config="--psm 3", timeout=PAGE_TIMEOUT)
    except pytesseract.TesseractError as error:
        raise ReadError("crash", f"{where}: Tesseract failed ({error})") from error
    except RuntimeError as error:  # pytesseract's timeout
        raise ReadError("timeout", f"{where}: OCR took over {PAGE_TIMEOUT} s") from error
    return _BULLET.sub("• ", text)


def ocr_images(blobs: list[bytes], name: str, limits: Limits) -> tuple[str, int]:
    """Pictures embedded in a document, OCRed in order; (text, pictures read). Pictures Pillow
    cannot decode (EMF, WMF, SVG, a broken file) are skipped: the document has nothing else."""
    if len(blobs) > limits.max_pages:
        raise ReadError("too_many_pages", f"{name} has {len(blobs)} images to OCR, over the limit of "
                                          f"{limits.max_pages}")
    texts, read = [], 0
    for number, blob in enumerate(blobs, 1):
        try:
            texts.extend(_ocr_frames(blob, f"{name} image {number}", limits))
        except ReadError as error:
            if error.kind != "corrupt":
                raise
            continue
        read += 1
    return "\n\n".join(texts), read


def read_image(data: bytes, name: str, limits: Limits) -> Extracted:
    """A scan saved as PNG, JPEG or TIFF (every page of a multi-page TIFF)."""
    if not ocr_wanted(limits):
        raise UnsupportedFormat(f"{name} is an image: reading it needs OCR, which is "
                                f"{'switched off' if ocr_available() else 'not installed: ' + HOW_TO_ENABLE}")
    texts = _ocr_frames(data, name, limits)
    return Extracted("\n\n".join(texts), "tesseract", len(texts), len(texts))


def _ocr_frames(data: bytes, where: str, limits: Limits) -> list[str]:
    """The text of every frame (page) of an image file, decoded one at a time, in grey levels
    and (JPEG) at a reduced scale where the picture is over `MAX_PIXELS`; refused past 4 times
    that, as a small file can claim a huge picture."""
    from PIL import Image

    with _decoding(where):
        image = Image.open(io.BytesIO(data))
        count = getattr(image, "n_frames", 1)
    if count > limits.max_pages:
        raise ReadError("too_many_pages", f"{where} has {count} pages, over the limit of {limits.max_pages}")
    texts = []
    for index in range(count):
        with _decoding(where):
            image.seek(index)
            factor = (MAX_PIXELS / max(image.width * image.height, 1)) ** 0.5
            if factor < 1:
                image.draft("L", (int(image.width * factor) + 1, int(image.height * factor) + 1))
        if image.width * image.height > 4 * MAX_PIXELS:
            raise ReadError("too_large", f"{where} is {image.width} x {image.height} pixels, over the limit "
                                         f"of {4 * MAX_PIXELS:,}")
        with _decoding(where):
            frame = image.convert("L")
        texts.append(ocr_image(frame, where if count == 1 else f"{where} page {index + 1}"))
    return texts


@contextlib.contextmanager
def _decoding(where: str):
    """Pillow's decoders raise many kinds of error on a damaged file: each is `corrupt` (a
    claimed size past Pillow's own bomb limit `too_large`), and their warnings are not printed."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    except Image.DecompressionBombError as error:
        raise ReadError("too_large", f"{where}: {error}") from error
    except (OSError, ValueError, EOFError, SyntaxError, TypeError, KeyError, IndexError, struct.error) as error:
        raise ReadError("corrupt", f"{where} is not a readable image ({type(error).__name__}: {error})") from error
