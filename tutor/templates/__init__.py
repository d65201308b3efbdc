"""Files `k8s-tutor pack new` copies (``pack/``), with ``__PACK_ID__`` and ``__PACK_TITLE__`` filled in.

Kept as real files, not strings in code, so they can be read, linted and tested like any pack.
"""
