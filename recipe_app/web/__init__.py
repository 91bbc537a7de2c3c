"""Plumbing between the app and its web server: operator endpoints, the worker, state files, tab presence."""
