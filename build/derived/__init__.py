"""The derived tables, filled from the curated ones when the database is built."""
