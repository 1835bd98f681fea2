"""Writing: rows -> SQLite, CSVs, datapackage.json, Datasette metadata and the exports."""
