package dev.filly.compat;

import io.grpc.StatusRuntimeException;
import io.littlehorse.sdk.common.config.LHConfig;
import io.littlehorse.sdk.common.proto.LHStatus;
import io.littlehorse.sdk.common.proto.LittleHorseGrpc.LittleHorseBlockingStub;
import io.littlehorse.sdk.common.proto.NodeRun;
import io.littlehorse.sdk.common.proto.NodeRunId;
import io.littlehorse.sdk.common.proto.RunWfRequest;
import io.littlehorse.sdk.common.proto.TaskAttempt;
import io.littlehorse.sdk.common.proto.TaskRun;
import io.littlehorse.sdk.common.proto.TaskStatus;
import io.littlehorse.sdk.common.proto.VariableId;
import io.littlehorse.sdk.common.proto.VariableValue;
import io.littlehorse.sdk.common.proto.WfRun;
import io.littlehorse.sdk.common.proto.WfRunId;
import io.littlehorse.sdk.wfsdk.WfRunVariable;
import io.littlehorse.sdk.wfsdk.Workflow;
import io.littlehorse.sdk.worker.LHTaskWorker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives a LittleHorse-compatible server with the official Java client: registers two TaskDefs
 * from annotated methods, runs their workers, registers a WfSpec built with the official builder,
 * runs N WfRuns and checks every status, task output and variable. Prints one summary line.
 * Exit codes: 0 all checks passed, 1 a check failed, 2 the scenario could not run.
 */
public final class CompatMain {
    static final String WF_SPEC = "java-compat-wf";
    static final String[] NAMES = {"ann", "bartholomew", "eve", "maximilian", "bo"};
    static final long LONG_THRESHOLD = 12;
    static final long CALL_DEADLINE_MS = 10_000;
    static final long POLL_INTERVAL_MS = 100;

    static final class CheckFailed extends Exception {
        CheckFailed(String message) {
            super(message);
        }
    }

    public static void main(String[] args) {
        int code;
        try {
            // Offline mode: show what the official builder sends, without a server.
            code = args.length > 0 && args[0].equals("--print-wf-spec") ? printWfSpec() : run();
        } catch (CheckFailed e) {
            System.err.println("COMPAT FAIL client=java: " + e.getMessage());
            code = 1;
        } catch (StatusRuntimeException e) {
            System.err.println("COMPAT FAIL client=java: gRPC call failed: " + e.getStatus());
            e.printStackTrace();
            code = 2;
        } catch (Exception e) {
            System.err.println("COMPAT FAIL client=java: " + e);
            e.printStackTrace();
            code = 2;
        }
        System.out.flush();
        System.err.flush();
        // The client's gRPC and worker threads are not daemons: leave explicitly.
        System.exit(code);
    }

    static int envInt(String key, int fallback, int min, int max) throws CheckFailed {
        String raw = System.getenv(key);
        if (raw == null || raw.isEmpty()) return fallback;
        int v;
        try {
            v = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new CheckFailed(key + " is not an integer: " + raw);
        }
        if (v < min || v > max) throw new CheckFailed(key + " must be in " + min + ".." + max + ", got " + v);
        return v;
    }

    static Workflow buildWorkflow() {
        return Workflow.newWorkflow(WF_SPEC, wf -> {
            WfRunVariable name = wf.declareStr("name").required();
            WfRunVariable greeting = wf.declareStr("greeting");
            WfRunVariable letters = wf.declareInt("letters");
            WfRunVariable verdict = wf.declareStr("verdict");
            greeting.assign(wf.execute(CompatTasks.GREET, name));
            letters.assign(wf.execute(CompatTasks.COUNT_LETTERS, greeting));
            wf.doIfElse(
                    letters.isGreaterThan(LONG_THRESHOLD),
                    ifBody -> verdict.assign("long"),
                    elseBody -> verdict.assign("short"));
        });
    }

    static int printWfSpec() {
        System.out.println(buildWorkflow().compileWfToJson());
        return 0;
    }

