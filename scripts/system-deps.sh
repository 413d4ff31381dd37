#!/usr/bin/env bash
# Debian programs skillner can use but pip cannot install: Tesseract for OCR of scanned pages;
# and for the tests: Chromium with its driver (the service page's browser test), and the PDF
# producers of tests/pdf_producers.py (Chromium, wkhtmltopdf, LibreOffice Writer, groff,
# ghostscript, WeasyPrint's Pango) with the fonts its resumes use; poppler's pdftotext is the
# peer benchmarks/bench_pdf.py measures.
# Installs them with apt-get when this shell may (root, or sudo without a password); otherwise
# says what to install and exits 0, since everything else works without them.
set -euo pipefail
PACKAGES=()
command -v tesseract >/dev/null || PACKAGES+=(tesseract-ocr tesseract-ocr-eng)
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || PACKAGES+=(chromium chromium-driver)
command -v wkhtmltopdf >/dev/null || PACKAGES+=(wkhtmltopdf)
command -v soffice >/dev/null || PACKAGES+=(libreoffice-writer-nogui)
command -v gropdf >/dev/null || PACKAGES+=(groff)
command -v ps2pdf >/dev/null || PACKAGES+=(ghostscript)
command -v pdftotext >/dev/null || PACKAGES+=(poppler-utils)
for font in dejavu/DejaVuSans.ttf liberation/LiberationSerif-Regular.ttf noto/NotoColorEmoji.ttf font-awesome/fontawesome-webfont.ttf; do
    [ -e "/usr/share/fonts/truetype/$font" ] || case $font in
        dejavu/*) PACKAGES+=(fonts-dejavu-core) ;; liberation/*) PACKAGES+=(fonts-liberation) ;;
        noto/*) PACKAGES+=(fonts-noto-color-emoji) ;; font-awesome/*) PACKAGES+=(fonts-font-awesome) ;;
    esac
done
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || PACKAGES+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#PACKAGES[@]} = 0 ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install ${PACKAGES[*]} (Debian/Ubuntu): Tesseract reads scanned resumes; the rest run tests" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "no apt-get here: install Tesseract 5 (OCR), and for the tests Chromium with chromedriver, wkhtmltopdf, LibreOffice Writer, groff, ghostscript and poppler, with your package manager" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq && \
        "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null; }; then
    echo "apt-get could not install ${PACKAGES[*]}" >&2
    exit 0
fi
command -v tesseract >/dev/null && tesseract --version | head -1
true
