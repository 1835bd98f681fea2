"""Read the curated seeds: YAML files that remember the line of every entry and
key, and the article texts as bytes. Reading only: checking is in assemble.py."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from build.problems import BuildError, Problem


class Record(dict):
    """A YAML mapping that knows the line it starts on and the line of each key."""

    line = None
    key_lines = None

    def line_of(self, key):
        """The line of `key`, or of the mapping when the key is absent."""
        return (self.key_lines or {}).get(key, self.line)


class Items(list):
    """A YAML sequence that knows the line of each item."""

    item_lines = ()

    def line_of_item(self, index):
        return self.item_lines[index] if index < len(self.item_lines) else None


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the curator wrote them and records lines."""


# Dates stay strings: "2020-12" and "2020-12-18" must read alike, and the
# build checks them itself.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_record(loader, node):
    loader.flatten_mapping(node)
    record = Record()
    record.line = node.start_mark.line + 1
    record.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in record:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        record[key] = loader.construct_object(value_node, deep=True)
        record.key_lines[key] = key_node.start_mark.line + 1
    return record


def _construct_items(loader, node):
    items = Items(loader.construct_object(child, deep=True) for child in node.value)
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_record)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_items)


def load_yaml(path, display_name):
    """Parse one YAML file; a syntax or encoding error becomes a Problem naming the line."""
    try:
        source = Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise BuildError([Problem(display_name, None, "", f"not valid UTF-8 ({error.reason} at byte {error.start})")])
    except OSError as error:
        raise BuildError([Problem(display_name, None, "", f"cannot read: {error.strerror}")])
    try:
        return yaml.load(source, Loader=_LineLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise BuildError([Problem(display_name, line, "", f"YAML syntax error: {error.problem or error}")])


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
    articles: list = field(default_factory=list)


def display_path(path, root):
    """A path as the user should see it: relative to the repository, like seeds/actors.yml."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(root.resolve().parent))
    except ValueError:
        return str(path)


def read_seeds(seeds_dir):
    """Read actors.yml, claims.yml and every articles/*.yml with its text file."""
    root = Path(seeds_dir)
    problems = []
    seeds = Seeds(root=root)

    def load_list(name):
        path = root / name
        shown = display_path(path, root)
        try:
            data = load_yaml(path, shown)
        except BuildError as error:
            problems.extend(error.problems)
            return []
        if not isinstance(data, list):
            problems.append(Problem(shown, None, "", "expected a list of entries"))
            return []
        return data

    seeds.actors = load_list("actors.yml")
    seeds.claims = load_list("claims.yml")
    article_paths = sorted((root / "articles").glob("*.yml"))
    if not article_paths:
        problems.append(Problem(display_path(root / "articles", root), None, "", "no article files (*.yml)"))
    for path in article_paths:
        shown = display_path(path, root)
        try:
            record = load_yaml(path, shown)
        except BuildError as error:
            problems.extend(error.problems)
            continue
        if not isinstance(record, Record):
            problems.append(Problem(shown, None, "", "expected a mapping of article fields"))
            continue
        article = ArticleSeed(article_id=path.stem, path=shown, record=record)
        text_name = record.get("text")
        if isinstance(text_name, str):
            try:
                article.text_bytes = (root / text_name).read_bytes()
            except OSError as error:
                problems.append(Problem(shown, record.line_of("text"), "text", f"cannot read {text_name}: {error.strerror}"))
        seeds.articles.append(article)
    if problems:
        raise BuildError(problems)
    return seeds


def sha256(data):
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()
