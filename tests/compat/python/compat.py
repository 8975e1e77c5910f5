"""Drives a LittleHorse-compatible server with the official Python client.

Registers two TaskDefs from annotated async functions, runs their workers, registers a WfSpec
built with the official builder, runs N WfRuns and checks every status, task output and
variable. Prints one summary line. Exit codes: 0 all checks passed, 1 a check failed, 2 the
scenario could not run.
"""

import asyncio
import importlib.metadata
import os
import sys
import time
import traceback

import grpc
import littlehorse
from littlehorse.config import LHConfig
from littlehorse.model import (
    LHStatus,
    NodeRunId,
    RunWfRequest,
    TaskStatus,
    VariableId,
    VariableValue,
    WfRunId,
)
from littlehorse.worker import LHTaskWorker
from littlehorse.workflow import Workflow, WorkflowThread

GREET = "python-compat-greet"
COUNT_LETTERS = "python-compat-count-letters"
WF_SPEC = "python-compat-wf"
NAMES = ["ann", "bartholomew", "eve", "maximilian", "bo"]
LONG_THRESHOLD = 12
CALL_TIMEOUT_S = 10
POLL_INTERVAL_S = 0.1


class CheckFailed(Exception):
    """The server answered, but wrongly (exit 1)."""


async def greet(name: str) -> str:
    return "hello, " + name


async def count_letters(text: str) -> int:
    return sum(1 for c in text if ("a" <= c <= "z") or ("A" <= c <= "Z"))


def env_int(key: str, fallback: int, lo: int, hi: int) -> int:
    raw = os.environ.get(key, "")
    if raw == "":
        return fallback
    try:
        v = int(raw)
    except ValueError:
        raise CheckFailed(f"{key} is not an integer: {raw!r}") from None
    if not lo <= v <= hi:
        raise CheckFailed(f"{key} must be in {lo}..{hi}, got {v}")
    return v


def entrypoint(wf: WorkflowThread) -> None:
    name = wf.declare_str("name").required()
    greeting = wf.declare_str("greeting")
    letters = wf.declare_int("letters")
    verdict = wf.declare_str("verdict")
    greeting.assign(wf.execute(GREET, name))
    letters.assign(wf.execute(COUNT_LETTERS, greeting))

    def long_branch(t: WorkflowThread) -> None:
        verdict.assign("long")

    def short_branch(t: WorkflowThread) -> None:
        verdict.assign("short")

    wf.do_if(letters.is_greater_than(LONG_THRESHOLD), long_branch, short_branch)


def build_workflow() -> Workflow:
    return Workflow(WF_SPEC, entrypoint)


def expect_equal(wf_run_id: str, what: str, expected: object, actual: object) -> None:
    if expected != actual:
        raise CheckFailed(f"WfRun {wf_run_id}: {what} expected <{expected}> but was <{actual}>")


async def await_completed(stub, wf_run_id: str, deadline: float) -> None:
    last = "none"
    while time.monotonic() < deadline:
        run = await stub.GetWfRun(WfRunId(id=wf_run_id), timeout=CALL_TIMEOUT_S)
        if run.status == LHStatus.COMPLETED:
            return
        if run.status in (LHStatus.ERROR, LHStatus.EXCEPTION):
            raise CheckFailed(f"WfRun {wf_run_id} ended {LHStatus.Name(run.status)}: {run}")
        last = LHStatus.Name(run.status)
        await asyncio.sleep(POLL_INTERVAL_S)
    raise CheckFailed(f"WfRun {wf_run_id} not COMPLETED in time (last status {last})")


async def task_run_at(stub, wf_run_id: str, position: int, task_def: str):
    node_run = await stub.GetNodeRun(
        NodeRunId(wf_run_id=WfRunId(id=wf_run_id), thread_run_number=0, position=position),
        timeout=CALL_TIMEOUT_S,
    )
    if node_run.WhichOneof("node_type") != "task" or not node_run.task.HasField("task_run_id"):
        raise CheckFailed(f"WfRun {wf_run_id}: NodeRun {position} is not a TASK node with a TaskRun")
    expect_equal(wf_run_id, f"NodeRun {position} status", "COMPLETED", LHStatus.Name(node_run.status))
    task_run = await stub.GetTaskRun(node_run.task.task_run_id, timeout=CALL_TIMEOUT_S)
    expect_equal(wf_run_id, f"task at position {position}", task_def, task_run.task_def_id.name)
    return task_run


