"""Build the claim-provenance dataset: seeds/ (curated YAML and article texts) ->
data/ (SQLite, CSVs, datapackage.json, Datasette metadata)."""

__version__ = "0.1.0"
