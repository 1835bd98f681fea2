"""Files made of parts (build/write/parts.py): written whole, or by copying the parts that did
not change from the previous file, they are the same bytes."""

import errno
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build.write import parts
from build.write.parts import Part, Section, join_parts, write_parts

OWNERS = st.sampled_from(["a", "b", "c", "d", "e", None])
LAYOUTS = st.lists(
    st.builds(
        Section,
        st.sampled_from([b"", b"[", b"header\n"]),
        st.sampled_from([b"", b",", b",\n  "]),
        st.sampled_from([b"", b"]", b"\n"]),
    ),
    min_size=1,
    max_size=3,
)


def parts_of(layout, owners_and_data):
    """One part per (section, owner) at most, keyed by owner as the CSVs and exports are."""
    parts = {}
    for section, owner, data in owners_and_data:
        section %= len(layout)
        parts[section, owner] = Part(section, (owner or "~corpus",), owner, data)
    return list(parts.values())


PARTS = st.lists(st.tuples(st.integers(0, 2), OWNERS, st.binary(max_size=6)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    layout=LAYOUTS,
    old=PARTS,
    new=PARTS,
    dropped=st.sets(st.sampled_from(["a", "b", "c", "d", "e"])),
)
def test_copying_unchanged_parts_gives_the_bytes_of_writing_everything(
    tmp_path_factory, layout, old, new, dropped
):
    folder = tmp_path_factory.mktemp("parts")
    old_parts = parts_of(layout, old)
    old_written = write_parts(folder / "old", layout, old_parts)
    index, size, digest = old_written
    assert (folder / "old").read_bytes() == join_parts(layout, old_parts)
    assert (size, digest) == (
        len(join_parts(layout, old_parts)),
        hashlib.sha256(join_parts(layout, old_parts)).hexdigest(),
    )

    # The new parts: those of the dropped owners, and the corpus-wide ones.
    new_parts = [
        part for part in parts_of(layout, new) if part.owner is None or part.owner in dropped
    ]
    kept = [part for part in old_parts if part.owner is not None and part.owner not in dropped]
    new_written = write_parts(
        folder / "new", layout, new_parts, (folder / "old", old_written, dropped)
    )
    index, size, digest = new_written
    expected = join_parts(layout, kept + new_parts)
    assert (folder / "new").read_bytes() == expected
    assert (size, digest) == (len(expected), hashlib.sha256(expected).hexdigest())

    # Without a digest the copied stretches go from file to file in the kernel: same bytes.
    _, size, digest = write_parts(
        folder / "undigested",
        layout,
        new_parts,
        (folder / "old", old_written, dropped),
        digest=False,
    )
    assert (folder / "undigested").read_bytes() == expected and (size, digest) == (
        len(expected),
        None,
    )

    # And the index of a copied file serves the next copy as well.
    write_parts(
        folder / "again",
        layout,
        [part for part in new_parts if part.owner is None],
        (folder / "new", new_written, set()),
    )
    assert (folder / "again").read_bytes() == expected


def test_an_index_says_where_each_part_lies(tmp_path):
    layout = [Section(b"id,name\n", b"", b""), Section(b"[", b", ", b"]")]
    parts = [
        Part(0, ("b",), "b", b"b,2\n"),
        Part(0, ("a",), "a", b"a,1\n"),
        Part(1, ("~",), None, b"all"),
        Part(1, ("a",), "a", b""),
    ]
    index, _, _ = write_parts(tmp_path / "file", layout, parts)
    data = (tmp_path / "file").read_bytes()
    assert data == b"id,name\na,1\nb,2\n[all]"
    assert [(owner, data[offset : offset + length]) for _, _, owner, offset, length in index] == [
        ("a", b"a,1\n"),
        ("b", b"b,2\n"),
        (None, b"all"),
    ]


def _copied_twice(folder):
    """A file written by copying old parts, and the bytes it must hold."""
    layout = [Section(b"id,name\n", b"", b""), Section(b"[", b", ", b"]")]
    old = [Part(0, (key,), key, f"{key},{n}\n".encode() * 5000) for n, key in enumerate("abcd")] + [
        Part(1, ("~",), None, b"all")
    ]
    written = write_parts(folder / "old", layout, old)
    new = [Part(0, ("b",), "b", b"b,changed\n"), Part(1, ("~",), None, b"all, again")]
    kept = [part for part in old if part.owner not in ("b", None)]
    return layout, new, (folder / "old", written, {"b"}), join_parts(layout, kept + new)


@pytest.mark.parametrize("digest", [True, False])
@pytest.mark.parametrize("kernel", ["missing", "refuses"])
def test_without_a_copy_in_the_kernel_the_bytes_are_the_same(tmp_path, monkeypatch, kernel, digest):
    """Off Linux os.copy_file_range does not exist, and some file systems refuse it
    (EXDEV, EINVAL...): the kept parts then go through a buffer, to the same bytes."""
    layout, new, previous, expected = _copied_twice(tmp_path)

    def refuses(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(parts, "copy_file_range", None if kernel == "missing" else refuses)
    _, size, _ = write_parts(tmp_path / "new", layout, new, previous, digest=digest)
    assert (tmp_path / "new").read_bytes() == expected and size == len(expected)


@pytest.mark.parametrize("digest", [True, False])
def test_a_file_whose_parts_are_made_again_the_same_is_the_old_file(tmp_path, digest):
    """A rebuild that makes an article's parts again, byte for byte, links the old file
    (no copy) and reports its index, size and digest; one new byte anywhere, in a part or
    in the layout, and the file is written."""
    layout = [Section(b"id,name\n", b"", b""), Section(b"[", b", ", b"]")]
    old = [Part(0, (key,), key, f"{key},{n}\n".encode()) for n, key in enumerate("abc")] + [
        Part(1, ("~",), None, b"all")
    ]
    written = write_parts(tmp_path / "old", layout, old, digest=digest)
    again = [part for part in old if part.owner in ("b", None)]
    same = write_parts(tmp_path / "same", layout, again, (tmp_path / "old", written, {"b"}), digest)
    assert same == written
    assert (tmp_path / "same").stat().st_ino == (tmp_path / "old").stat().st_ino

    changes = {
        "a part": (layout, [Part(0, ("b",), "b", b"b,9\n"), again[1]]),
        "a longer part": (layout, [Part(0, ("b",), "b", b"b,1\nb,1\n"), again[1]]),
        "a part gone": (layout, [again[1]]),
        "the corpus-wide part": (layout, [again[0], Part(1, ("~",), None, b"al")]),
        "a separator": ([Section(b"id,name\n", b"\n", b""), layout[1]], again),
        "a suffix": ([layout[0], Section(b"[", b", ", b"]\n")], again),
    }
    for change, (new_layout, new_parts) in changes.items():
        path = tmp_path / change
        result = write_parts(
            path, new_layout, new_parts, (tmp_path / "old", written, {"b"}), digest
        )
        kept = [part for part in old if part.owner not in ("b", None)]
        expected = join_parts(new_layout, kept + new_parts)
        assert path.read_bytes() == expected, change
        assert path.stat().st_ino != (tmp_path / "old").stat().st_ino, change
        assert result[1:] == (
            len(expected),
            hashlib.sha256(expected).hexdigest() if digest else None,
        )
