"""Check the system libraries WeasyPrint needs (Pango, HarfBuzz) by rendering a tiny PDF.

Prints one actionable line and exits non-zero when a library is missing, instead of the
traceback WeasyPrint would give at the first PDF export.
"""

import contextlib
import io
import sys

APT_HINT = "sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
BREW_HINT = "brew install pango"


def main() -> int:
    hint = BREW_HINT if sys.platform == "darwin" else APT_HINT
    try:
        # WeasyPrint prints a multi-line banner to stdout before re-raising a load failure.
        with contextlib.redirect_stdout(io.StringIO()):
            from weasyprint import HTML

            pdf = HTML(string="<p>KMV</p>").write_pdf()
    except OSError as exc:  # cffi: "cannot load library 'libpango-1.0-0': ..."
        first_line = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        print(f"Missing system library for PDFs: install it with: {hint}  ({first_line})")
        return 1
    except ImportError as exc:
        print(f"WeasyPrint is not installed in this environment ({exc}): run `make .venv`")
        return 1
    if not pdf.startswith(b"%PDF"):
        print("WeasyPrint ran but did not produce a PDF: check the Pango/HarfBuzz installation")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
