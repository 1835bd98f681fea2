"""Output files made of parts, so that a rebuild rewrites only what changed.

A file's layout is a list of sections; each section is a prefix, a separator put
between its parts, and a suffix. A part belongs to one section, has a key that orders
it within the section, and an owner: the article whose rows it was made from, or None
when it was made from the corpus as a whole (the small tables, counts over every
article). A part may hold several records, joined by its section's separator; an empty
part is left out, separator and all.

A full build makes every part. An incremental build (build/incremental/rebuild.py) makes again
the parts of the articles that changed and the corpus-wide parts, and copies every other
part's bytes from the previous file, found through the index write_parts returned then.
Both go through join order and write_parts, so they give the same bytes."""

import errno
import hashlib
import mmap
import os
from typing import NamedTuple

# Linux copies between files inside the kernel; elsewhere (macOS, Windows), or on a file
# system that cannot, the bytes go through a buffer (copy_range).
copy_file_range = getattr(os, "copy_file_range", None)
NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF}
CHUNK = 1 << 20


def copy_range(source, out, start, end):
    """Write bytes start..end of the open file source at out's position (both unbuffered
    at that point): inside the kernel where it can, else through a buffer."""
    if copy_file_range is not None:
        try:
            while start < end:
                copied = copy_file_range(source.fileno(), out.fileno(), end - start, start)
                if copied == 0:
                    raise OSError(errno.EIO, f"the old file ends before byte {end}")
                start += copied
            return
        except OSError as error:
            if error.errno not in NO_KERNEL_COPY:
                raise
    source.seek(start)
    while start < end:
        chunk = source.read(min(CHUNK, end - start))
        if not chunk:
            raise OSError(errno.EIO, f"the old file ends before byte {end}")
        out.write(chunk)
        start += len(chunk)
    out.flush()


class Section(NamedTuple):
    prefix: bytes
    separator: bytes
    suffix: bytes


class Part(NamedTuple):
    section: int  # position of its section in the layout
    key: tuple  # order within the section: tuples of text and numbers
    owner: object  # the article id it was made from; None for the corpus as a whole
    data: bytes


def order(parts):
    """Parts in file order: by section, then key; empty parts dropped."""
    return sorted((part for part in parts if part.data), key=lambda part: (part.section, part.key))


def join_parts(layout, parts):
    """The bytes of a whole file from its layout and every one of its parts."""
    by_section = [[] for _ in layout]
    for part in order(parts):
        by_section[part.section].append(part.data)
    return b"".join(
        section.prefix + section.separator.join(datas) + section.suffix
        for section, datas in zip(layout, by_section)
    )


def write_parts(path, layout, parts, previous=None, digest=True):
    """Write a file from its layout and parts; return (index, size, sha256 hex, or None
    without digest: the copied stretches then go from file to file inside the kernel).

    previous, when given, is (old path, what write_parts returned for it, owners to drop):
    every part of the old file whose owner is not None and not among the owners to drop is
    copied from it, and `parts` need hold only the new ones (those of the dropped owners,
    and the corpus-wide parts). When the new parts are the old ones byte for byte, the
    file is the old one, and it is hard-linked rather than copied (a rebuild that changes
    one table's rows leaves the others' files as they were).

    The index lists every part written, in file order, as a plain tuple (section, key,
    owner, offset, length): plain, because a build keeps the indexes of all its outputs, a
    hundred thousand parts at 10,000 articles, and loads them again next time."""
    kept = []
    if previous is not None:
        old_path, old_written, dropped = previous
        old_index = old_written[0]
        kept = [
            placed for placed in old_index if placed[2] is not None and placed[2] not in dropped
        ]
    entries = [(part.section, part.key, part.owner, part.data) for part in parts if part.data]
    entries += [
        (section, key, owner, (offset, length)) for section, key, owner, offset, length in kept
    ]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    if any(entry[0] >= len(layout) for entry in entries):
        raise ValueError(f"{path}: a part names a section beyond the {len(layout)} of its layout")
    if previous is not None and (old_written[2] or not digest):
        if _same_bytes(old_path, old_written, layout, entries):
            os.link(old_path, path)
            return old_index, old_written[1], old_written[2] if digest else None
    with open(path, "wb") as out, open(previous[0], "rb") if kept else _nothing() as old:
        writer = _Writer(out, old, digest)
        try:
            index, position = [], 0
            for number, section in enumerate(layout):
                writer.new(section.prefix)
                first = True
                while position < len(entries) and entries[position][0] == number:
                    _, key, owner, content = entries[position]
                    position += 1
                    if not first:
                        writer.separator(section.separator)
                    first = False
                    index.append(
                        (
                            number,
                            key,
                            owner,
                            writer.offset,
                            content[1] if isinstance(content, tuple) else len(content),
                        )
                    )
                    if isinstance(content, tuple):
                        writer.copy(*content)
                    else:
                        writer.new(content)
                writer.new(section.suffix)
            writer.flush()
        finally:
            writer.close()
    return index, writer.offset, writer.digest.hexdigest() if digest else None


