"""Textual screens and widgets: what a person sees.

Screens reach the data only through `models.service.Service`, in worker threads, and redraw
from the plain objects that come back. No database imports here (an import-linter contract).
"""
