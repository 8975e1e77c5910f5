package dev.filly.compat;

import dev.filly.compat.AdvancedChecks.CheckFailed;
import io.littlehorse.sdk.common.proto.CompleteUserTaskRunRequest;
import io.littlehorse.sdk.common.proto.ExternalEventDefId;
import io.littlehorse.sdk.common.proto.Failure;
import io.littlehorse.sdk.common.proto.LHStatus;
import io.littlehorse.sdk.common.proto.ListUserTaskRunRequest;
import io.littlehorse.sdk.common.proto.NodeRun;
import io.littlehorse.sdk.common.proto.PutExternalEventRequest;
import io.littlehorse.sdk.common.proto.RunWfRequest;
import io.littlehorse.sdk.common.proto.TaskStatus;
import io.littlehorse.sdk.common.proto.ThreadRun;
import io.littlehorse.sdk.common.proto.ThreadType;
import io.littlehorse.sdk.common.proto.UserTaskRun;
import io.littlehorse.sdk.common.proto.UserTaskRunStatus;
import io.littlehorse.sdk.common.proto.VariableValue;
import io.littlehorse.sdk.common.proto.WaitForThreadsRun.WaitForThread;
import io.littlehorse.sdk.common.proto.WfRun;
import io.littlehorse.sdk.common.proto.WfRunId;
import io.littlehorse.sdk.common.proto.WfSpec;
import java.util.List;

/**
 * The advanced scenarios. Every expected value is what upstream LittleHorse 1.2 reports for the
 * same WfSpec: statuses, thread numbers (0 the entrypoint, then in creation order), thread types,
 * handler thread names (the builder's), failure names and where a failure was handled.
 */
final class AdvancedScenarios {
    private final AdvancedChecks c;

    AdvancedScenarios(AdvancedChecks checks) {
        this.c = checks;
    }

    private WfRunId run(String wfSpec) {
        return c.stub().runWf(RunWfRequest.newBuilder().setWfSpecName(wfSpec).build()).getId();
    }

    private void postEvent(WfRunId id, String def, VariableValue content) {
        c.stub().putExternalEvent(PutExternalEventRequest.newBuilder()
                .setWfRunId(id)
                .setExternalEventDefId(ExternalEventDefId.newBuilder().setName(def))
                .setContent(content)
                .build());
    }

    /** spawnThread x2 + waitForThreads: children 1 and 2 of thread 0, both add to its variable. */
    void threads() throws Exception {
        WfRunId id = run(AdvancedWorkflows.THREADS);
        WfRun done = c.awaitStatus(id, LHStatus.COMPLETED);
        c.equal("threads: ThreadRun count", 3, done.getThreadRunsCount());
        c.equal("threads: thread 0 children", List.of(1, 2), c.thread(done, 0).getChildThreadIdsList());
        String[] names = {"triple-a", "triple-b"};
        long[] inputs = {2, 5};
        for (int n = 1; n <= 2; n++) {
            ThreadRun t = c.thread(done, n);
            c.equal("threads: thread " + n + " spec", names[n - 1], t.getThreadSpecName());
            c.equal("threads: thread " + n + " type", ThreadType.CHILD, t.getType());
            c.equal("threads: thread " + n + " parent", 0, t.getParentThreadId());
            c.equal("threads: thread " + n + " status", LHStatus.COMPLETED, t.getStatus());
            String input = n == 1 ? "x-a" : "x-b";
            c.equal("threads: thread " + n + " " + input, inputs[n - 1], c.variable(id, n, input).getInt());
            NodeRun start = c.nodeRun(id, 0, n);
            c.equal("threads: START_THREAD " + n + " child", n, start.getStartThread().getChildThreadId());
        }
        c.equal("threads: total", 21L, c.variable(id, 0, "total").getInt());
        NodeRun wait = c.nodeRun(id, 0, 3);
        c.equal("threads: WAIT_FOR_THREADS status", LHStatus.COMPLETED, wait.getStatus());
        List<WaitForThread> waited = wait.getWaitForThreads().getThreadsList();
        c.equal("threads: waited-for count", 2, waited.size());
        for (int i = 0; i < waited.size(); i++) {
            c.equal("threads: waited-for thread " + i, i + 1, waited.get(i).getThreadRunNumber());
            c.equal("threads: waited-for status " + i, LHStatus.COMPLETED, waited.get(i).getThreadStatus());
        }
    }

