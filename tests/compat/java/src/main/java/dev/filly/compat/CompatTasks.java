package dev.filly.compat;

import io.littlehorse.sdk.worker.LHTaskMethod;

/** The two task methods of the scenario; the expected values are computed by the same code. */
public final class CompatTasks {
    public static final String GREET = "java-compat-greet";
    public static final String COUNT_LETTERS = "java-compat-count-letters";

    @LHTaskMethod(GREET)
    public String greet(String name) {
        return "hello, " + name;
    }

    @LHTaskMethod(COUNT_LETTERS)
    public long countLetters(String text) {
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) n++;
        }
        return n;
    }
}
