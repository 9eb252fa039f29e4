"""A font file's family name, read from its 'name' table without importing fontTools.

fontTools costs half a second to import, which `check` would pay for every profile with a
_brand.yml just to learn the family names of the theme's fonts; a TrueType or OpenType
file's name table is small and simple. Collections and WOFF files go to fontTools.
"""

from __future__ import annotations

import struct
from pathlib import Path

_PREFERRED = (21, 16, 1)  # WWS family, typographic family, family: as fontTools' best name


def family_name(path: Path) -> str | None:
    """The family name a .ttf/.otf gives itself (as fontTools' getBestFamilyName), or None
    when the file is no such font; other kinds are read with fontTools."""
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if data[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
        return _from_sfnt(data)
    return _with_fonttools(path)


def _from_sfnt(data: bytes) -> str | None:
    try:
        (tables,) = struct.unpack_from(">H", data, 4)
        for index in range(tables):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
            if tag == b"name":
                return _best(data[offset:offset + length])
    except struct.error:
        return None
    return None


def _best(table: bytes) -> str | None:
    _, count, strings = struct.unpack_from(">HHH", table, 0)
    names: dict[int, list[tuple[int, int, str]]] = {}
    for index in range(count):
        platform, encoding, language, name_id, length, offset = struct.unpack_from(
            ">HHHHHH", table, 6 + 12 * index)
        if name_id not in _PREFERRED:
            continue
        raw = table[strings + offset:strings + offset + length]
        text = _decode(raw, platform, encoding)
        if text is not None:
            names.setdefault(name_id, []).append((platform, language, text))
    for name_id in _PREFERRED:
        candidates = names.get(name_id)
        if candidates:
            for wanted in ((3, 0x409), (1, 0)):
                for platform, language, text in candidates:
                    if (platform, language) == wanted:
                        return text
            return candidates[-1][2]
    return None


def _decode(raw: bytes, platform: int, encoding: int) -> str | None:
    try:
        if platform == 0 or (platform == 3 and encoding in (0, 1, 10)):
            return raw.decode("utf-16-be")
        if platform == 1 and encoding == 0:
            return raw.decode("mac-roman")
    except UnicodeDecodeError:
        return None
    return None


def _with_fonttools(path: Path) -> str | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        # The file is opened here, so that it is closed also when fontTools refuses it.
        with path.open("rb") as handle, TTFont(handle, lazy=True) as font:
            return font["name"].getBestFamilyName()
    except (TTLibError, OSError, KeyError, AssertionError, ValueError, struct.error):
        return None
