"""Read the curated seeds: YAML files that remember the line of every entry and
key, and the article texts as bytes. Reading only: checking is in assemble.py.

Anything that cannot be read (missing files, bad encodings, YAML syntax, duplicate
keys) becomes a Problem naming the file and line; nothing here raises anything else."""

import contextlib
import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from build.incremental.cache import ParseCache, content_key
from build.problems import BuildError, Problem
from build.read import limits
from build.read.text import NOT_TEXT, decode_text, not_text_message
from build.workers import map_on_cores

# Where YAML breaks lines (YAML 1.1, as PyYAML reads it): what its line numbers count.
YAML_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
SYNTAX_HINT = "check the indentation, brackets and quotes on this line and the one before (text holding ': ' or ' #' needs quotes)"


class Record(dict):
    """A YAML mapping that knows the line it starts on and the line of each key."""

    line = None
    key_lines = None

    def line_of(self, key):
        """The line of `key`, or of the mapping when the key is absent."""
        return (self.key_lines or {}).get(key, self.line)


class Items(list):
    """A YAML sequence that knows the line of each item."""

    line = None
    item_lines = ()

    def line_of_item(self, index):
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def line_of_item(items, index, default=None):
    """The line of items[index] when items came from YAML, else default."""
    line = items.line_of_item(index) if isinstance(items, Items) else None
    return line if line is not None else default


class _LineConstructor(yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """SafeConstructor that keeps dates as the curator wrote them, records lines, collects
    duplicate keys instead of keeping the last, and accepts only plain YAML: text,
    numbers, true/false, null, lists and mappings. Shared by both parsers below."""

    def __init__(self):
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.duplicates = []  # (line, key, first line)
        self.last_node = None

    def construct_object(self, node, deep=False):
        # Remembered so that a failure inside PyYAML's scalar constructors
        # (`!!int abc`) can still be reported at its line.
        self.last_node = node
        return super().construct_object(node, deep)

    def get_single_data(self):
        node = self.get_single_node()
        if node is None:
            return None
        limits.check_yaml_size(node)  # before anything is built: aliases and merges expanded
        return self.construct_document(node)

    def construct_yaml_str(self, node):
        value = super().construct_yaml_str(node)
        bad = NOT_TEXT.search(value)  # raw ones are refused before: only escapes get here
        if bad:
            what = not_text_message(bad.group(), "the value", "(written as an escape)")
            raise yaml.constructor.ConstructorError(None, None, what, node.start_mark)
        return value

    def construct_yaml_int(self, node):
        value = super().construct_yaml_int(node)  # what is no number at all fails here, as before
        if not DECIMAL_INTEGER.fullmatch(node.value):
            _refuse_number(
                node,
                "a number in another base or form (YAML 1.1: hexadecimal, octal, binary, base 60, digits with _)",
            )
        return value

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not DECIMAL_FLOAT.fullmatch(node.value):
            _refuse_number(
                node, "an unusual number (infinity, not-a-number, base 60, digits with _)"
            )
        return value


def _refuse_number(node, reads_as):
    """Refuse a number the seeds do not write (it reads_as something unexpected)."""
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"{node.value!r} reads as {reads_as}: "
        "write a number in plain decimal digits, or put text in quotes",
        node.start_mark,
    )


# Numbers as the seeds write them; YAML 1.1's others (0x7E4 is 2020) are refused.
DECIMAL_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
DECIMAL_FLOAT = re.compile(r"-?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class _LineLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _LineConstructor,
):
    """The pure-Python parser: slow, but its errors are the ones the messages are built on."""

    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _LineConstructor.__init__(self)


class _FastLineLoader(yaml.cyaml.CParser, _LineConstructor):
    """libyaml's parser (about 8x faster) with the same constructor, for input it reads
    exactly as _LineLoader does (see _fast_parser_reads_alike)."""

    def __init__(self, stream):
        yaml.cyaml.CParser.__init__(self, stream)
        _LineConstructor.__init__(self)


# Dates stay strings: "2020-12" and "2020-12-18" must read alike, and the
# build checks them itself.
_LineConstructor.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}

# libyaml composes nested collections by C recursion and crashes the process past some
# ten thousand levels (20,000 read fine here, 100,000 did not). A block collection nested
# inside another starts further right, and a flow one opens a bracket, so the nesting
# depth is at most the longest line plus the number of brackets.
_FAST_PARSER_MAX_DEPTH = 5000
_OTHER_LINE_BREAKS = re.compile("[\r\x85\u2028\u2029]")


