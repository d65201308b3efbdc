"""Checkers for the Jobs lesson: Jobs that run to completion and CronJobs that create them.

Cron schedules are compared by meaning, not by text: ``*/2 * * * *`` and ``0-59/2 * * * *`` are
the same schedule, so each of the five fields is expanded to the set of values it fires on.
"""

from __future__ import annotations

from typing import Any

from tutor.sdk import (
    CheckContext,
    CheckFailed,
    NotYet,
    argv_of,
    check,
    command_text,
    commands_equal,
    msg,
    only_container,
    printed_text,
)

from ._kube import find_expected

FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 6),
)
NAMES = {
    3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    4: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
}
MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


def _number(text: str, index: int) -> int:
    names = NAMES.get(index, [])
    if text.lower() in names:
        return names.index(text.lower()) + (1 if index == 3 else 0)
    return int(text)


def _expand_field(text: str, index: int) -> frozenset[int]:
    _, low, high = FIELDS[index]
    values: set[int] = set()
    for item in text.split(","):
        span, _, step = item.partition("/")
        if span in ("*", "?"):
            start, end = low, high
        elif "-" in span:
            first, last = span.split("-", 1)
            start, end = _number(first, index), _number(last, index)
        else:
            start = _number(span, index)
            end = high if step else start
        values.update(range(start, end + 1, int(step) if step else 1))
    if index == 4 and 7 in values:  # Sunday is both 0 and 7
        values = (values - {7}) | {0}
    return frozenset(values)


def expand(schedule: str) -> tuple[frozenset[int], ...]:
    """The five fields of a standard cron schedule as sets of values; ValueError if it is not one."""
    fields = MACROS.get(schedule.strip(), schedule).split()
    if len(fields) != 5:
        raise ValueError(f"{len(fields)} fields")
    return tuple(_expand_field(f, i) for i, f in enumerate(fields))


@check("jobs.schedule")
def schedule(ctx: CheckContext, name: str, schedule: str) -> None:
    """CronJob {name} runs on the schedule {schedule}"""
    cron = ctx.expect_not_recreated(ctx.get("CronJob", name))
    actual = str((cron.get("spec") or {}).get("schedule", ""))
    want = expand(schedule)
    try:
        have = expand(actual)
    except ValueError as exc:
        raise CheckFailed(
            msg(
                en=f"CronJob {name}'s schedule {actual!r} is not a standard 5-field cron expression ({exc}); "
                f"the fields are: minute hour day-of-month month day-of-week",
                zh=f"CronJob {name} 的调度 {actual!r} 不是标准的 5 字段 cron 表达式（{exc}）；"
                "各字段依次为：分 时 日 月 星期",
            )
        ) from None
    for (field, _, _), a, b in zip(FIELDS, have, want, strict=True):
        if a != b:
            raise CheckFailed(
                msg(
                    en=f"CronJob {name}'s schedule {actual!r} differs from {schedule!r} in the {field} field "
                    f"(the fields are: minute hour day-of-month month day-of-week)",
                    zh=f"CronJob {name} 的调度 {actual!r} 与 {schedule!r} 在 {field} 字段上不同"
                    "（各字段依次为：分 时 日 月 星期）",
                )
            )


