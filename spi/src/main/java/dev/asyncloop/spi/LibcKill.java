package dev.asyncloop.spi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The C library's {@code kill(pid, sig)} through a foreign downcall, linked on first use. Linking is a restricted
 * operation: without {@code --enable-native-access} for this module the JDK prints a warning once (Java 25's
 * default, {@code --illegal-native-access=warn}), and with {@code --illegal-native-access=deny} it refuses, which
 * {@link #unavailabilityCause()} then reports. Any thread.
 */
final class LibcKill {
    private static final int EPERM = 1;
    private static final int ESRCH = 3;
    private static final int EINVAL = 22;

    private LibcKill() {
    }

    /**
     * Why {@code kill} cannot be called here, in one sentence that says what to do; empty when it can.
     *
     * @return the reason, or empty
     */
    static Optional<String> unavailabilityCause() {
        return Linked.UNAVAILABLE;
    }

    /**
     * Sends signal {@code number} to process {@code pid}.
     *
     * @return false if no such process exists any more ({@code ESRCH}), true if the signal was sent
     * @throws UnsupportedOperationException if the downcall cannot be linked here
     * @throws java.io.UncheckedIOException if the system refuses ({@code EPERM}, {@code EINVAL})
     */
    static boolean kill(long pid, int number, String display) {
        Linked.UNAVAILABLE.ifPresent(cause -> {
            throw new UnsupportedOperationException("cannot send " + display + ": " + cause);
        });
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid: " + pid + " is not a process id kill(2) takes");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linked.CAPTURE);
            MethodHandle linked = Objects.requireNonNull(Linked.KILL, "linked whenever UNAVAILABLE is empty");
            int result = (int) linked.invokeExact(state, (int) pid, number);
            if (result == 0) {
                return true;
            }
            int errno = (int) Linked.ERRNO.get(state, 0L);
            if (errno == ESRCH) {
                return false;
            }
            String text = switch (errno) {
                case EPERM -> "Operation not permitted (EPERM)";
                case EINVAL -> "Invalid argument (EINVAL)";
                default -> "errno " + errno;
            };
            throw new java.io.UncheckedIOException(new java.io.IOException("kill(" + pid + ", " + display + ") failed: "
                    + text));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("kill(" + pid + ", " + display + ") failed", t);
        }
    }

    /** The downcall, linked when {@link #kill} is first called. */
    private static final class Linked {
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final @Nullable MethodHandle KILL; // (capture, int pid, int sig) int
        static final Optional<String> UNAVAILABLE;

        static {
            MethodHandle kill = null;
            String cause = null;
            Module module = LibcKill.class.getModule();
            String flag = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
            try {
                Linker linker = Linker.nativeLinker();
                kill = linker.downcallHandle(linker.defaultLookup().findOrThrow("kill"),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                        Linker.Option.captureCallState("errno"));
            } catch (IllegalCallerException e) {
                cause = "the JVM denies native access to " + (module.isNamed() ? "module " + module.getName()
                        : "the class path") + " (--illegal-native-access=deny); add " + flag
                        + " to the JVM command line";
            } catch (RuntimeException | LinkageError e) {
                cause = "the C library's kill(2) cannot be called on this platform (" + System.getProperty("os.name")
                        + "): " + e;
            }
            KILL = kill;
            UNAVAILABLE = Optional.ofNullable(cause);
        }

        private Linked() {
        }
    }
}
