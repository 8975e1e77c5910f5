package dev.filly.compat;

import io.littlehorse.sdk.common.config.LHConfig;

/** The version of the official client on the class path, from its jar manifest or Maven metadata. */
final class LittleHorseVersion {
    private LittleHorseVersion() {}

    static String get() {
        Package pkg = LHConfig.class.getPackage();
        String v = pkg == null ? null : pkg.getImplementationVersion();
        if (v != null && !v.isEmpty()) return v;
        String fromPath = LHConfig.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        // e.g. .../io/littlehorse/littlehorse-client/1.2.1/littlehorse-client-1.2.1.jar
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("littlehorse-client-([^/]+)\\.jar$").matcher(fromPath);
        return m.find() ? m.group(1) : "unknown";
    }
}
