"""Real, small images for upload tests: uploads are decoded, so a few magic bytes no longer pass."""

import io
import struct
import zlib

from PIL import Image


def image_bytes(kind: str = "jpg", size=(8, 6), colour=(200, 40, 40), **save) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if kind == "png" and len(colour) == 4 else "RGB"
    Image.new(mode, size, colour).save(buffer, {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[kind], **save)
    return buffer.getvalue()


JPEG = image_bytes("jpg")
PNG = image_bytes("png")
WEBP = image_bytes("webp")


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height pixels, in a few hundred bytes: a
    "decompression bomb" built without allocating its pixels (the data would inflate to them)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = zlib.compress(b"\x00" * 1024)  # a start of the rows; the decoder never gets this far
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def decoded_format(content: bytes) -> str:
    """'JPEG', 'PNG' or 'WEBP': what Pillow decodes the bytes as (raises if it cannot)."""
    with Image.open(io.BytesIO(content)) as image:
        image.load()
        return image.format
