"""The ``harness`` command. Each subcommand lives in its own module here."""
