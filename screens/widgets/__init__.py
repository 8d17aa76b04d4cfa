"""Reusable widgets: the SAC matrix (and later the fishbone drawing)."""
