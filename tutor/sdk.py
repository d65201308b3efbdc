"""What checker modules import. A stable surface over ``tutor.grading``.

    from tutor.sdk import check, CheckContext, NotYet, CheckFailed
    from tutor.sdk import images_equal, commands_equal, selector_matches, admitted_nodes, ...

Besides the context, the SDK offers pure helpers (plain dicts in, plain values out) for the rules
checkers keep re-implementing: equivalence of spellings (``tutor.grading.equivalence``) and
Kubernetes semantics (``tutor.grading.kube``). See docs/grading.md, "Recipes".

``CheckContext`` is resolved lazily so that loading a pack's checkers (for ``pack lint``)
does not import the Kubernetes client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.grading.equivalence import (
    PROBE_DEFAULTS,
    ImageRef,
    argv_of,
    command_text,
    commands_equal,
    handlers_equal,
    images_equal,
    ingress_paths_equal,
    normalize_command,
    parse_image,
    printed_text,
    probe_budget,
    probe_differences,
    probe_handler,
    probe_setting,
    probes_equal,
    resolve_port,
    same_set,
    single_string_argv,
    writes_file,
)
from tutor.grading.kube import (
    API_VERSIONS,
    admitted_nodes,
    affinity_term_namespaces,
    affinity_term_selects,
    api_version_of,
    container_path,
    demands_node_label,
    labels_of,
    labels_text,
    name_of,
    named_port,
    names_of,
    node_rules_text,
    node_selection_admits,
    node_term_matches,
    only_container,
    pod_spec_of,
    required_node_terms,
    requirement_matches,
    secret_value,
    secret_values,
    selector_matches,
    selector_text,
    taint_text,
    taints_of,
    term_admits,
    tolerates,
    tolerates_every_taint,
    toleration_text,
    untolerated_taints,
)
from tutor.grading.outcomes import CheckFailed, Message, NotYet, in_language, msg
from tutor.grading.registry import check
from tutor.results import FieldDiff

if TYPE_CHECKING:
    from tutor.grading.context import CheckContext

__all__ = [
    "check",
    "CheckContext",
    "NotYet",
    "CheckFailed",
    "FieldDiff",
    "Message",
    "msg",
    "in_language",
    # equivalence of spellings
    "ImageRef",
    "PROBE_DEFAULTS",
    "argv_of",
    "command_text",
    "commands_equal",
    "handlers_equal",
    "images_equal",
    "ingress_paths_equal",
    "normalize_command",
    "parse_image",
    "printed_text",
    "probe_budget",
    "probe_differences",
    "probe_handler",
    "probe_setting",
    "probes_equal",
    "resolve_port",
    "same_set",
    "single_string_argv",
    "writes_file",
    # Kubernetes semantics
    "API_VERSIONS",
    "admitted_nodes",
    "affinity_term_namespaces",
    "affinity_term_selects",
    "api_version_of",
    "container_path",
    "demands_node_label",
    "labels_of",
    "labels_text",
    "name_of",
    "named_port",
    "names_of",
    "node_rules_text",
    "node_selection_admits",
    "node_term_matches",
    "only_container",
    "pod_spec_of",
    "requirement_matches",
    "required_node_terms",
    "secret_value",
    "secret_values",
    "selector_matches",
    "selector_text",
    "taint_text",
    "taints_of",
    "term_admits",
    "toleration_text",
    "tolerates",
    "tolerates_every_taint",
    "untolerated_taints",
]


def __getattr__(name: str) -> Any:
    if name == "CheckContext":
        from tutor.grading.context import CheckContext

        return CheckContext
    raise AttributeError(name)
