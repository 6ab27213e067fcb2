"""Scenario model, runner, step timeline and pytest plugin."""
