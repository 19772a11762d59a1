"""A fake `soffice` for tests: `soffice ... --convert-to pdf --outdir DIR FILE.docx` writes DIR/document.pdf,
a valid PDF of FAKE_SOFFICE_PAGES A4 pages (default 3), each with a black bar 120 pt long times its page
number, so a picture of page 2 can be told from page 1. Each call appends the kind asked for to
FAKE_SOFFICE_LOG; FAKE_SOFFICE_SLEEP seconds are spent first (a slow LibreOffice). Any other kind writes
nothing, as LibreOffice without a filter for it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def pdf(pages: int) -> bytes:
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [{}] /Count {} >>".format(" ".join(f"{3 + 2 * i} 0 R" for i in range(pages)),
                                                               pages)]
    for i in range(pages):
        bar = f"0 g 90 740 {120 * (i + 1)} 40 re f"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {4 + 2 * i} 0 R >>")
        objects.append(f"<< /Length {len(bar)} >>\nstream\n{bar}\nendstream")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def main(args: list[str]) -> None:
    kind, folder = args[args.index("--convert-to") + 1], Path(args[args.index("--outdir") + 1])
    with open(os.environ["FAKE_SOFFICE_LOG"], "a") as log:
        log.write(kind + "\n")
    time.sleep(float(os.environ.get("FAKE_SOFFICE_SLEEP", "0")))
    if kind == "pdf":
        (folder / "document.pdf").write_bytes(pdf(int(os.environ.get("FAKE_SOFFICE_PAGES", "3"))))


if __name__ == "__main__":
    main(sys.argv[1:])