def _condition(job: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for cond in (job.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind and cond.get("status") == "True":
            return cond
    return None


def _gave_up(job: dict[str, Any]) -> dict[str, Any] | None:
    """The condition that says the Job has failed for good: ``Failed``, or ``FailureTarget``.

    Why both: since Kubernetes 1.31 the Job controller first sets ``FailureTarget`` (same reason and
    message) and sets ``Failed`` only once every pod has terminated, which on a busy node can take a
    minute; the verdict is final from the first one, so the learner hears it then."""
    return _condition(job, "Failed") or _condition(job, "FailureTarget")


def _runs(job: dict[str, Any], command: str | list[str] | None, prints: str | None) -> None:
    """CheckFailed unless the Job's container runs ``command`` / prints ``prints`` (by meaning:
    ``echo hello`` = ``sh -c 'echo hello'`` = ``/bin/echo hello``)."""
    name = (job.get("metadata") or {}).get("name")
    words = argv_of(only_container(job))
    if command is not None and not commands_equal(command, words):
        raise CheckFailed(
            msg(
                en=f"Job {name} runs `{command_text(words) or 'the image default'}`; the task asks for "
                f"`{command_text(command)}`",
                zh=f"Job {name} 运行的是 `{command_text(words) or '镜像的默认命令'}`；题目要求 "
                f"`{command_text(command)}`",
            )
        )
    if prints is not None and not any(
        " ".join(prints.split()) == " ".join(t.split()) for t in printed_text(words)
    ):
        shown = command_text(words) or "the image default"
        raise CheckFailed(
            msg(
                en=f"Job {name} runs `{shown}`, which does not print {prints!r} (echo prints its arguments)",
                zh=f"Job {name} 运行的是 `{shown}`，它不会输出 {prints!r}（echo 输出的是它的参数）",
            )
        )


@check("jobs.completed")
def completed(
    ctx: CheckContext,
    name: str,
    succeeded: int = 1,
    command: str | list[str] | None = None,
    prints: str | None = None,
) -> None:
    """Job {name} completed with {succeeded} successful pods

    ``command``: what its container must run; ``prints``: a line it must print (the task's text).
    """
    job = find_expected(
        ctx,
        "Job",
        name,
        "Pod",
        msg(
            en="nothing retries a bare Pod or records its completion: the task asks for a Job",
            zh="没有任何东西会重试一个单独的 Pod 或记录它的完成：题目要求的是 Job",
        ),
    )
    _runs(job, command, prints)
    failed = _gave_up(job)
    if failed:
        raise CheckFailed(
            msg(
                en=f"Job {name} failed ({failed.get('reason')}: {failed.get('message')}); "
                f"kubectl describe job {name} shows its pods' failures",
                zh=f"Job {name} 失败了（{failed.get('reason')}：“{failed.get('message')}”）；"
                f"kubectl describe job {name} 会显示其 Pod 的失败原因",
            )
        )
    done = (job.get("status") or {}).get("succeeded") or 0
    if not _condition(job, "Complete"):
        raise NotYet(
            msg(
                en=f"Job {name} has {done} successful pods and is not complete yet",
                zh=f"Job {name} 有 {done} 个成功的 Pod，尚未完成",
            )
        )
    if done != succeeded:
        raise CheckFailed(
            msg(
                en=f"Job {name} completed with {done} successful pods, expected {succeeded} "
                "(spec.completions)",
                zh=f"Job {name} 完成时有 {done} 个成功的 Pod，应为 {succeeded} 个（spec.completions）",
            )
        )


@check("jobs.failed_after", timeout=180)
def failed_after(ctx: CheckContext, name: str, retries: int) -> None:
    """Job {name} gave up after {retries} retries (BackoffLimitExceeded)"""
    job = ctx.get("batch/v1", "Job", name)
    limit = (job.get("spec") or {}).get("backoffLimit", 6)
    if limit != retries:
        raise CheckFailed(
            msg(
                en=f"Job {name} has backoffLimit {limit}, so it retries {limit} times; "
                f"set backoffLimit: {retries}",
                zh=f"Job {name} 的 backoffLimit 是 {limit}，所以会重试 {limit} 次；"
                f"请设置 backoffLimit: {retries}",
            )
        )
    failed = _gave_up(job)
    if not failed:
        done = (job.get("status") or {}).get("failed") or 0
        raise NotYet(
            msg(
                en=f"Job {name} has {done} failed pods and is still retrying "
                "(the back-off doubles: 10 s, 20 s, ...)",
                zh=f"Job {name} 有 {done} 个失败的 Pod，仍在重试（退避时间逐次加倍：10 秒、20 秒……）",
            )
        )
    if failed.get("reason") != "BackoffLimitExceeded":
        raise CheckFailed(
            msg(
                en=f"Job {name} failed with {failed.get('reason')}, not BackoffLimitExceeded",
                zh=f"Job {name} 的失败原因是 {failed.get('reason')}，而不是 BackoffLimitExceeded",
            )
        )


@check("jobs.created_from")
def created_from(ctx: CheckContext, job: str, cronjob: str) -> None:
    """Job {job} was created from CronJob {cronjob}"""
    obj = ctx.get("batch/v1", "Job", job)
    owners = [
        (r.get("kind"), r.get("name")) for r in (obj.get("metadata") or {}).get("ownerReferences") or []
    ]
    if ("CronJob", cronjob) not in owners:
        raise CheckFailed(
            msg(
                en=f"Job {job} is not linked to CronJob {cronjob} (no ownerReference to it): it was not "
                "created from the CronJob's template",
                zh=f"Job {job} 与 CronJob {cronjob} 没有关联（没有指向它的 ownerReference）："
                "它不是用 CronJob 的模板创建的",
            )
        )
    template = ctx.get("batch/v1", "CronJob", cronjob)
    want = [
        (c.get("image"), c.get("command"), c.get("args"))
        for c in ctx.pod_spec(template).get("containers") or []
    ]
    have = [
        (c.get("image"), c.get("command"), c.get("args")) for c in ctx.pod_spec(obj).get("containers") or []
    ]
    if want != have:
        raise CheckFailed(
            msg(
                en=f"Job {job}'s containers {have} differ from CronJob {cronjob}'s template {want}",
                zh=f"Job {job} 的容器 {have} 与 CronJob {cronjob} 的模板 {want} 不同",
            )
        )
