"""Reading: seeds/ (YAML annotations and article texts) -> records that carry their lines."""
