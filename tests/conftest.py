"""Shared pytest configuration, kept minimal on purpose.

Model-level tests keep runs small (``population=20_000``, 24-96 months) and set
their own hypothesis settings (``max_examples=25, deadline=None``) per test, so
nothing here changes how other test files run.
"""
