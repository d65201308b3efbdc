"""Subcommands of the k8s-tutor CLI, one module each, imported lazily by tutor.cli."""
