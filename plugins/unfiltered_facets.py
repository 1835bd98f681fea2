"""Datasette plugin: the declared facets of a whole table, counted once per process.

A facet is `select column, count(*) ... group by column` over a page's rows. On an
unfiltered page of a large table that is a full index scan (40-85 ms per facet at 280,000
rows), repeated on every request, although while a database is immutable its answer
cannot change. Datasette itself counts each table of an immutable database once (or takes
the count from the inspect file) and keeps the count; this plugin does the same for
facets:

- at startup, for each immutable database, each column facet metadata declares for a
  table is counted over all its rows, once: the query Datasette's ColumnFacet
  runs (values that are not null, most frequent first, then by value), keeping as many
  values as any page can show (max_returned_rows, and one more to tell it is truncated);
- a page whose rows are all the table's rows (no query parameters, and its row count the
  table's) gets those counts, through Datasette's own ColumnFacet code: labels, toggle
  URLs, "truncated" and the JSON are made as for any facet;
- every other page (filtered, searched, the second page of rows), any facet not declared
  in metadata (`?_facet=`), other kinds of facet, and mutable databases are counted
  live, as Datasette does.

So a visitor sees the same facets at the same URLs; an unfiltered page just no longer
pays for them. Memory: at most max_returned_rows + 1 values per declared facet.
"""

import copy
import weakref

from datasette import hookimpl
from datasette.utils import escape_sqlite
from datasette.utils.asgi import Request

# The one module that reaches into Datasette's private parts: ColumnFacet's internals.
from build.site.internals import ColumnFacet, QueryInterrupted, Results, load_facet_configs

# Each Datasette's counts: {(database, table): {column: Results}}.
COUNTED = weakref.WeakKeyDictionary()


def declared_columns(datasette, database, table):
    """The columns of the column facets metadata declares for a table, in order."""
    configs = load_facet_configs(Request.fake("/"), datasette.table_metadata(database, table))
    return [
        config["config"].get("column") or config["config"]["simple"]
        for config in configs.get(ColumnFacet.type, [])
    ]


def counting_sql(table, column, limit):
    """ColumnFacet's query over a whole table: values and their counts, most frequent first."""
    column = escape_sqlite(column)
    return (
        f"select {column} as value, count(*) as count from {escape_sqlite(table)} "
        f"where {column} is not null group by {column} order by count desc, value limit {limit}"
    )


@hookimpl(
    trylast=True
)  # after plugins/snapshot.py has chosen the file each database is served from
def startup(datasette):
    async def count_declared_facets():
        counted = {}
        limit = datasette.setting("max_returned_rows") + 1
        for name, db in datasette.databases.items():
            if db.is_mutable or db.is_memory:
                continue
            tables = set(await db.table_names())  # a view's row count is not kept
            for table in datasette.metadata("tables", database=name) or {}:
                if table not in tables:
                    continue
                for column in declared_columns(datasette, name, table):
                    try:
                        counted.setdefault((name, table), {})[column] = await db.execute(
                            counting_sql(table, column, limit)
                        )
                    except QueryInterrupted:
                        pass  # longer than the SQL time limit even once: left to be counted live
        COUNTED[datasette] = counted

    return count_declared_facets


@hookimpl(wrapper=True)
def register_facet_classes():
    # Datasette's own hook implementation registers ColumnFacet; put this one in its place.
    registered = yield
    return [
        [WholeTableCountedOnce if klass is ColumnFacet else klass for klass in classes]
        for classes in registered
    ]


class WholeTableCountedOnce(ColumnFacet):
    """ColumnFacet, answered from the counts kept at startup when a page shows a whole table."""

    async def facet_results(self):
        counted = COUNTED.get(self.ds, {}).get((self.database, self.table))
        if not counted or not await self.shows_whole_table():
            return await super().facet_results()
        results, timed_out = [], []
        size = self.get_facet_size()
        for config in self.get_configs():
            column = config["config"].get("column") or config["config"]["simple"]
            one = copy.copy(self)  # this facet alone, so Datasette's code runs once per column
            one.get_configs = lambda config=config: [config]
            if column in counted:
                kept = counted[column]
                one.ds = AnsweringFacetQuery(
                    self.ds, Results(kept.rows[: size + 1], False, kept.description)
                )
            found, missed = await super(WholeTableCountedOnce, one).facet_results()
            results += found
            timed_out += missed
        return results, timed_out

    async def shows_whole_table(self):
        """Whether the page's rows are all the table's: no parameters (search, filters and
        the next page's position all have some), and as many rows as the table."""
        if self.params or self.row_count is None:
            return False
        counts = await self.ds.databases[self.database].table_counts()  # immutable: counted once
        return counts.get(self.table) == self.row_count


class AnsweringFacetQuery:
    """The Datasette instance, as one ColumnFacet sees it: the one query it runs (its facet
    query) is answered with the counts kept; everything else is Datasette's."""

    def __init__(self, datasette, results):
        self._datasette = datasette
        self._results = results

    def __getattr__(self, name):
        return getattr(self._datasette, name)

    async def execute(self, database, sql, params=None, **kwargs):
        return self._results