def _fast_parser_reads_alike(source):
    """Whether libyaml may parse source: no deep nesting, only \n line breaks (so lines
    count alike) and only characters PyYAML's reader accepts."""
    if (
        not yaml.__with_libyaml__
        or _OTHER_LINE_BREAKS.search(source)
        or yaml.reader.Reader.NON_PRINTABLE.search(source)
    ):
        return False
    longest_line = max(map(len, source.split("\n")))
    return longest_line + source.count("[") + source.count("{") < _FAST_PARSER_MAX_DEPTH


def _construct_record(loader, node):
    written = {id(key_node) for key_node, _ in node.value}
    loader.flatten_mapping(node)  # puts the pairs of `<<: *anchor` merges first
    record = Record()
    record.line = node.start_mark.line + 1
    record.key_lines = {}
    merged = set()  # keys taken from a merge: a key written here overrides them
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict, set)):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a list or mapping cannot be a key: a key is a word or text",
                key_node.start_mark,
            )
        line = key_node.start_mark.line + 1
        if key in record and key not in merged:
            loader.duplicates.append((line, key, record.key_lines[key]))
            continue
        if id(key_node) in written:
            merged.discard(key)
        else:
            merged.add(key)
        record[key] = loader.construct_object(value_node, deep=True)
        record.key_lines[key] = line
    return record


def _construct_items(loader, node):
    items = Items(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


def _reject_tag(loader, node):
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed in seeds: "
        "write plain text, numbers, true/false, lists and mappings",
        node.start_mark,
    )


_LineConstructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_record)
_LineConstructor.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_items)
for _tag in ("binary", "timestamp", "omap", "pairs", "set"):
    _LineConstructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _reject_tag)
_LineConstructor.add_constructor(None, _reject_tag)
for _tag in ("str", "int", "float"):
    _LineConstructor.add_constructor(
        f"tag:yaml.org,2002:{_tag}", getattr(_LineConstructor, f"construct_yaml_{_tag}")
    )


def line_at(text, index):
    """1-based line of character `index` in text, counting line breaks as YAML does."""
    return len(YAML_LINE_BREAK.findall(text, 0, index)) + 1


def decode_utf8(data, display_name, what="the file"):
    """Bytes as text (a UTF-8 byte-order mark kept, for YAML), or a Problem (build/read/text.py)."""
    text, problem = decode_text(data, what, allow_bom=True, allow_empty=True)
    return text, None if problem is None else Problem(
        display_name, problem.line, "", problem.message
    )


def _syntax_problem(error, source, display_name):
    """A Problem from PyYAML's MarkedYAMLError, at the most useful line."""
    problem = error.problem or str(error)
    mark, context = error.problem_mark, error.context_mark
    if mark is None or (context is not None and mark.index >= len(source.rstrip())):
        # The file ended inside something left open: point at where it began.
        mark = context or mark
    line = min(mark.line + 1, line_at(source, len(source.rstrip()))) if mark else None
    if isinstance(error, yaml.composer.ComposerError) and "another document" in problem:
        return Problem(
            display_name,
            line,
            "",
            "the file holds a second YAML document (after a '---' line): keep everything in one",
        )
    if isinstance(error, yaml.constructor.ConstructorError):
        if "recursive" in problem:
            problem = "an alias (*name) refers to the entry holding it: write the value out instead"
        return Problem(display_name, line, "", problem)
    message = f"YAML syntax error: {problem}"
    if error.context:
        started = context.line + 1 if context else None
        message += f" ({error.context}" + (
            f" from line {started})" if started and started != line else ")"
        )
    hint = "indent with spaces, not tabs" if "'\\t'" in problem else SYNTAX_HINT
    return Problem(display_name, line, "", f"{message}; {hint}")


