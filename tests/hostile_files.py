"""Hostile plan files, built on the fly for tests and bench/hostile_upload.py: a .docx zip bomb, a huge .txt."""

from __future__ import annotations

import io
import random
import zipfile

import docx

MB = 1024 * 1024
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def zip_bomb_docx(unpacked: int = 200 * MB) -> bytes:
    """A valid .docx package (every part of a real one) whose word/document.xml unpacks to `unpacked`
    bytes of repeated paragraphs, compressed with DEFLATE level 9 to about 1/1000 of that. Written in
    1 MB chunks, so building it needs little memory."""
    real = io.BytesIO()
    docx.Document().save(real)
    out = io.BytesIO()
    paragraph = b"<w:p><w:r><w:t>Ho\xc3\xa0n th\xc3\xa0nh tr\xc6\xb0\xe1\xbb\x9bc ng\xc3\xa0y 15/6/2027.</w:t></w:r></w:p>"
    chunk = paragraph * (MB // len(paragraph))
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info.filename, source.read(info.filename))
                continue
            with bomb.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                           f'<w:document xmlns:w="{_W}"><w:body>'.encode())
                left = unpacked - 256  # the head and tail of the XML take the rest
                while left > 0:
                    part.write(chunk[:left])
                    left -= len(chunk)
                part.write(b"</w:body></w:document>")
    return out.getvalue()


def dated_txt(size: int = 9_900_000) -> bytes:
    """A .txt of `size` bytes full of dated lines (the hostile tester's 9.9 MB plan)."""
    lines = []
    total = n = 0
    while True:
        line = (f"- Chi bộ số {n} nộp báo cáo tháng {n % 12 + 1}, hoàn thành trước ngày "
                f"{n % 28 + 1}/{n % 12 + 1}/2027.\n").encode()
        if total + len(line) > size:
            break
        lines.append(line)
        total += len(line)
        n += 1
    return b"".join(lines) + b"\n" * (size - total)


def dense_docx(xml_size: int) -> bytes:
    """A .docx within the zip limits (its XML compresses ~10:1) whose word/document.xml is `xml_size` bytes of
    mostly empty paragraphs: little text, but a large tree in memory (lxml) and slow to walk (python-docx)."""
    rnd = random.Random(1)
    words = [f"w{rnd.randrange(10**6)}" for _ in range(5000)]
    real = io.BytesIO()
    docx.Document().save(real)
    out = io.BytesIO()
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dense:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                dense.writestr(info.filename, source.read(info.filename))
                continue
            with dense.open("word/document.xml", "w") as part:
                part.write(f'<w:document xmlns:w="{_W}"><w:body>'.encode())
                written = 0
                while written < xml_size:
                    block = ("<w:p/>" * 20 + "<w:p><w:r><w:t>" + " ".join(rnd.choices(words, k=3))
                             + "</w:t></w:r></w:p>").encode()
                    part.write(block)
                    written += len(block)
                part.write(b"</w:body></w:document>")
    return out.getvalue()