    /** An interrupt halts thread 0, runs handler thread 1 (type INTERRUPT), then thread 0 resumes. */
    void interrupt() throws Exception {
        WfRunId id = run(AdvancedWorkflows.INTERRUPT);
        c.awaitNodeStatus(id, 0, 1, LHStatus.RUNNING);
        postEvent(id, AdvancedWorkflows.POKE_EVENT, VariableValue.newBuilder().setInt(4).build());
        WfRun halted = c.await(
                "interrupt: thread 0 HALTED while handler thread 1 runs",
                () -> c.wfRun(id),
                r -> r.getThreadRunsCount() == 2 && r.getThreadRuns(0).getStatus() == LHStatus.HALTED);
        c.equal("interrupt: WfRun status while interrupted", LHStatus.RUNNING, halted.getStatus());
        ThreadRun handler = c.thread(halted, 1);
        c.equal("interrupt: handler status", LHStatus.RUNNING, handler.getStatus());
        c.equal("interrupt: handler type", ThreadType.INTERRUPT, handler.getType());
        c.equal("interrupt: handler spec", "interrupt-" + AdvancedWorkflows.POKE_EVENT, handler.getThreadSpecName());
        c.equal("interrupt: handler parent", 0, handler.getParentThreadId());
        c.equal("interrupt: handler INPUT", 4L, c.variable(id, 1, "INPUT").getInt());
        c.awaitNodeStatus(id, 0, 1, LHStatus.HALTED);

        postEvent(id, AdvancedWorkflows.RELEASE_EVENT, VariableValue.newBuilder().setStr("ok").build());
        WfRun resumed = c.await(
                "interrupt: handler done and thread 0 running again",
                () -> c.wfRun(id),
                r -> r.getThreadRuns(1).getStatus() == LHStatus.COMPLETED
                        && r.getThreadRuns(0).getStatus() == LHStatus.RUNNING);
        c.equal("interrupt: WfRun status after the handler", LHStatus.RUNNING, resumed.getStatus());
        c.awaitNodeStatus(id, 0, 1, LHStatus.RUNNING);
        c.equal("interrupt: pokes", 4L, c.variable(id, 0, "pokes").getInt());

        postEvent(id, AdvancedWorkflows.GO_EVENT, VariableValue.newBuilder().setStr("go").build());
        WfRun done = c.awaitStatus(id, LHStatus.COMPLETED);
        c.equal("interrupt: ThreadRun count", 2, done.getThreadRunsCount());
        c.equal("interrupt: thread 0 children", List.of(1), c.thread(done, 0).getChildThreadIdsList());
        c.equal("interrupt: node 1 status", LHStatus.COMPLETED, c.nodeRun(id, 0, 1).getStatus());
    }

