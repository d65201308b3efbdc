"""Checkers answer in the learner's language: ``msg(en=..., zh=...)`` in the SDK, the SDK's own
messages in Chinese, the language of each lesson picked by the engine (through the checker worker
too), and the report saying which language its messages are in — while keys and statuses never change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tutor.content import load_pack
from tutor.grading.batch import RunClock, reading_language, report
from tutor.grading.context import CheckContext
from tutor.grading.engine import Grader
from tutor.grading.isolation import isolated_checks
from tutor.grading.outcomes import CheckFailed, Message, NotYet, in_language
from tutor.grading.report import render
from tutor.practice.packs import translated
from tutor.results import Status
from tutor.sdk import msg

TINY = Path(__file__).resolve().parent.parent / "data" / "packs" / "tiny"

CHECKER = '''from tutor.sdk import CheckContext, CheckFailed, check, msg


@check("tiny.exists")
def exists(ctx: CheckContext, name: str) -> None:
    """ConfigMap {name} exists."""
    cm = ctx.get("v1", "ConfigMap", name)
    if cm.get("data", {}).get("mode") != "prod":
        raise CheckFailed(
            msg(en=f"ConfigMap {name} is not in prod mode", zh=f"ConfigMap {name} 不是 prod 模式")
        )
'''


class Reader:
    def __init__(self, objects):
        self.objects = objects

    def list(self, api_version, kind, namespace=None, label_selector=None):
        return [o for o in self.objects if o["kind"] == kind]


def config_map(data):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web", "namespace": "one-task"},
        "data": data,
    }


@pytest.fixture
def pack_root(tmp_path):
    root = tmp_path / "pack"
    shutil.copytree(TINY, root)
    (root / "checks" / "tiny.py").write_text(CHECKER)
    (root / "pack.yaml").write_text((root / "pack.yaml").read_text() + "languages: [en, zh]\n")
    zh = (root / "one.md").read_text().replace("title: Lesson one", "title: 第一课")
    zh = zh.replace("Create the ConfigMap `web`.", "创建 ConfigMap `web`。")
    (root / "one.zh.md").write_text(zh)
    return root


def test_a_message_is_english_unless_a_language_it_has_is_asked_for():
    text = msg(en="not ready", zh="尚未就绪", pt_BR="não está pronto")
    assert isinstance(text, Message) and text == "not ready"
    assert in_language(text, "zh") == "尚未就绪" and in_language(text, "zh-Hant") == "尚未就绪"
    assert in_language(text, "pt-BR") == "não está pronto" and in_language(text, "fr") == "not ready"
    assert in_language("plain", "zh") == "plain"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_engine_answers_in_the_language_of_the_lesson_through_the_worker(pack_root, language):
    pack = translated(load_pack(pack_root), language)
    registry = isolated_checks(pack)
    [exercise] = pack.exercises()
    wrong = Grader(registry, Reader([config_map({"mode": "dev"})]), pack, timeout=0).grade([exercise])
    missing = Grader(registry, Reader([]), pack, timeout=0).grade([exercise])
    [failed], [absent] = wrong[0].checks, missing[0].checks
    assert failed.status is Status.FAIL and absent.status is Status.TIMEOUT
    if language == "zh":
        assert failed.message == "ConfigMap web 不是 prod 模式"
        assert absent.message.endswith("在名字空间 one-task 中找不到 ConfigMap web")  # the SDK's own words
    else:
        assert failed.message == "ConfigMap web is not in prod mode"
        assert absent.message.endswith("ConfigMap web not found in namespace one-task")


def test_the_sdk_says_field_and_container_problems_in_chinese():
    class Cache:
        def namespaced(self, api_version, kind):
            return True

        def list(self, api_version, kind, namespace):
            return []

    ctx = CheckContext(Cache(), "ns")
    pod = {
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "ns"},
        "spec": {"containers": [{"name": "a"}]},
    }
    with pytest.raises(CheckFailed) as field:
        ctx.expect_field(pod, ".spec.nodeName", "worker")
    assert (
        in_language(field.value.message, "zh")
        == "名字空间 ns 中的 Pod web：.spec.nodeName 为 未设置，应为 'worker'"
    )
    with pytest.raises(CheckFailed) as container:
        ctx.container(pod, "web")
    assert (
        in_language(container.value.message, "zh")
        == "名字空间 ns 中的 Pod web 中没有名为 web 的容器（现有：a）"
    )
    with pytest.raises(NotYet) as absent:
        ctx.get("v1", "Pod", "db")
    assert in_language(absent.value.args[0], "zh") == "在名字空间 ns 中找不到 Pod db"


def test_reports_say_their_language_and_keep_their_keys(pack_root):
    pack = translated(load_pack(pack_root), "zh")
    assert reading_language(pack) == "zh" and reading_language(load_pack(pack_root)) == "en"
    registry = isolated_checks(pack)
    [exercise] = pack.exercises()
    results = Grader(registry, Reader([config_map({"mode": "dev"})]), pack, timeout=0).grade([exercise])
    from tutor.grading.batch import ClusterInfo

    rep = report(pack, results, ClusterInfo(context="sim"), RunClock())
    data = json.loads(render(rep, "json"))
    assert data["meta"]["language"] == "zh"
    [check] = data["exercises"][0]["checks"]
    assert check["status"] == "fail" and check["message"] == "ConfigMap web 不是 prod 模式"
    assert set(check) >= {"check_id", "title", "status", "message"}
    junit = render(rep, "junit")
    assert '<property name="language" value="zh" />' in junit and 'type="fail"' in junit


def test_match_with_a_count_says_the_count_rule_in_chinese():
    from tutor.grading.builtin_checks import match_check

    class Cache:
        def namespaced(self, api_version, kind):
            return True

        def list(self, api_version, kind, namespace):
            return [{"kind": "Pod", "metadata": {"name": "a", "namespace": "ns", "labels": {"app": "web"}}}]

    ctx = CheckContext(Cache(), "ns")
    with pytest.raises(CheckFailed) as failed:
        match_check(ctx, "v1", "Pod", labels={"app": "web"}, count=3)
    english = "expected exactly 3 Pod with labels app=web in namespace ns matching, found 1"
    assert english in failed.value.message
    zh = in_language(failed.value.message, "zh")
    assert "应有恰好 3 个符合要求，实际有 1 个" in zh and "expected" not in zh
