package dev.filly.compat;

import io.littlehorse.sdk.common.proto.LHErrorType;
import io.littlehorse.sdk.common.proto.VariableMutationType;
import io.littlehorse.sdk.wfsdk.NodeOutput;
import io.littlehorse.sdk.wfsdk.SpawnedChildWf;
import io.littlehorse.sdk.wfsdk.SpawnedThread;
import io.littlehorse.sdk.wfsdk.SpawnedThreads;
import io.littlehorse.sdk.wfsdk.UserTaskOutput;
import io.littlehorse.sdk.wfsdk.WfRunVariable;
import io.littlehorse.sdk.wfsdk.Workflow;
import io.littlehorse.sdk.wfsdk.WorkflowThread;
import java.util.List;
import java.util.Map;

/** The WfSpecs of the advanced scenarios, built with the official Java builder. */
final class AdvancedWorkflows {
    static final String THREADS = "java-adv-threads";
    static final String INTERRUPT = "java-adv-interrupt";
    static final String HANDLED = "java-adv-handled";
    static final String UNHANDLED_EXCEPTION = "java-adv-unhandled-exception";
    static final String UNHANDLED_ERROR = "java-adv-unhandled-error";
    static final String USER_TASK = "java-adv-user-task";
    static final String CHILD = "java-adv-child";
    static final String PARENT = "java-adv-parent";
    static final String FAILING_CHILD = "java-adv-failing-child";
    static final String FAILING_PARENT = "java-adv-failing-parent";

    static final String GO_EVENT = "java-adv-go";
    static final String POKE_EVENT = "java-adv-poke";
    static final String RELEASE_EVENT = "java-adv-release";
    static final String USER_TASK_DEF = "java-adv-approve";
    static final String CHILD_EXCEPTION = "some-exn";

    private AdvancedWorkflows() {}

    /** Two spawned threads each add 3*x to the parent's `total`; the parent waits for both. */
    static Workflow threads() {
        return Workflow.newWorkflow(THREADS, wf -> {
            WfRunVariable total = wf.declareInt("total").withDefault(0);
            // Variable names are unique across a WfSpec's threads (upstream refuses duplicates).
            SpawnedThread a = wf.spawnThread(t -> addTriple(t, "x-a", total), "triple-a", Map.of("x-a", 2));
            SpawnedThread b = wf.spawnThread(t -> addTriple(t, "x-b", total), "triple-b", Map.of("x-b", 5));
            wf.waitForThreads(SpawnedThreads.of(a, b));
        });
    }

    private static void addTriple(WorkflowThread t, String inputName, WfRunVariable parentTotal) {
        WfRunVariable x = t.declareInt(inputName);
        NodeOutput tripled = t.execute(AdvancedTasks.TRIPLE, x);
        t.mutate(parentTotal, VariableMutationType.ADD, tripled);
    }

    /** Waits for GO_EVENT; POKE_EVENT interrupts it with a handler that waits for RELEASE_EVENT. */
    static Workflow interrupt() {
        return Workflow.newWorkflow(INTERRUPT, wf -> {
            WfRunVariable pokes = wf.declareInt("pokes").withDefault(0);
            wf.registerInterruptHandler(POKE_EVENT, h -> {
                WfRunVariable amount = h.declareInt(WorkflowThread.HANDLER_INPUT_VAR);
                h.waitForEvent(RELEASE_EVENT);
                h.mutate(pokes, VariableMutationType.ADD, amount);
            });
            wf.waitForEvent(GO_EVENT);
        });
    }

    /** A business exception caught by name, then an ERROR caught by type; the thread goes on. */
    static Workflow handled() {
        return Workflow.newWorkflow(HANDLED, wf -> {
            WfRunVariable sku = wf.declareStr("sku");
            WfRunVariable recovered = wf.declareStr("recovered").withDefault("");
            NodeOutput stock = wf.execute(AdvancedTasks.OUT_OF_STOCK);
            wf.handleException(stock, AdvancedTasks.EXCEPTION_NAME, h -> {
                WfRunVariable content = h.declareJsonObj(WorkflowThread.HANDLER_INPUT_VAR);
                h.mutate(sku, VariableMutationType.ASSIGN, content.jsonPath("$.sku"));
            });
            NodeOutput crash = wf.execute(AdvancedTasks.CRASH);
            wf.handleError(crash, LHErrorType.TASK_FAILURE, h -> {
                NodeOutput noted = h.execute(AdvancedTasks.NOTE, "crash handled");
                h.mutate(recovered, VariableMutationType.ASSIGN, noted);
            });
            wf.execute(AdvancedTasks.NOTE, "after the failures");
        });
    }

    static Workflow unhandledException() {
        return Workflow.newWorkflow(UNHANDLED_EXCEPTION, wf -> wf.execute(AdvancedTasks.OUT_OF_STOCK));
    }

    static Workflow unhandledError() {
        return Workflow.newWorkflow(UNHANDLED_ERROR, wf -> wf.execute(AdvancedTasks.CRASH));
    }

    /** A user task for alice of group ops; its `approved` field lands in a variable. */
    static Workflow userTask() {
        return Workflow.newWorkflow(USER_TASK, wf -> {
            WfRunVariable approved = wf.declareBool("approved");
            UserTaskOutput form = wf.assignUserTask(USER_TASK_DEF, "alice", "ops");
            approved.assign(form.jsonPath("$.approved"));
        });
    }

    static Workflow child() {
        return Workflow.newWorkflow(CHILD, wf -> {
            WfRunVariable name = wf.declareStr("name").required();
            wf.complete(wf.execute(AdvancedTasks.SHOUT, name));
        });
    }

    static Workflow parent() {
        return Workflow.newWorkflow(PARENT, wf -> {
            WfRunVariable result = wf.declareStr("result");
            SpawnedChildWf child = wf.runWf(CHILD, Map.of("name", "ada"));
            result.assign(wf.waitForChildWf(child));
        });
    }

    static Workflow failingChild() {
        return Workflow.newWorkflow(FAILING_CHILD, wf -> wf.fail(CHILD_EXCEPTION, "a business message"));
    }

    static Workflow failingParent() {
        return Workflow.newWorkflow(FAILING_PARENT, wf -> wf.waitForChildWf(wf.runWf(FAILING_CHILD, Map.of())));
    }

    /** In registration order: a child WfSpec before the parent that runs it. */
    static List<Workflow> all() {
        return List.of(
                threads(), interrupt(), handled(), unhandledException(), unhandledError(), userTask(), child(),
                parent(), failingChild(), failingParent());
    }
}