    /** handleException by name (thread 1) and handleError by type (thread 2); the WfRun completes. */
    void handled(WfSpec spec) throws Exception {
        WfRunId id = run(AdvancedWorkflows.HANDLED);
        WfRun done = c.awaitStatus(id, LHStatus.COMPLETED);
        c.equal("handled: ThreadRun count", 3, done.getThreadRunsCount());

        NodeRun stock = c.nodeRun(id, 0, 1);
        c.equal("handled: exception node status", LHStatus.EXCEPTION, stock.getStatus());
        Failure exn = c.onlyFailure("handled: exception node", stock);
        c.equal("handled: exception name", AdvancedTasks.EXCEPTION_NAME, exn.getFailureName());
        // Upstream's failure is the last attempt's: the exception's own message and content.
        c.equal("handled: exception message", AdvancedTasks.EXCEPTION_MESSAGE, exn.getMessage());
        c.equal("handled: exception content", "{\"sku\":\"" + AdvancedTasks.EXCEPTION_SKU + "\"}",
                exn.getContent().getJsonObj().replace(" ", ""));
        c.equal("handled: exception handler thread", 1, exn.getFailureHandlerThreadrunId());
        c.equal("handled: exception properly handled", true, exn.getWasProperlyHandled());
        c.equal("handled: exception TaskRun", TaskStatus.TASK_EXCEPTION,
                c.stub().getTaskRun(stock.getTask().getTaskRunId()).getStatus());

        NodeRun crash = c.nodeRun(id, 0, 2);
        c.equal("handled: error node status", LHStatus.ERROR, crash.getStatus());
        Failure err = c.onlyFailure("handled: error node", crash);
        c.equal("handled: error name", "TASK_FAILURE", err.getFailureName());
        c.equal("handled: error message", "Task execution failed", err.getMessage());
        c.equal("handled: error handler thread", 2, err.getFailureHandlerThreadrunId());
        c.equal("handled: error properly handled", true, err.getWasProperlyHandled());
        c.equal("handled: error TaskRun", TaskStatus.TASK_FAILED,
                c.stub().getTaskRun(crash.getTask().getTaskRunId()).getStatus());

        String[] nodes = {stock.getNodeName(), crash.getNodeName()};
        for (int n = 1; n <= 2; n++) {
            ThreadRun t = c.thread(done, n);
            String expectedSpec = spec.getThreadSpecsOrThrow(spec.getEntrypointThreadName())
                    .getNodesOrThrow(nodes[n - 1])
                    .getFailureHandlers(0)
                    .getHandlerSpecName();
            c.equal("handled: handler thread " + n + " spec", expectedSpec, t.getThreadSpecName());
            c.equal("handled: handler thread " + n + " type", ThreadType.FAILURE_HANDLER, t.getType());
            c.equal("handled: handler thread " + n + " parent", 0, t.getParentThreadId());
            c.equal("handled: handler thread " + n + " status", LHStatus.COMPLETED, t.getStatus());
        }
        // A handler thread is recorded as a child of the failed thread twice: once when it starts,
        // once when the failure is marked as being handled (upstream ThreadRunModel / WfRunModel).
        c.equal("handled: thread 0 children", List.of(1, 1, 2, 2), c.thread(done, 0).getChildThreadIdsList());
        c.equal("handled: sku from the exception content", AdvancedTasks.EXCEPTION_SKU, c.variable(id, 0, "sku").getStr());
        c.equal("handled: recovered", "noted: crash handled", c.variable(id, 0, "recovered").getStr());
        c.equal("handled: node after the failures", LHStatus.COMPLETED, c.nodeRun(id, 0, 3).getStatus());
    }

    /** Without handlers: a business exception ends EXCEPTION, a task failure ends ERROR. */
    void unhandled() throws Exception {
        WfRunId exnId = run(AdvancedWorkflows.UNHANDLED_EXCEPTION);
        WfRun exnRun = c.awaitStatus(exnId, LHStatus.EXCEPTION);
        c.equal("unhandled exception: thread 0", LHStatus.EXCEPTION, c.thread(exnRun, 0).getStatus());
        NodeRun exnNode = c.nodeRun(exnId, 0, 1);
        c.equal("unhandled exception: node", LHStatus.EXCEPTION, exnNode.getStatus());
        Failure exn = c.onlyFailure("unhandled exception", exnNode);
        c.equal("unhandled exception: name", AdvancedTasks.EXCEPTION_NAME, exn.getFailureName());
        c.equal("unhandled exception: handler thread", false, exn.hasFailureHandlerThreadrunId());
        c.equal("unhandled exception: properly handled", false, exn.getWasProperlyHandled());
        c.equal("unhandled exception: thread 0 error message", AdvancedTasks.EXCEPTION_MESSAGE,
                c.thread(exnRun, 0).getErrorMessage());

        WfRunId errId = run(AdvancedWorkflows.UNHANDLED_ERROR);
        WfRun errRun = c.awaitStatus(errId, LHStatus.ERROR);
        c.equal("unhandled error: thread 0", LHStatus.ERROR, c.thread(errRun, 0).getStatus());
        NodeRun errNode = c.nodeRun(errId, 0, 1);
        c.equal("unhandled error: node", LHStatus.ERROR, errNode.getStatus());
        Failure err = c.onlyFailure("unhandled error", errNode);
        c.equal("unhandled error: name", "TASK_FAILURE", err.getFailureName());
        c.equal("unhandled error: handler thread", false, err.hasFailureHandlerThreadrunId());
        c.equal("unhandled error: thread 0 error message", "Task execution failed", c.thread(errRun, 0).getErrorMessage());
    }