def _same_bytes(old_path, old_written, layout, entries):
    """Whether writing entries into layout would give the old file's bytes, with every part
    where the old index has it. Each section's separator is compared once: the old file
    was written with one separator per section too."""
    old_index, old_size, _ = old_written
    if len(entries) != len(old_index):
        return False
    if old_size == 0:
        return not entries and all(section == Section(b"", b"", b"") for section in layout)
    with open(old_path, "rb") as old, mmap.mmap(old.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if len(data) != old_size:
            return False
        offset, position = 0, 0
        for number, section in enumerate(layout):
            prefix, separator, suffix = section
            if data[offset : offset + len(prefix)] != prefix:
                return False
            offset += len(prefix)
            first, separator_seen = True, False
            while position < len(entries) and entries[position][0] == number:
                _, key, owner, content = entries[position]
                placed = old_index[position]
                position += 1
                if not first:
                    if not separator_seen:
                        if data[offset : offset + len(separator)] != separator:
                            return False
                        separator_seen = True
                    offset += len(separator)
                first = False
                if placed[3] != offset or placed[:3] != (number, key, owner):
                    return False
                if content.__class__ is tuple:
                    if content != placed[3:]:
                        return False
                elif placed[4] != len(content) or data[offset : offset + placed[4]] != content:
                    return False
                offset += placed[4]
            if data[offset : offset + len(suffix)] != suffix:
                return False
            offset += len(suffix)
        return offset == old_size


class _Writer:
    """Writes a file from new bytes and ranges of an old file, hashing as it goes. Ranges
    that follow each other in the old file, separator included, are copied in one go (an
    unchanged stretch of ten thousand articles is one copy, not ten thousand), from file
    to file inside the kernel, and hashed from the old file mapped in memory."""

    def __init__(self, out, old, digest):
        self.out, self.source, self.offset = out, old, 0
        self.digest = hashlib.sha256() if digest else None
        self.mapped = None  # the old file, mapped, to hash what is copied without reading it in
        self.run = None  # [start, end] of the old bytes waiting to be copied
        self.pending_separator = b""

    def _emit(self, data):
        self.out.write(data)
        if self.digest:
            self.digest.update(data)

    def flush(self):
        if self.run:
            start, end = self.run
            self.run = None
            if self.digest:
                if self.mapped is None:
                    self.mapped = mmap.mmap(self.source.fileno(), 0, access=mmap.ACCESS_READ)
                with memoryview(self.mapped)[start:end] as view:
                    self.digest.update(view)
            self.out.flush()
            copy_range(self.source, self.out, start, end)
        if self.pending_separator:
            self._emit(self.pending_separator)
            self.pending_separator = b""

    def close(self):
        if self.mapped is not None:
            self.mapped.close()

    def separator(self, data):
        self.pending_separator = data
        self.offset += len(data)

    def copy(self, start, length):
        if self.run and self.run[1] + len(self.pending_separator) == start:
            self.run[1] = start + length  # the separator lies between them in the old file too
            self.pending_separator = b""
        else:
            self.flush()
            self.run = [start, start + length]
        self.offset += length

    def new(self, data):
        self.flush()
        self._emit(data)
        self.offset += len(data)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
