from build.cli import cli

cli(prog_name="provenance")