    /** A user task assigned to alice/ops, completed by the program through the client. */
    void userTask() throws Exception {
        WfRunId id = run(AdvancedWorkflows.USER_TASK);
        List<UserTaskRun> found = c.await(
                "user task: the UserTaskRun",
                () -> c.stub().listUserTaskRuns(ListUserTaskRunRequest.newBuilder().setWfRunId(id).build()).getResultsList(),
                l -> l.size() == 1);
        UserTaskRun utr = found.get(0);
        c.equal("user task: status", UserTaskRunStatus.ASSIGNED, utr.getStatus());
        c.equal("user task: user", "alice", utr.getUserId());
        c.equal("user task: group", "ops", utr.getUserGroup());
        c.equal("user task: def", AdvancedWorkflows.USER_TASK_DEF, utr.getUserTaskDefId().getName());
        NodeRun node = c.nodeRun(id, 0, 1);
        c.equal("user task: node status", LHStatus.RUNNING, node.getStatus());
        c.equal("user task: node's UserTaskRun", utr.getId(), node.getUserTask().getUserTaskRunId());
        c.equal("user task: WfRun status", LHStatus.RUNNING, c.wfRun(id).getStatus());

        c.stub().completeUserTaskRun(CompleteUserTaskRunRequest.newBuilder()
                .setUserTaskRunId(utr.getId())
                .setUserId("alice")
                .putResults("approved", VariableValue.newBuilder().setBool(true).build())
                .build());
        c.awaitStatus(id, LHStatus.COMPLETED);
        c.equal("user task: approved", true, c.variable(id, 0, "approved").getBool());
        c.equal("user task: final status", UserTaskRunStatus.DONE, c.stub().getUserTaskRun(utr.getId()).getStatus());
        c.equal("user task: node final status", LHStatus.COMPLETED, c.nodeRun(id, 0, 1).getStatus());
    }

    /** runWf + waitForChildWf: the child's output, and a child's business exception, reach the parent. */
    void childWorkflows() throws Exception {
        WfRunId id = run(AdvancedWorkflows.PARENT);
        c.awaitStatus(id, LHStatus.COMPLETED);
        c.equal("child wf: result", "ADA!", c.variable(id, 0, "result").getStr());
        WfRunId childId = c.nodeRun(id, 0, 1).getRunChildWf().getChildWfRunId();
        c.equal("child wf: child's parent id", id, childId.getParentWfRunId());
        WfRun child = c.wfRun(childId);
        c.equal("child wf: child status", LHStatus.COMPLETED, child.getStatus());
        c.equal("child wf: child spec", AdvancedWorkflows.CHILD, child.getWfSpecId().getName());
        c.equal("child wf: wait node", LHStatus.COMPLETED, c.nodeRun(id, 0, 2).getStatus());

        WfRunId failingId = run(AdvancedWorkflows.FAILING_PARENT);
        c.awaitStatus(failingId, LHStatus.EXCEPTION);
        NodeRun wait = c.nodeRun(failingId, 0, 2);
        c.equal("failing child wf: wait node", LHStatus.EXCEPTION, wait.getStatus());
        c.equal("failing child wf: failure name", AdvancedWorkflows.CHILD_EXCEPTION,
                c.onlyFailure("failing child wf", wait).getFailureName());
        WfRunId failedChild = c.nodeRun(failingId, 0, 1).getRunChildWf().getChildWfRunId();
        c.equal("failing child wf: child status", LHStatus.EXCEPTION, c.wfRun(failedChild).getStatus());
    }
}
