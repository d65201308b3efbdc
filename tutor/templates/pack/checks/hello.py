"""Checkers of the hello lesson. Each is registered with @check and referenced from hello.md."""

from tutor.sdk import CheckContext, check


@check("hello.greeting", timeout=20)
def greeting(ctx: CheckContext, name: str, key: str, value: str) -> None:
    """ConfigMap {name} has {key}={value}."""
    cm = ctx.get("v1", "ConfigMap", name)  # NotYet until it exists
    ctx.expect_field(cm, f"data.{key}", value)  # CheckFailed with the field diff otherwise