    static int run() throws Exception {
        int wfRuns = envInt("COMPAT_WF_RUNS", 5, 1, 1000);
        int timeoutMs = envInt("COMPAT_TIMEOUT_MS", 60_000, 1_000, 600_000);
        long started = System.currentTimeMillis();
        LHConfig config = new LHConfig();
        LittleHorseBlockingStub client = config.getBlockingStub();
        System.out.println("connecting to " + config.getApiBootstrapHost() + ":" + config.getApiBootstrapPort());

        CompatTasks tasks = new CompatTasks();
        LHTaskWorker greetWorker = new LHTaskWorker(tasks, CompatTasks.GREET, config);
        LHTaskWorker countWorker = new LHTaskWorker(tasks, CompatTasks.COUNT_LETTERS, config);
        try {
            greetWorker.registerTaskDef();
            countWorker.registerTaskDef();
            greetWorker.start();
            countWorker.start();

            buildWorkflow().registerWfSpec(client);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < wfRuns; i++) {
                String name = NAMES[i % NAMES.length];
                WfRun run = stub(client).runWf(RunWfRequest.newBuilder()
                        .setWfSpecName(WF_SPEC)
                        .putVariables("name", VariableValue.newBuilder().setStr(name).build())
                        .build());
                if (run.getId().getId().isEmpty()) throw new CheckFailed("RunWf returned a WfRun without an id");
                ids.add(run.getId().getId());
            }

            long deadline = started + timeoutMs;
            int longCount = 0;
            for (int i = 0; i < ids.size(); i++) {
                String name = NAMES[i % NAMES.length];
                WfRunId id = WfRunId.newBuilder().setId(ids.get(i)).build();
                awaitCompleted(client, id, deadline);
                if (checkRun(client, id, tasks, name)) longCount++;
            }
            long elapsedMs = System.currentTimeMillis() - started;
            System.out.println("COMPAT OK client=java-" + LittleHorseVersion.get() + " wfRuns=" + ids.size()
                    + " taskRuns=" + (2 * ids.size()) + " long=" + longCount + " short=" + (ids.size() - longCount)
                    + " elapsedMs=" + elapsedMs);
            return 0;
        } finally {
            greetWorker.close();
            countWorker.close();
        }
    }

    static LittleHorseBlockingStub stub(LittleHorseBlockingStub client) {
        return client.withDeadlineAfter(CALL_DEADLINE_MS, TimeUnit.MILLISECONDS);
    }

    static void awaitCompleted(LittleHorseBlockingStub client, WfRunId id, long deadline) throws Exception {
        LHStatus last = null;
        while (System.currentTimeMillis() < deadline) {
            WfRun run = stub(client).getWfRun(id);
            last = run.getStatus();
            if (last == LHStatus.COMPLETED) return;
            if (last == LHStatus.ERROR || last == LHStatus.EXCEPTION) {
                throw new CheckFailed("WfRun " + id.getId() + " ended " + last + ": " + run);
            }
            Thread.sleep(POLL_INTERVAL_MS);
        }
        throw new CheckFailed("WfRun " + id.getId() + " not COMPLETED in time (last status " + last + ")");
    }

    /** Checks one completed WfRun; returns whether it took the "long" branch. */
    static boolean checkRun(LittleHorseBlockingStub client, WfRunId id, CompatTasks tasks, String name)
            throws CheckFailed {
        String greeting = tasks.greet(name);
        long letters = tasks.countLetters(greeting);
        String verdict = letters > LONG_THRESHOLD ? "long" : "short";

        expectEqual(id, "variable name", name, variable(client, id, "name").getStr());
        expectEqual(id, "variable greeting", greeting, variable(client, id, "greeting").getStr());
        expectEqual(id, "variable letters", letters, variable(client, id, "letters").getInt());
        expectEqual(id, "variable verdict", verdict, variable(client, id, "verdict").getStr());

        TaskRun greetRun = taskRunAt(client, id, 1);
        expectEqual(id, "task at position 1", CompatTasks.GREET, greetRun.getTaskDefId().getName());
        expectEqual(id, "greet input", name, greetRun.getInputVariables(0).getValue().getStr());
        expectEqual(id, "greet output", greeting, lastSuccess(id, greetRun).getOutput().getStr());

        TaskRun countRun = taskRunAt(client, id, 2);
        expectEqual(id, "task at position 2", CompatTasks.COUNT_LETTERS, countRun.getTaskDefId().getName());
        expectEqual(id, "count input", greeting, countRun.getInputVariables(0).getValue().getStr());
        expectEqual(id, "count output", letters, lastSuccess(id, countRun).getOutput().getInt());
        return verdict.equals("long");
    }

    static VariableValue variable(LittleHorseBlockingStub client, WfRunId id, String name) {
        return stub(client).getVariable(VariableId.newBuilder()
                        .setWfRunId(id)
                        .setThreadRunNumber(0)
                        .setName(name)
                        .build())
                .getValue();
    }

    static TaskRun taskRunAt(LittleHorseBlockingStub client, WfRunId id, int position) throws CheckFailed {
        NodeRun nodeRun = stub(client).getNodeRun(NodeRunId.newBuilder()
                .setWfRunId(id)
                .setThreadRunNumber(0)
                .setPosition(position)
                .build());
        if (!nodeRun.hasTask() || !nodeRun.getTask().hasTaskRunId()) {
            throw new CheckFailed("WfRun " + id.getId() + ": NodeRun at position " + position
                    + " is not a TASK node with a TaskRun: " + nodeRun);
        }
        expectEqual(id, "NodeRun " + position + " status", LHStatus.COMPLETED, nodeRun.getStatus());
        return stub(client).getTaskRun(nodeRun.getTask().getTaskRunId());
    }

    static TaskAttempt lastSuccess(WfRunId id, TaskRun run) throws CheckFailed {
        expectEqual(id, "TaskRun status", TaskStatus.TASK_SUCCESS, run.getStatus());
        if (run.getAttemptsCount() == 0) throw new CheckFailed("TaskRun of " + id.getId() + " has no attempts");
        TaskAttempt last = run.getAttempts(run.getAttemptsCount() - 1);
        expectEqual(id, "TaskAttempt status", TaskStatus.TASK_SUCCESS, last.getStatus());
        if (!last.hasOutput()) throw new CheckFailed("TaskAttempt of " + id.getId() + " has no output");
        return last;
    }

    static void expectEqual(WfRunId id, String what, Object expected, Object actual) throws CheckFailed {
        if (!expected.equals(actual)) {
            throw new CheckFailed("WfRun " + id.getId() + ": " + what + " expected <" + expected + "> but was <"
                    + actual + ">");
        }
    }
}
