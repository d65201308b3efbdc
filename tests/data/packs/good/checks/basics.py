from tutor.sdk import CheckContext, CheckFailed, check


@check("basics.has_key", timeout=10)
def has_key(ctx: CheckContext, name: str, key: str) -> None:
    """ConfigMap {name} has key {key}."""
    cm = ctx.get("v1", "ConfigMap", name)
    if key not in (cm.get("data") or {}):
        raise CheckFailed(f"ConfigMap {name} has no key {key}")