def expect_task(wf_run_id: str, run, expected_input: str, field: str, expected_output: object) -> None:
    name = run.task_def_id.name
    expect_equal(wf_run_id, f"{name} status", "TASK_SUCCESS", TaskStatus.Name(run.status))
    if len(run.input_variables) == 0:
        raise CheckFailed(f"WfRun {wf_run_id}: {name} TaskRun has no input variables")
    expect_equal(wf_run_id, f"{name} input", expected_input, run.input_variables[0].value.str)
    if len(run.attempts) == 0:
        raise CheckFailed(f"WfRun {wf_run_id}: {name} TaskRun has no attempts")
    last = run.attempts[-1]
    expect_equal(wf_run_id, f"{name} attempt status", "TASK_SUCCESS", TaskStatus.Name(last.status))
    if not last.HasField("output"):
        raise CheckFailed(f"WfRun {wf_run_id}: {name} attempt has no output")
    expect_equal(wf_run_id, f"{name} output", expected_output, getattr(last.output, field))


async def check_run(stub, wf_run_id: str, name: str) -> bool:
    greeting = await greet(name)
    letters = await count_letters(greeting)
    verdict = "long" if letters > LONG_THRESHOLD else "short"
    for var, field, expected in (
        ("name", "str", name),
        ("greeting", "str", greeting),
        ("letters", "int", letters),
        ("verdict", "str", verdict),
    ):
        v = await stub.GetVariable(
            VariableId(wf_run_id=WfRunId(id=wf_run_id), thread_run_number=0, name=var),
            timeout=CALL_TIMEOUT_S,
        )
        expect_equal(wf_run_id, f"variable {var}", expected, getattr(v.value, field))
    expect_task(wf_run_id, await task_run_at(stub, wf_run_id, 1, GREET), name, "str", greeting)
    expect_task(wf_run_id, await task_run_at(stub, wf_run_id, 2, COUNT_LETTERS), greeting, "int", letters)
    return verdict == "long"


async def run() -> None:
    wf_runs = env_int("COMPAT_WF_RUNS", 5, 1, 1000)
    timeout_ms = env_int("COMPAT_TIMEOUT_MS", 60_000, 1_000, 600_000)
    started = time.monotonic()
    deadline = started + timeout_ms / 1000
    config = LHConfig()
    print(f"connecting to {config.bootstrap_server}", flush=True)

    workers = [LHTaskWorker(greet, GREET, config), LHTaskWorker(count_letters, COUNT_LETTERS, config)]
    for w in workers:
        w.register_task_def()
    worker_tasks = [asyncio.create_task(w.start()) for w in workers]
    try:
        await asyncio.to_thread(littlehorse.create_workflow_spec, build_workflow(), config, CALL_TIMEOUT_S)
        stub = config.stub(async_channel=True, name="compat")
        ids = []
        for i in range(wf_runs):
            req = RunWfRequest(wf_spec_name=WF_SPEC, variables={"name": VariableValue(str=NAMES[i % len(NAMES)])})
            run_ = await stub.RunWf(req, timeout=CALL_TIMEOUT_S)
            if run_.id.id == "":
                raise CheckFailed("RunWf returned a WfRun without an id")
            ids.append(run_.id.id)
        long_count = 0
        for i, wf_run_id in enumerate(ids):
            for t in worker_tasks:
                if t.done():
                    raise RuntimeError(f"a task worker stopped: {t.exception()!r}")
            await await_completed(stub, wf_run_id, deadline)
            if await check_run(stub, wf_run_id, NAMES[i % len(NAMES)]):
                long_count += 1
        elapsed_ms = int((time.monotonic() - started) * 1000)
        version = importlib.metadata.version("littlehorse-client")
        print(
            f"COMPAT OK client=python-{version} wfRuns={len(ids)} taskRuns={2 * len(ids)} "
            f"long={long_count} short={len(ids) - long_count} elapsedMs={elapsed_ms}",
            flush=True,
        )
    finally:
        for w in workers:
            if hasattr(w, "_task"):
                w.stop()
        for t in worker_tasks:
            t.cancel()
        await asyncio.gather(*worker_tasks, return_exceptions=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--print-wf-spec":
        print(littlehorse.workflow.to_json(build_workflow().compile()))
        return 0
    try:
        asyncio.run(run())
        return 0
    except CheckFailed as e:
        print(f"COMPAT FAIL client=python: {e}", file=sys.stderr, flush=True)
        return 1
    except grpc.RpcError as e:
        print(f"COMPAT FAIL client=python: gRPC call failed: {e.code()} {e.details()}", file=sys.stderr, flush=True)
        return 2
    except Exception as e:  # noqa: BLE001 - any other failure is "could not run", with its trace
        traceback.print_exc()
        print(f"COMPAT FAIL client=python: {e!r}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
