"""Kubernetes quantities (``500m``, ``1Gi``, ``2e3``) as exact decimals, and value-aware equality.

Why: a learner who writes ``cpu: 0.5`` has given the same answer as one who writes ``cpu: 500m``;
a string comparison would fail one of them. Only strings that carry a unit suffix (or are compared
with one that does) are treated as quantities, so an image tag or a label value is never reinterpreted.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
_QUANTITY = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|([eE][+-]?\d+))?$"
)


def parse_quantity(value: Any) -> Decimal:
    """The value of a Kubernetes quantity.

    Args:
        value: ``"500m"``, ``"1Gi"``, ``"2"``, ``0.5`` or an int.

    Returns:
        The exact value (``Decimal("0.5")`` for ``"500m"``).

    Raises:
        ValueError: ``value`` is not a quantity; the message quotes it.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a quantity: {value!r}")
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    m = _QUANTITY.match(str(value).strip())
    if not m:
        raise ValueError(f"not a quantity: {value!r}")
    number, suffix, exponent = m.groups()
    try:
        base = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only numbers
        raise ValueError(f"not a quantity: {value!r}") from exc
    if exponent:
        return base * Decimal(10) ** int(exponent[1:])
    if suffix in _BINARY:
        return base * _BINARY[suffix]
    return base * _DECIMAL[suffix or ""]


def _has_unit(value: Any) -> bool:
    return (
        isinstance(value, str)
        and bool(_QUANTITY.match(value.strip()))
        and not value.strip().lstrip("+-").replace(".", "", 1).isdigit()
    )


def values_equal(expected: Any, actual: Any) -> bool:
    """Equality as a learner means it: numbers by value, quantities by value when either side has a unit.

    ``values_equal("500m", "0.5")``, ``values_equal("1Gi", "1024Mi")`` and ``values_equal(2, "2")``
    are true (YAML ``cpu: 2`` is the API's ``"2"``); ``"100Mi"`` is not ``"100M"``;
    ``True`` never equals ``1``.
    """
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual if isinstance(expected, bool) and isinstance(actual, bool) else False
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    numeric = isinstance(expected, int | float) or isinstance(actual, int | float)
    if _has_unit(expected) or _has_unit(actual) or numeric:
        try:
            return parse_quantity(expected) == parse_quantity(actual)
        except ValueError:
            return False
    return bool(expected == actual)