def parse_yaml(source, display_name):
    """Parse YAML text; every failure becomes a BuildError naming the file and line.
    libyaml reads what it reads alike; anything it rejects is read again by PyYAML's
    own parser, whose errors the messages are made from."""
    if _fast_parser_reads_alike(source):
        loader = _FastLineLoader(source)
        try:
            data = loader.get_single_data()
            if not loader.duplicates:
                return data
        except Exception:  # noqa: BLE001 - read again below, for the message
            pass
        finally:
            loader.dispose()
    loader = None
    try:
        loader = _LineLoader(source)
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        raise BuildError([_syntax_problem(error, source, display_name)]) from None
    except yaml.reader.ReaderError as error:
        raise BuildError([_reader_problem(error, source, display_name)]) from None
    except RecursionError:
        raise BuildError(
            [
                Problem(
                    display_name,
                    _node_line(loader),
                    "",
                    "lists or mappings are nested too deeply to read",
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        raise BuildError(
            [Problem(display_name, None, "", f"cannot read the YAML: {error}")]
        ) from None
    except Exception as error:  # noqa: BLE001
        # PyYAML's scalar constructors fail with whatever their parsing trips on (ValueError
        # on `!!int abc`, KeyError on `!!bool maybe`, IndexError on an empty `!!int`...):
        # any failure while building the values is a value that cannot be read.
        node = loader.last_node if loader else None
        tag = node.tag.replace("tag:yaml.org,2002:", "!!") if node else "YAML"
        value = node.value if node is not None and isinstance(node.value, str) else ""
        raise BuildError(
            [
                Problem(
                    display_name,
                    _node_line(loader),
                    "",
                    f"cannot read {value!r} as {tag} ({error}): remove the tag or correct the value",
                )
            ]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if loader.duplicates:
        raise BuildError(
            [
                Problem(
                    display_name,
                    line,
                    str(key),
                    f"duplicate key: already given on line {first}; keep only one",
                )
                for line, key, first in loader.duplicates
            ]
        )
    return data


def _reader_problem(error, source, display_name):
    """A Problem from PyYAML's ReaderError: a character YAML does not read. Files are
    checked as text before (build/read/text.py), so only a string given to parse_yaml can
    still hold a NOT_TEXT character here; YAML's own refusals are C1 controls and U+FFFE/F."""
    character = error.character if isinstance(error.character, str) else chr(error.character)
    line = line_at(source, error.position)
    if NOT_TEXT.fullmatch(character):
        where = f"at character {error.position} (line {line})"
        message = not_text_message(character, "the file", where)
    else:
        message = f"the character U+{ord(character):04X} is not allowed in YAML: remove it"
    return Problem(display_name, line, "", message)


def _node_line(loader):
    """The line PyYAML was reading when it failed: of the last node built, else where it stopped."""
    if loader is None:
        return None
    if loader.last_node is not None:
        return loader.last_node.start_mark.line + 1
    return loader.get_mark().line + 1


def load_yaml(path, display_name):
    """Parse one YAML file; a syntax or encoding error becomes a Problem naming the line.
    A UTF-8 byte-order mark at the start is allowed (YAML allows it); None means empty."""
    return parse_yaml_bytes(read_bytes(path, display_name), display_name)


def read_bytes(path, display_name, root=None, limit=limits.MAX_YAML_BYTES):
    """A file's bytes; a BuildError naming it when it cannot be read, is not a regular file
    inside root (its own folder by default), or is over limit bytes (build/read/limits.py)."""
    return limits.read_limited(
        path, Path(path).parent if root is None else root, limit, display_name
    )


def parse_yaml_bytes(data, display_name):
    """Decode (UTF-8) and parse the bytes of a YAML file; BuildError on any failure."""
    source, problem = decode_utf8(data, display_name)
    if problem:
        raise BuildError([problem])
    return parse_yaml(source, display_name)


def _parse_or_problems(data_and_name):
    """(parsed value, []) or (None, problems): a BuildError as a value, to cross processes."""
    data, display_name = data_and_name
    try:
        return parse_yaml_bytes(data, display_name), []
    except BuildError as error:
        return None, error.problems


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_FROM = 100


def parse_files(paths, root, cache=None, progress=None):
    """{path: (parsed value, problems)} for YAML files, parsing only those whose content
    is not in the cache, on every core when there are many."""
    cache = cache or ParseCache(None)
    results, todo = {}, {}
    for path in paths:
        shown = display_path(path, root)
        try:
            data = read_bytes(path, shown, root)
        except BuildError as error:
            results[path] = (None, error.problems)
            continue
        todo[path] = (content_key(data), data, shown)
    cached = cache.get_many(key for key, _, _ in todo.values())
    uncached = [path for path, (key, _, _) in todo.items() if key not in cached]
    for path, (key, _, _) in todo.items():
        if key in cached:
            results[path] = (cached[key], [])
    jobs = [(todo[path][1], todo[path][2]) for path in uncached]
    with contextlib.ExitStack() as stack:
        parsed = map_on_cores(
            _parse_or_problems, jobs, stack, worth_it=len(jobs) >= PARALLEL_FROM, chunksize=32
        )
        if progress and jobs:
            parsed = progress(parsed, len(jobs), "parsing")
        fresh = {}
        for path, (value, problems) in zip(uncached, parsed):
            results[path] = (value, problems)
            if not problems:
                fresh[todo[path][0]] = value
    cache.put_many(fresh)
    return results


@dataclass
class ArticleSeed:
    """One article's annotation file and the bytes of its text file (None if unreadable)."""

    article_id: str
    path: str  # relative to the repository root, for messages and provenance
    record: Record
    text_bytes: bytes = None


@dataclass
class Seeds:
    """Everything the build reads, before any checking."""

    root: Path
    actors: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    works: list = field(default_factory=list)  # works.yml: optional, a corpus may cite none
    articles: list = field(default_factory=list)
    extractor_scores: list = field(default_factory=list)  # Records, one per CSV row
    releases: object = None  # build.release.record.Releases: release.yml and changes.csv


SCORES_FILE = "extractor_scores.csv"


def read_scores(path, shown):
    """The rows of `provenance evaluate`'s CSV as Records (line = the CSV line); [] when
    the file is absent (a corpus nobody has evaluated the extractor on)."""
    if not Path(path).exists():
        return []
    source, problem = decode_utf8(read_bytes(path, shown, limit=limits.MAX_CSV_BYTES), shown)
    if problem:
        raise BuildError([problem])
    rows = Items()
    reader = csv.DictReader(io.StringIO(source, newline=""))
    try:
        rows.header = reader.fieldnames
        for row in reader:
            record = Record(row)
            record.line = reader.line_num
            rows.append(record)
    except csv.Error as error:  # a cell over the csv module's limit (128 KB), a NUL ...
        raise BuildError(
            [
                Problem(
                    shown,
                    reader.line_num,
                    "",
                    f"cannot read the CSV: {error}; run `make evaluate` to write it afresh",
                )
            ]
        ) from None
    return rows


def display_path(path, root):
    """A path as the user should see it: relative to the repository, like seeds/actors.yml."""
    path = Path(path)
    try:  # the path as given, not where a symbolic link leads (an editor's lock file ...)
        return str(Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root)).parent))
    except ValueError:
        pass
    try:
        return str(path.resolve().relative_to(root.resolve().parent))
    except ValueError:
        return str(path)


def _kind(value):
    return {Record: "a mapping", Items: "a list"}.get(type(value), type(value).__name__)


def read_seeds(seeds_dir, cache=None, progress=None, articles=None):
    """Read actors.yml, claims.yml and every articles/*.yml with its text file. A
    ParseCache spares parsing unchanged article files again; progress, when given, wraps
    the stream of parsed files as progress(items, length, label) to show how far it got.
    articles, when given, names the only article files to read (by article id): an
    incremental build reads just the articles that changed (build/incremental/rebuild.py)."""
    root = Path(seeds_dir)
    problems = []
    seeds = Seeds(root=root)
    seeds.extractor_scores = _problems_to(problems, [], read_scores, *_shown(root, SCORES_FILE))
    seeds.releases = _problems_to(problems, None, _read_releases, root, cache)
    seeds.actors = _read_list(root, "actors.yml", "actors", cache, problems)
    seeds.claims = _read_list(root, "claims.yml", "claims", cache, problems)
    if (root / "works.yml").exists():  # optional: a corpus may cite no works
        seeds.works = _read_list(root, "works.yml", "works", cache, problems)
    article_paths = _article_paths(root, articles, problems)
    parsed = parse_files(article_paths, root, cache, progress)
    for path in article_paths:
        article = _article_seed(root, path, parsed[path], problems)
        if article is not None:
            seeds.articles.append(article)
    if problems:
        raise BuildError(problems)
    return seeds


def _shown(root, name):
    """(path, display path) of a file in the seeds folder."""
    return root / name, display_path(root / name, root)


def _problems_to(problems, default, read, *args):
    """read(*args), or default with the BuildError's problems added to problems."""
    try:
        return read(*args)
    except BuildError as error:
        problems.extend(error.problems)
        return default


def _read_releases(root, cache):
    """release.yml and changes.csv (build/release/record.py), parsed as the seeds are."""
    from build.release.record import read_releases  # it reads YAML with this module

    return read_releases(root, lambda path: parse_files([path], root, cache)[path])


def _shaped(parsed, shown, kind, should_hold, expected, problems):
    """The value of a parsed file (value, problems) when it is of `kind`; else None, with
    the file's problems added to problems, or the one that the file holds nothing though
    it should_hold something, or holds something else than the `expected` value."""
    data, file_problems = parsed
    problems.extend(file_problems)
    if file_problems:
        return None
    if data is None:
        message = f"the file holds nothing (empty, or only comments): it should {should_hold}"
        problems.append(Problem(shown, 1, "", message))
        return None
    if not isinstance(data, kind):
        message = f"expected {expected}, got {_kind(data)}"
        problems.append(Problem(shown, getattr(data, "line", 1), "", message))
        return None
    return data


def _read_list(root, name, what, cache, problems):
    """The entries of a YAML file that lists `what` (actors.yml ...), or [] with problems."""
    path, shown = _shown(root, name)
    data = _shaped(
        parse_files([path], root, cache)[path],
        shown,
        list,
        f"list the {what}, one '- id: ...' entry each",
        f"a list of {what} (one '- id: ...' entry each)",
        problems,
    )
    return [] if data is None else data


def _article_paths(root, articles, problems):
    """The article files to read: every articles/*.yml, or only those named in articles;
    a problem for a .yaml file (it would be left out) and for a folder with none."""
    articles_dir = root / "articles"
    # Sorted by name: the same order, and ten times faster than comparing Paths at 10,000.
    article_paths = sorted(
        (path for path in articles_dir.glob("*.yml") if limits.is_seed_name(path.name)),
        key=lambda path: path.name,
    )
    for path in sorted(articles_dir.glob("*.yaml")):
        problems.append(
            Problem(
                display_path(path, root),
                None,
                "",
                f"article files end in .yml, so this one would be left out: rename it {path.stem}.yml",
            )
        )
    if not article_paths:
        problems.append(
            Problem(display_path(articles_dir, root), None, "", "no article files (*.yml)")
        )
    if articles is not None:
        article_paths = [path for path in article_paths if path.stem in articles]
    return article_paths


def _article_seed(root, path, parsed, problems):
    """The ArticleSeed of one parsed article file with its text's bytes, or None when the
    file is no mapping of fields; what cannot be read is added to problems."""
    shown = display_path(path, root)
    record = _shaped(
        parsed,
        shown,
        Record,
        "hold the article's fields (text, sha256, outlet, ...; see seeds/README.md)",
        "a mapping of article fields (text: ..., outlet: ...)",
        problems,
    )
    if record is None:
        return None
    article = ArticleSeed(article_id=path.stem, path=shown, record=record)
    text_name = record.get("text")
    if isinstance(text_name, str) and text_name:
        problem = _read_text(root, text_name, record, shown, article)
        if problem:
            problems.append(problem)
    return article


def _read_text(root, text_name, record, shown, article):
    """Read an article's text file into article.text_bytes; a Problem if it cannot be."""
    line = record.line_of("text")
    text_path = root / text_name
    try:
        inside = text_path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        inside = False
    if "\0" in text_name or len(text_name) > 255:
        return Problem(
            shown,
            line,
            "text",
            f"{text_name[:80]!r} is not a file name (a NUL character, or over 255 characters): give a path like texts/NAME.txt",
        )
    if Path(text_name).is_absolute() or not inside:
        return Problem(
            shown,
            line,
            "text",
            f"{text_name!r} is outside seeds/: give a path under seeds/, like texts/NAME.txt",
        )
    problem = limits.file_problem(text_path, root, limits.MAX_TEXT_BYTES, f"the text {text_name}")
    if problem and not problem.startswith("cannot read"):
        return Problem(shown, line, "text", problem)
    try:
        article.text_bytes = limits.read_limited(
            text_path, root, limits.MAX_TEXT_BYTES, shown, f"the text {text_name}"
        )
        return None
    except BuildError as error:
        message = (
            f"cannot read {text_name}: {error.problems[0].message.removeprefix('cannot read: ')}"
        )
    recorded = record.get("sha256")
    renamed = [
        candidate
        for candidate in sorted((root / "texts").glob("*"))
        if _has_sha256(candidate, recorded)
    ]
    if renamed:
        message += f"; {display_path(renamed[0], root)} has the recorded sha256: if the text was renamed, set text: {renamed[0].relative_to(root).as_posix()}"
    else:
        message += "; put the text file back, or correct the path"
    return Problem(shown, line, "text", message)


def _has_sha256(path, recorded):
    try:
        return (
            isinstance(recorded, str)
            and limits.file_problem(path, path.parent, limits.MAX_TEXT_BYTES) is None
            and sha256(path.read_bytes()) == recorded
        )
    except OSError:
        return False


def sha256(data):
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()
