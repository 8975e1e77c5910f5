package dev.filly.compat;

import io.littlehorse.sdk.common.exception.LHTaskException;
import io.littlehorse.sdk.common.proto.VariableValue;
import io.littlehorse.sdk.worker.LHTaskMethod;

/** Task methods of the advanced scenarios (AdvancedMain). Names start with "java-adv-". */
public final class AdvancedTasks {
    public static final String TRIPLE = "java-adv-triple";
    public static final String OUT_OF_STOCK = "java-adv-out-of-stock";
    public static final String CRASH = "java-adv-crash";
    public static final String NOTE = "java-adv-note";
    public static final String SHOUT = "java-adv-shout";

    public static final String EXCEPTION_NAME = "out-of-stock";
    public static final String EXCEPTION_MESSAGE = "no more widgets";
    public static final String EXCEPTION_SKU = "w-42";
    public static final String CRASH_MESSAGE = "the widget database is down";

    static final String[] ALL = {TRIPLE, OUT_OF_STOCK, CRASH, NOTE, SHOUT};

    @LHTaskMethod(TRIPLE)
    public long triple(long x) {
        return 3 * x;
    }

    /** A business failure: LHTaskException, reported as TASK_EXCEPTION and caught by name. */
    @LHTaskMethod(OUT_OF_STOCK)
    public String outOfStock() {
        VariableValue content = VariableValue.newBuilder()
                .setJsonObj("{\"sku\":\"" + EXCEPTION_SKU + "\"}")
                .build();
        throw new LHTaskException(EXCEPTION_NAME, EXCEPTION_MESSAGE, content);
    }

    /** A technical failure: any other exception is TASK_FAILED, the ERROR TASK_FAILURE. */
    @LHTaskMethod(CRASH)
    public String crash() {
        throw new IllegalStateException(CRASH_MESSAGE);
    }

    @LHTaskMethod(NOTE)
    public String note(String text) {
        return "noted: " + text;
    }

    @LHTaskMethod(SHOUT)
    public String shout(String name) {
        return name.toUpperCase() + "!";
    }
}
