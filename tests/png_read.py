"""A small PNG reader for the tests (stdlib only): size and pixels of an 8-bit, non-interlaced RGB(A), grey
or palette image — what Chromium's --screenshot and the charts (bot/charts.py) write."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type → samples per pixel (grey, RGB, palette, grey+alpha, RGBA)


@dataclass(frozen=True)
class Png:
    width: int
    height: int
    channels: int
    rows: list[bytes]  # unfiltered scanlines, width * channels bytes each
    palette: bytes = b""  # a palette image's PLTE: 3 bytes (RGB) per index

    def colours(self) -> set[bytes]:
        """The distinct pixel values (RGB for a palette image)."""
        step = self.channels
        values = {row[i:i + step] for row in self.rows for i in range(0, len(row), step)}
        if self.palette:
            return {self.palette[3 * v[0]:3 * v[0] + 3] for v in values}
        return values


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(kind: int, line: bytearray, prior: bytes, bpp: int) -> bytes:
    if kind == 0:
        return bytes(line)
    if kind == 2:
        return bytes((x + p) & 0xFF for x, p in zip(line, prior, strict=True))
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + a) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((a + b) >> 1)) & 0xFF
        elif kind == 4:
            line[i] = (line[i] + _paeth(a, b, c)) & 0xFF
        else:
            raise ValueError(f"PNG filter {kind}")
    return bytes(line)


def read_png(data: bytes) -> Png:
    """Parses and checks the file: signature, chunk CRCs, IHDR, IDAT, IEND. Raises ValueError otherwise."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG")
    pos, header, idat, ended, palette = len(SIGNATURE), b"", bytearray(), False, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in {kind!r}")
        if kind == b"IHDR":
            header = body
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            ended = True
            break
        pos += 12 + length
    if not header or not idat or not ended:
        raise ValueError("PNG without IHDR, IDAT or IEND")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    channels = CHANNELS[colour]
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    if len(raw) != height * (stride + 1):
        raise ValueError("PNG data of the wrong size")
    rows: list[bytes] = []
    prior = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        prior = _unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), prior, channels)
        rows.append(prior)
    if colour == 3 and not palette:
        raise ValueError("palette PNG without PLTE")
    return Png(width, height, channels, rows, palette if colour == 3 else b"")
