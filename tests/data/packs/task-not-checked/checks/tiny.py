from tutor.sdk import CheckContext, check


@check("tiny.exists")
def exists(ctx: CheckContext, name: str) -> None:
    """ConfigMap {name} exists."""
    ctx.get("v1", "ConfigMap", name)
