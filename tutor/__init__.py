"""k8s-tutor: rustlings for Kubernetes.

The package is a headless core (model, content, grading, cluster, store, exam) with thin
front ends (cli, tui). Nothing outside ``tutor.tui`` may import Textual; a test enforces it.
"""

__version__ = "0.1.0"
