"""The shared libraries WeasyPrint opens, looked up ahead while it imports.

WeasyPrint tries several names for each of its C libraries (one for each platform), and
cffi asks `ctypes.util.find_library` about every name it cannot open as it is; on Linux
each such question runs ldconfig and gcc (22 questions, 16 runs of gcc: a quarter of a
second, most of it waiting for those programs). Asked one after the other, they hold up
the import; asked at once in threads, they run while the import reads its Python modules.
Each answer is the one `find_library` gives in this process at this moment, so nothing
changes but the time; a name not asked ahead is looked up as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

# What WeasyPrint's text/ffi.py asks find_library, in order, on Linux (test_libraries
# checks the list against the WeasyPrint installed).
NAMES = (
    "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0",
    "libpango-1.0-0", "pango-1.0-0", "pango-1.0",
    "libharfbuzz-0", "harfbuzz",
    "libharfbuzz-subset-0", "harfbuzz-subset",
    "libharfbuzz-vector-0", "harfbuzz-vector", "harfbuzz-vector-0.0",
    "libharfbuzz-vector.so.0", "libharfbuzz-vector.0.dylib", "libharfbuzz-vector-0.dll",
    "libfontconfig-1", "fontconfig-1", "fontconfig",
    "libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0",
)


@contextmanager
def looked_up_ahead(names: tuple[str, ...] = NAMES, threads: int = 4) -> Iterator[None]:
    """Within: `ctypes.util.find_library` answers `names` from lookups begun at once (on
    Linux, where each lookup runs other programs; elsewhere nothing changes)."""
    if not sys.platform.startswith("linux") or "weasyprint" in sys.modules:
        yield
        return
    import ctypes.util

    original = ctypes.util.find_library
    pool = ThreadPoolExecutor(threads, thread_name_prefix="find_library")
    ahead: dict[str, Future] = {name: pool.submit(original, name) for name in names}

    def find_library(name: str) -> str | None:
        future = ahead.get(name)
        return future.result() if future is not None else original(name)

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original
        pool.shutdown(wait=False, cancel_futures=True)
