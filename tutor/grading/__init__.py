"""Grading: checker registry, read-only check context, matcher, engine, reporters, pack test."""
