"""The learner's terminal app (``k8s-tutor start``).

This package is the only place Textual is imported, but this ``__init__`` imports nothing so the
headless parts (``backend``, ``watching``, ``prose``) can be used and tested without Textual.
Build the app with ``tutor.tui.app.make_app(backend, ...)``.
"""
