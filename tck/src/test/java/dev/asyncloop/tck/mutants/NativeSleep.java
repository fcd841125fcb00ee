package dev.asyncloop.tck.mutants;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The C library's {@code usleep}: a native wait, which holds a virtual thread's carrier. */
final class NativeSleep {
    private static final MethodHandle USLEEP = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("usleep").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private NativeSleep() {
    }

    /** Sleeps one millisecond in native code. */
    static void millisecond() {
        try {
            int rc = (int) USLEEP.invokeExact(1000);
        } catch (Throwable t) {
            throw new IllegalStateException("usleep failed", t);
        }
    }
}
