from tutor.sdk import CheckContext, CheckFailed, check

from ._util import label_of


@check("labels.labelled")
def labelled(ctx: CheckContext, kind: str, name: str, label: str, value: str | None = None) -> None:
    """{kind} {name} has label {label}."""
    obj = ctx.get("v1", kind, name)
    if label_of(obj, label) != (value or name):
        raise CheckFailed(f"{kind} {name} lacks label {label}")
