package dev.filly.compat;

import dev.filly.compat.AdvancedChecks.CheckFailed;
import io.grpc.StatusRuntimeException;
import io.littlehorse.sdk.common.config.LHConfig;
import io.littlehorse.sdk.common.proto.LittleHorseGrpc.LittleHorseBlockingStub;
import io.littlehorse.sdk.common.proto.PutExternalEventDefRequest;
import io.littlehorse.sdk.common.proto.PutUserTaskDefRequest;
import io.littlehorse.sdk.common.proto.ReturnType;
import io.littlehorse.sdk.common.proto.TypeDefinition;
import io.littlehorse.sdk.common.proto.UserTaskField;
import io.littlehorse.sdk.common.proto.VariableType;
import io.littlehorse.sdk.common.proto.WfSpec;
import io.littlehorse.sdk.wfsdk.Workflow;
import io.littlehorse.sdk.worker.LHTaskWorker;
import java.util.ArrayList;
import java.util.List;

/**
 * The official Java builder and worker on the semantics beyond a straight line: spawned threads
 * and waitForThreads, an interrupt handler, handleException / handleError, a user task completed
 * through the client, and child workflows. Prints one summary line.
 * Exit codes: 0 all checks passed, 1 a check failed, 2 the scenario could not run.
 */
public final class AdvancedMain {
    public static void main(String[] args) {
        int code;
        try {
            code = args.length > 0 && args[0].equals("--print-wf-specs") ? printWfSpecs() : run();
        } catch (CheckFailed e) {
            System.err.println("COMPAT FAIL client=java-advanced: " + e.getMessage());
            code = 1;
        } catch (StatusRuntimeException e) {
            System.err.println("COMPAT FAIL client=java-advanced: gRPC call failed: " + e.getStatus());
            e.printStackTrace();
            code = 2;
        } catch (Exception e) {
            System.err.println("COMPAT FAIL client=java-advanced: " + e);
            e.printStackTrace();
            code = 2;
        }
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    static int printWfSpecs() {
        for (Workflow wf : AdvancedWorkflows.all()) System.out.println(wf.compileWfToJson());
        return 0;
    }

    static int run() throws Exception {
        int timeoutMs = CompatMain.envInt("COMPAT_TIMEOUT_MS", 60_000, 1_000, 600_000);
        long started = System.currentTimeMillis();
        LHConfig config = new LHConfig();
        LittleHorseBlockingStub client = config.getBlockingStub();
        AdvancedChecks checks = new AdvancedChecks(client, timeoutMs);
        System.out.println("connecting to " + config.getApiBootstrapHost() + ":" + config.getApiBootstrapPort());

        AdvancedTasks tasks = new AdvancedTasks();
        List<LHTaskWorker> workers = new ArrayList<>();
        try {
            for (String name : AdvancedTasks.ALL) {
                LHTaskWorker worker = new LHTaskWorker(tasks, name, config);
                worker.registerTaskDef();
                workers.add(worker);
            }
            for (LHTaskWorker worker : workers) worker.start();
            registerEventDefs(checks);
            checks.stub().putUserTaskDef(PutUserTaskDefRequest.newBuilder()
                    .setName(AdvancedWorkflows.USER_TASK_DEF)
                    .addFields(UserTaskField.newBuilder()
                            .setName("approved")
                            .setDisplayName("Approved?")
                            .setType(VariableType.BOOL)
                            .setRequired(true))
                    .build());
            WfSpec handledSpec = null;
            for (Workflow wf : AdvancedWorkflows.all()) {
                WfSpec spec = checks.stub().putWfSpec(wf.compileWorkflow());
                if (wf.getName().equals(AdvancedWorkflows.HANDLED)) handledSpec = spec;
            }

            AdvancedScenarios scenarios = new AdvancedScenarios(checks);
            List<String> passed = new ArrayList<>();
            scenarios.threads();
            passed.add("threads");
            scenarios.interrupt();
            passed.add("interrupt");
            scenarios.handled(handledSpec);
            passed.add("failure-handlers");
            scenarios.unhandled();
            passed.add("unhandled-failures");
            scenarios.userTask();
            passed.add("user-task");
            scenarios.childWorkflows();
            passed.add("child-workflows");

            long elapsedMs = System.currentTimeMillis() - started;
            System.out.println("COMPAT ADVANCED OK client=java-" + LittleHorseVersion.get() + " scenarios="
                    + String.join(",", passed) + " checks=" + checks.count() + " elapsedMs=" + elapsedMs);
            return 0;
        } finally {
            for (LHTaskWorker worker : workers) worker.close();
        }
    }

    private static void registerEventDefs(AdvancedChecks checks) {
        TypeDefinition intType = TypeDefinition.newBuilder().setPrimitiveType(VariableType.INT).build();
        TypeDefinition strType = TypeDefinition.newBuilder().setPrimitiveType(VariableType.STR).build();
        String[][] defs = {
            {AdvancedWorkflows.GO_EVENT, "STR"}, {AdvancedWorkflows.POKE_EVENT, "INT"}, {AdvancedWorkflows.RELEASE_EVENT, "STR"}
        };
        for (String[] def : defs) {
            TypeDefinition type = def[1].equals("INT") ? intType : strType;
            checks.stub().putExternalEventDef(PutExternalEventDefRequest.newBuilder()
                    .setName(def[0])
                    .setContentType(ReturnType.newBuilder().setReturnType(type))
                    .build());
        }
    }
}
