"""Per-frame arrays of a clip in files on disk, so that a long clip costs disk, not memory.

Taught in notebooks/10_animation. The keyframe passes (`colorhelpers.clips.keyframes`) append
every frame's working-grid arrays in the first pass, then read and rewrite them a frame at a
time, walking the clip backward and forward again: plain seeks, reads and writes of fixed-size
records, one file per field.

`return_freed_memory` keeps the rest flat: without it, the working arrays the decision threads
allocate and free every frame fragment glibc's per-thread heaps, and the process grew by 17 %
over 2,000 frames although no data accumulates.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

import numpy as np

#: glibc's mallopt parameter: blocks at least this large are mapped and unmapped on their own.
_M_MMAP_THRESHOLD = -3
#: 128 KiB, glibc's initial threshold; fixing it stops glibc raising it as big blocks are freed.
MMAP_THRESHOLD_BYTES = 128 * 1024


def return_freed_memory() -> bool:
    """Make every freed block of at least `MMAP_THRESHOLD_BYTES` go back to the system at once,
    for the whole process (glibc only; elsewhere nothing changes). Returns whether it was set."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError, TypeError):  # no C library found, or not glibc (no mallopt)
        return False


class FrameStore:
    """Fixed-size per-frame records of the `fields` {name: (dtype, trailing shape)}, each frame
    an array of `shape` + trailing shape, in files under `folder`. float16 fields read back as
    float32."""

    def __init__(self, folder: Path, shape: tuple[int, int], fields: dict[str, tuple[type, tuple]]) -> None:
        self.shape, self.fields, self.count = shape, fields, 0
        self._files = {name: open(folder / f"{name}.raw", "w+b") for name in fields}  # noqa: SIM115
        self._bytes = {name: int(np.prod((*shape, *tail))) * np.dtype(dtype).itemsize
                       for name, (dtype, tail) in fields.items()}

    def append(self, **arrays: np.ndarray | None) -> None:
        """The next frame's arrays; a field left out or None is stored as zeros."""
        for name, (dtype, tail) in self.fields.items():
            array = arrays.get(name)
            array = np.zeros((*self.shape, *tail), dtype) if array is None else array
            self._files[name].seek(0, 2)
            self._files[name].write(np.ascontiguousarray(array, dtype).tobytes())
        self.count += 1

    def read(self, name: str, t: int) -> np.ndarray:
        """Field `name` of frame `t`."""
        dtype, tail = self.fields[name]
        handle = self._files[name]
        handle.seek(t * self._bytes[name])
        array = np.frombuffer(handle.read(self._bytes[name]), dtype).reshape(*self.shape, *tail)
        return array.astype(np.float32) if dtype == np.float16 else array

    def write(self, name: str, t: int, array: np.ndarray) -> None:
        """Replace field `name` of frame `t`."""
        handle = self._files[name]
        handle.seek(t * self._bytes[name])
        handle.write(np.ascontiguousarray(array, self.fields[name][0]).tobytes())

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
