"""Observatoire: a civic tech & digital democracy observatory."""

__version__ = "0.1.0"
