package dev.filly.compat;

import io.littlehorse.sdk.common.proto.Failure;
import io.littlehorse.sdk.common.proto.LHStatus;
import io.littlehorse.sdk.common.proto.LittleHorseGrpc.LittleHorseBlockingStub;
import io.littlehorse.sdk.common.proto.NodeRun;
import io.littlehorse.sdk.common.proto.NodeRunId;
import io.littlehorse.sdk.common.proto.ThreadRun;
import io.littlehorse.sdk.common.proto.VariableId;
import io.littlehorse.sdk.common.proto.VariableValue;
import io.littlehorse.sdk.common.proto.WfRun;
import io.littlehorse.sdk.common.proto.WfRunId;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Reads through the official client and compares with what upstream LittleHorse reports. */
final class AdvancedChecks {
    static final long CALL_DEADLINE_MS = 10_000;
    static final long POLL_INTERVAL_MS = 50;

    static final class CheckFailed extends Exception {
        CheckFailed(String message) {
            super(message);
        }
    }

    interface Probe<T> {
        T read() throws Exception;
    }

    interface Condition<T> {
        boolean holds(T value);
    }

    private final LittleHorseBlockingStub client;
    private final long timeoutMs;
    private int checks;

    AdvancedChecks(LittleHorseBlockingStub client, long timeoutMs) {
        this.client = client;
        this.timeoutMs = timeoutMs;
    }

    int count() {
        return checks;
    }

    LittleHorseBlockingStub stub() {
        return client.withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS);
    }

    void equal(String what, Object expected, Object actual) throws CheckFailed {
        checks++;
        if (!Objects.equals(expected, actual)) {
            throw new CheckFailed(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }

    void isTrue(String what, boolean ok) throws CheckFailed {
        checks++;
        if (!ok) throw new CheckFailed(what);
    }

    /** Polls until the condition holds (the server applies commands asynchronously to reads). */
    <T> T await(String what, Probe<T> probe, Condition<T> until) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMs;
        T last = null;
        while (System.currentTimeMillis() < deadline) {
            last = probe.read();
            if (until.holds(last)) return last;
            Thread.sleep(POLL_INTERVAL_MS);
        }
        throw new CheckFailed(what + " did not happen within " + timeoutMs + " ms; last seen: " + last);
    }

    WfRun wfRun(WfRunId id) {
        return stub().getWfRun(id);
    }

    WfRun awaitStatus(WfRunId id, LHStatus status) throws Exception {
        return await("WfRun " + id.getId() + " reaching " + status, () -> wfRun(id), r -> r.getStatus() == status);
    }

    NodeRun nodeRun(WfRunId id, int thread, int position) {
        return stub().getNodeRun(NodeRunId.newBuilder()
                .setWfRunId(id)
                .setThreadRunNumber(thread)
                .setPosition(position)
                .build());
    }

    NodeRun awaitNodeStatus(WfRunId id, int thread, int position, LHStatus status) throws Exception {
        return await(
                "NodeRun " + thread + "/" + position + " of " + id.getId() + " reaching " + status,
                () -> nodeRun(id, thread, position),
                n -> n.getStatus() == status);
    }

    VariableValue variable(WfRunId id, int thread, String name) {
        return stub().getVariable(VariableId.newBuilder()
                        .setWfRunId(id)
                        .setThreadRunNumber(thread)
                        .setName(name)
                        .build())
                .getValue();
    }

    ThreadRun thread(WfRun run, int number) throws CheckFailed {
        for (ThreadRun t : run.getThreadRunsList()) {
            if (t.getNumber() == number) return t;
        }
        throw new CheckFailed("WfRun " + run.getId().getId() + " has no ThreadRun " + number);
    }

    /** The single failure of a NodeRun: its name, message, handler thread and whether it was handled. */
    Failure onlyFailure(String what, NodeRun node) throws CheckFailed {
        equal(what + " failure count", 1, node.getFailuresCount());
        return node.getFailures(0);
    }
}
