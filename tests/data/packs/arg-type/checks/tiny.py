from tutor.sdk import CheckContext, check


@check("tiny.exists")
def exists(ctx: CheckContext, name: str) -> None:
    """ConfigMap {name} exists."""
    ctx.get("v1", "ConfigMap", name)


@check("tiny.port")
def port(ctx: CheckContext, name: str, port: int) -> None:
    """Service {name} serves port {port}."""
    ctx.get("v1", "Service", name)
