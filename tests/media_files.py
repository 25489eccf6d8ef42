"""Small, real media files for upload tests: images that decode (made with Pillow) and video
containers whose structure tiles the file exactly (built by hand, box by box)."""

import io
import struct

from PIL import Image

ASF_HEADER_GUID = bytes.fromhex("3026B2758E66CF11A6D900AA0062CE6C")
ASF_DATA_GUID = bytes.fromhex("3626B2758E66CF11A6D900AA0062CE6C")
ASF_FILE_PROPERTIES_GUID = bytes.fromhex("A1DCAB8C47A9CF118EE400C00C205365")


def image_bytes(pillow_format: str, size: tuple[int, int] = (4, 3), mode: str = "RGB", **params) -> bytes:
    """A solid-colour picture in `pillow_format`, saved with `params` (exif=..., quality=...)."""
    colour = (200, 30, 30, 255)[: len(mode)] if mode in ("RGB", "RGBA") else 128
    output = io.BytesIO()
    Image.new(mode, size, colour).save(output, pillow_format, **params)
    return output.getvalue()


def animated_gif(frames: int = 3, size: tuple[int, int] = (4, 3)) -> bytes:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    images = [Image.new("RGB", size, colours[index % len(colours)]) for index in range(frames)]
    output = io.BytesIO()
    images[0].save(output, "GIF", save_all=True, append_images=images[1:], duration=120, loop=0)
    return output.getvalue()


def box(kind: bytes, payload: bytes = b"") -> bytes:
    """One ISO base media box: 32-bit size, type, payload."""
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def iso_media(brand: bytes = b"isom", media: bytes = b"\x00" * 32) -> bytes:
    """ftyp, a moov with one track's skeleton, and an mdat holding `media`."""
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand)
    trak = box(b"trak", box(b"tkhd", b"\x00" * 84) + box(b"mdia", box(b"mdhd", b"\x00" * 24)))
    moov = box(b"moov", box(b"mvhd", b"\x00" * 100) + trak)
    return ftyp + moov + box(b"mdat", media)


def mp4(media: bytes = b"\x00" * 32) -> bytes:
    return iso_media(b"isom", media)


def mov(media: bytes = b"\x00" * 32) -> bytes:
    return iso_media(b"qt  ", media)


def mp4_head_of_size(total: int) -> bytes:
    """The first bytes of an MP4 of exactly `total` bytes whose mdat is zeros to the end
    (the zeros themselves are left to the caller, to stream them)."""
    ftyp_and_moov = iso_media(media=b"")[:-8]
    mdat_size = total - len(ftyp_and_moov)
    return ftyp_and_moov + struct.pack(">I4s", mdat_size, b"mdat")


def chunk(chunk_id: bytes, payload: bytes) -> bytes:
    """One RIFF chunk: id, little-endian size, payload, padded to an even length."""
    return struct.pack("<4sI", chunk_id, len(payload)) + payload + (b"\x00" if len(payload) % 2 else b"")


def riff_list(list_type: bytes, payload: bytes) -> bytes:
    return chunk(b"LIST", list_type + payload)


def avi(frame: bytes = b"\x00" * 31) -> bytes:
    """RIFF 'AVI ' with its header list, one frame in the movie list and an index."""
    hdrl = riff_list(b"hdrl", chunk(b"avih", b"\x00" * 56) + riff_list(b"strl", chunk(b"strh", b"\x00" * 56)))
    movi = riff_list(b"movi", chunk(b"00dc", frame))
    body = b"AVI " + hdrl + movi + chunk(b"idx1", b"\x00" * 16)
    return struct.pack("<4sI", b"RIFF", len(body)) + body


def asf_object(guid: bytes, payload: bytes) -> bytes:
    return guid + struct.pack("<Q", 24 + len(payload)) + payload


def wmv(packets: bytes = b"\x00" * 50) -> bytes:
    """An ASF Header Object (one File Properties object inside) and a Data Object."""
    properties = asf_object(ASF_FILE_PROPERTIES_GUID, b"\x00" * 80)
    header = ASF_HEADER_GUID + struct.pack("<QIBB", 30 + len(properties), 1, 1, 2) + properties
    data = asf_object(ASF_DATA_GUID, b"\x00" * 26 + packets)
    return header + data


def noise_png(size: tuple[int, int] = (256, 260), seed: int = 0) -> bytes:
    """A PNG of random pixels (it barely compresses: about 3 bytes per pixel)."""
    import random

    pixels = random.Random(seed).randbytes(size[0] * size[1] * 3)
    output = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(output, "PNG")
    return output.getvalue()
