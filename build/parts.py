"""Output files made of parts, so that a rebuild rewrites only what changed.

A file's layout is a list of sections; each section is a prefix, a separator put
between its parts, and a suffix. A part belongs to one section, has a key that orders
it within the section, and an owner: the article whose rows it was made from, or None
when it was made from the corpus as a whole (the small tables, counts over every
article). A part may hold several records, joined by its section's separator; an empty
part is left out, separator and all.

A full build makes every part. An incremental build (build/incremental.py) makes again
the parts of the articles that changed and the corpus-wide parts, and copies every other
part's bytes from the previous file, found through the index write_parts returned then.
Both go through join order and write_parts, so they give the same bytes."""

import hashlib
from typing import NamedTuple


class Section(NamedTuple):
    prefix: bytes
    separator: bytes
    suffix: bytes


class Part(NamedTuple):
    section: int  # position of its section in the layout
    key: tuple  # order within the section: tuples of text and numbers
    owner: object  # the article id it was made from; None for the corpus as a whole
    data: bytes


class Placed(NamedTuple):
    """Where a written part lies in its file, as the index of that file records it."""

    section: int
    key: tuple
    owner: object
    offset: int
    length: int


def order(parts):
    """Parts in file order: by section, then key; empty parts dropped."""
    return sorted((part for part in parts if part.data), key=lambda part: (part.section, part.key))


def join_parts(layout, parts):
    """The bytes of a whole file from its layout and every one of its parts."""
    by_section = [[] for _ in layout]
    for part in order(parts):
        by_section[part.section].append(part.data)
    return b"".join(section.prefix + section.separator.join(datas) + section.suffix for section, datas in zip(layout, by_section))


def write_parts(path, layout, parts, previous=None):
    """Write a file from its layout and parts; return (index, size, sha256 hex).

    previous, when given, is (old path, old index, owners to drop): every part of the old
    file whose owner is not None and not among the owners to drop is copied from it, and
    `parts` need hold only the new ones (those of the dropped owners, and the corpus-wide
    parts). The index lists every part written as a Placed, in file order."""
    kept = []
    if previous is not None:
        old_path, old_index, dropped = previous
        kept = [placed for placed in old_index if placed.owner is not None and placed.owner not in dropped]
    entries = [(part.section, part.key, part.owner, part.data) for part in parts if part.data]
    entries += [(placed.section, placed.key, placed.owner, placed) for placed in kept]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    digest, index, offset = hashlib.sha256(), [], 0
    old = open(previous[0], "rb") if kept else None
    try:
        with open(path, "wb") as out:

            def emit(data):
                nonlocal offset
                out.write(data)
                digest.update(data)
                offset += len(data)

            position = 0
            for number, section in enumerate(layout):
                emit(section.prefix)
                first = True
                while position < len(entries) and entries[position][0] == number:
                    _, key, owner, content = entries[position]
                    position += 1
                    if not first:
                        emit(section.separator)
                    first = False
                    if isinstance(content, Placed):
                        old.seek(content.offset)
                        content = old.read(content.length)
                    index.append(Placed(number, key, owner, offset, len(content)))
                    emit(content)
                emit(section.suffix)
            if position != len(entries):
                raise ValueError(f"{path}: a part names section {entries[position][0]}, but the layout has {len(layout)}")
    finally:
        if old is not None:
            old.close()
    return index, offset, digest.hexdigest()
