package dev.asyncloop.debugcaller;

import java.util.function.Supplier;

/** Application code, as debug mode sees it: a package of neither asyncloop nor its loops, calling from deep down. */
public final class DeepCaller {
    private DeepCaller() {
    }

    /** Calls {@code call} from {@code depth} nested frames of this class. */
    public static <T> T callFrom(int depth, Supplier<T> call) {
        return depth == 0 ? call.get() : callFrom(depth - 1, call);
    }
}
