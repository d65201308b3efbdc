"""Wheel build hook: compile the app's gettext catalogs (``tutor/locale/*/LC_MESSAGES/*.po``) into the
``.mo`` files gettext reads, so an installed tutor never compiles at run time (see tutor/i18n.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location("_k8s_tutor_i18n", root / "tutor" / "i18n.py")
        assert spec is not None and spec.loader is not None
        i18n = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(i18n)  # stdlib only: no dependency of the tutor is needed to build
        for mo in i18n.build_catalogs():
            build_data["force_include"][str(mo)] = str(mo.relative_to(root))
