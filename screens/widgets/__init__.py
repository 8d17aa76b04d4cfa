"""Reusable widgets: the SAC matrix, the fishbone drawing and the root-cause ticks."""
