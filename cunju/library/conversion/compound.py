"""Read just enough of an OLE2 compound file (the container of .doc, .xls, .ppt, .wps and of
password-protected OOXML) to tell what it holds: the names of its streams and the first
bytes of one of them. Nothing is trusted: every sector number and chain is bounds-checked.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
END_OF_CHAIN = 0xFFFFFFFE
FREE = 0xFFFFFFFF
# Chains longer than this are taken as a loop in a damaged or hostile file.
MAX_CHAIN = 1 << 20


class DamagedCompoundFile(ValueError):
    """The container is cut short or its tables point nowhere."""


class CompoundFile:
    def __init__(self, handle: BinaryIO, size: int) -> None:
        self.handle = handle
        self.size = size
        self.sector_size = 512
        header = self._read_at(0, 512)
        if header[:8] != MAGIC:
            raise DamagedCompoundFile("not a compound file")
        shift, mini_shift = struct.unpack_from("<HH", header, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise DamagedCompoundFile("unexpected sector size")
        self.sector_size = 1 << shift
        fat_count, self.dir_start = struct.unpack_from("<II", header, 44)
        self.mini_cutoff, self.minifat_start, _mini_count, difat_start, difat_count = (
            struct.unpack_from("<IIIII", header, 56)
        )
        fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < END_OF_CHAIN]
        per_sector = self.sector_size // 4
        sector = difat_start
        for _ in range(min(difat_count, MAX_CHAIN)):
            if sector >= END_OF_CHAIN:
                break
            values = struct.unpack(f"<{per_sector}I", self._sector(sector))
            fat_sectors += [s for s in values[:-1] if s < END_OF_CHAIN]
            sector = values[-1]
        fat_sectors = fat_sectors[:fat_count] if fat_count else fat_sectors
        self.fat: list[int] = []
        for sector in fat_sectors:
            self.fat += struct.unpack(f"<{per_sector}I", self._sector(sector))
        self.entries = self._directory()

    def _read_at(self, offset: int, length: int) -> bytes:
        if offset + length > self.size + self.sector_size:
            raise DamagedCompoundFile("points past the end of the file")
        self.handle.seek(offset)
        data = self.handle.read(length)
        return data.ljust(length, b"\0")

    def _sector(self, number: int) -> bytes:
        return self._read_at((number + 1) * self.sector_size, self.sector_size)

    def _chain(self, start: int, table: list[int]) -> list[int]:
        chain = []
        seen = set()
        sector = start
        while sector < END_OF_CHAIN:
            if sector >= len(table) or sector in seen or len(chain) > MAX_CHAIN:
                raise DamagedCompoundFile("broken sector chain")
            seen.add(sector)
            chain.append(sector)
            sector = table[sector]
        return chain

    def _directory(self) -> list[tuple[str, int, int, int]]:
        """(name, type, start sector, size) of every directory entry, in file order."""
        entries = []
        for sector in self._chain(self.dir_start, self.fat):
            data = self._sector(sector)
            for offset in range(0, self.sector_size, 128):
                raw = data[offset : offset + 128]
                name_length, kind = struct.unpack_from("<HB", raw, 64)
                if kind == 0 or name_length < 2 or name_length > 64:
                    continue
                name = raw[: name_length - 2].decode("utf-16-le", "replace")
                start, size = struct.unpack_from("<II", raw, 116)
                entries.append((name, kind, start, size))
        return entries

    def stream_names(self) -> set[str]:
        return {name for name, kind, _start, _size in self.entries if kind == 2}

    def read_stream(self, name: str, limit: int = 4096) -> bytes:
        """The first ``limit`` bytes of the stream called ``name`` (b"" if absent)."""
        for entry_name, kind, start, size in self.entries:
            if kind == 2 and entry_name == name:
                return self._read_stream(start, min(size, limit), size)
        return b""

    def _read_stream(self, start: int, length: int, size: int) -> bytes:
        out = bytearray()
        if size < self.mini_cutoff:
            root = next((e for e in self.entries if e[1] == 5), None)
            if root is None:
                raise DamagedCompoundFile("no root entry")
            container = self._chain(root[2], self.fat)
            minifat: list[int] = []
            for sector in self._chain(self.minifat_start, self.fat):
                minifat += struct.unpack(f"<{self.sector_size // 4}I", self._sector(sector))
            per_sector = self.sector_size // 64
            for mini in self._chain(start, minifat):
                if len(out) >= length:
                    break
                index, within = divmod(mini, per_sector)
                if index >= len(container):
                    raise DamagedCompoundFile("mini sector outside the mini stream")
                offset = (container[index] + 1) * self.sector_size + within * 64
                out += self._read_at(offset, 64)
        else:
            for sector in self._chain(start, self.fat):
                if len(out) >= length:
                    break
                out += self._sector(sector)
        return bytes(out[:length])
