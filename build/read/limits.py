"""What the build reads, bounded: every seed file is a regular file inside seeds/, read
whole but only up to its limit, and every YAML document small once its aliases and merge
keys are expanded. Each limit's message says the limit.

- Sizes (bytes): a YAML file MAX_YAML_BYTES, an article text MAX_TEXT_BYTES (five times
  the longest text the extractor drafts, 100,000 characters), the extractor scores
  MAX_CSV_BYTES. A 50 MB text took three minutes to check before.
- Only regular files: a named pipe given as a text blocked the build forever; it is opened
  without waiting for a writer, and refused. Directories and devices are refused too.
- Inside seeds/: a path (or a symbolic link) leading outside is refused, whether the
  article is read afresh or its file is unchanged since the last build.
- YAML: at most MAX_YAML_NODES values once every alias (*name) and merge key (<<) is
  expanded, and lists and mappings nested at most MAX_YAML_DEPTH deep. Eleven kilobytes of
  nested merge keys took 2 min 42 s and 850 MB to read before, and then passed.
- Editors' lock and backup files (.#NAME.yml, hidden files) are not articles: skipped.
"""

import os
import stat
from pathlib import Path

import yaml

from build.problems import BuildError, Problem

MAX_YAML_BYTES = 1_000_000
MAX_TEXT_BYTES = 500_000
MAX_CSV_BYTES = 1_000_000
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 64


def is_seed_name(name):
    """Whether a file in seeds/articles/ may be an article: not hidden, not an editor's lock
    file (Emacs makes `.#NAME.yml`, a dangling symbolic link), not a backup."""
    return not name.startswith((".", "#", "~")) and not name.endswith(("~", "#"))


def file_problem(path, root, limit, what="the file", real_folders=None):
    """Why the file at path may not be read as a seed (a message), or None: outside root,
    not a regular file, unreadable, or over limit bytes. Reads nothing. real_folders, a
    set kept by a caller asking this of many files (a rebuild, of every unchanged
    article's), remembers the folders below root already found not to be links."""
    path, root = os.fspath(path), os.fspath(root)
    try:
        info = os.lstat(path)
    except OSError:
        info = None
    if info is None or not stat.S_ISREG(info.st_mode) or not _below(path, root, real_folders):
        info = None  # a link, a folder, a pipe, missing ...: the full checks say which
        if not is_inside(path, root):
            return (
                f"{what} leads outside {Path(root).name}/ (a symbolic link?): keep seeds inside it"
            )
        try:
            info = os.stat(path)
        except OSError as error:
            return f"cannot read: {error.strerror}"
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(info.st_mode)
            else "a named pipe"
            if stat.S_ISFIFO(info.st_mode)
            else "not a regular file"
        )
        return f"{what} is {kind}: give a file"
    if info.st_size > limit:
        return f"{what} is {info.st_size:,} bytes: at most {limit:,} are read"
    if not os.access(path, os.R_OK):
        return "cannot read: Permission denied"
    return None


def _below(path, root, real_folders=None, last_too=False):
    """Whether path is lexically inside root with no symbolic link among the folders
    between (and, with last_too, not itself a link)."""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not path.startswith(prefix):
        return False
    parts = path[len(prefix) :].split(os.sep)
    if "" in parts or "." in parts or ".." in parts:
        return False
    below = prefix[:-1]
    for number, part in enumerate(parts, 1):
        below += os.sep + part
        if number == len(parts) and not last_too:
            break
        if real_folders is not None and below in real_folders:
            continue
        if os.path.islink(below):
            return False
        if real_folders is not None and number < len(parts):
            real_folders.add(below)
    return True


def is_inside(path, root):
    """Whether path, its symbolic links followed, lies inside root. os.path, not pathlib,
    and realpath only when needed: a rebuild asks this of every unchanged article's files."""
    if _below(path, root, last_too=True):
        return True  # lexically inside, and no link below root to lead out
    try:
        real, real_root = os.path.realpath(path), os.path.realpath(root)
    except (OSError, ValueError):
        return False
    return real == real_root or real.startswith(os.path.join(real_root, ""))


def read_limited(path, root, limit, display_name, what="the file"):
    """The bytes of a seed file, or BuildError naming display_name: outside root, not a
    regular file (opened without blocking, so a named pipe cannot hold the build), or over
    limit bytes (checked again on the open file: it may have grown)."""
    problem = file_problem(path, root, limit, what)
    if problem:
        raise BuildError([Problem(display_name, None, "", problem)])
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise BuildError(
            [Problem(display_name, None, "", f"cannot read: {error.strerror}")]
        ) from None
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise BuildError(
                [Problem(display_name, None, "", f"{what} is not a regular file: give a file")]
            )
        data = file.read(limit + 1)
    if len(data) > limit:
        raise BuildError(
            [
                Problem(
                    display_name,
                    None,
                    "",
                    f"{what} is over {limit:,} bytes: at most {limit:,} are read",
                )
            ]
        )
    return data


def check_yaml_size(node):
    """Raise yaml's ConstructorError (at the node) when the document, aliases and merge keys
    expanded, holds more than MAX_YAML_NODES values or nests deeper than MAX_YAML_DEPTH.
    Counted over the graph of nodes once each (an alias is the node it names), so that the
    count costs what the file's size does, however much it expands."""
    if _plainly_small(node):
        return
    sizes, depths, visiting = {}, {}, set()
    stack = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if key in sizes or (key in visiting and not children_done):
            continue  # counted, or an alias inside what it names (the constructor says so)
        children = _children(current)
        if not children_done:
            visiting.add(key)
            stack.append((current, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        visiting.discard(key)
        sizes[key] = 1 + sum(sizes.get(id(child), 0) for child in children)
        depths[key] = (
            (1 + max((depths.get(id(child), 0) for child in children), default=0))
            if children
            else 0
        )
        if sizes[key] > MAX_YAML_NODES:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"this holds more than {MAX_YAML_NODES:,} values once its aliases (*name) and merge keys (<<) are expanded: write the values out, or split the file",
                current.start_mark,
            )
        if depths[key] > MAX_YAML_DEPTH:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"lists and mappings are nested more than {MAX_YAML_DEPTH} deep here: the seeds need a few levels",
                current.start_mark,
            )


def _plainly_small(node):
    """Whether the document is a tree (no node reached twice: no alias) within both
    limits: what nearly every seed file is, told by one quick walk. Anything else is
    counted node by node above, which also says where a limit is passed."""
    seen, stack, count = set(), [(node, 0)], 0
    while stack:
        current, depth = stack.pop()
        if id(current) in seen or depth > MAX_YAML_DEPTH:
            return False
        seen.add(id(current))
        count += 1
        if count > MAX_YAML_NODES:
            return False
        stack.extend((child, depth + 1) for child in _children(current))
    return True


def _children(node):
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
