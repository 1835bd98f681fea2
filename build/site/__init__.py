"""Serving the site: the Datasette command and settings, and the vendored chart bundle."""
