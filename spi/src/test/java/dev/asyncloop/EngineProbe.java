package dev.asyncloop;

/**
 * The main class {@link CoroutineEngineSelectionTest} runs in a forked JVM: prints the engine this JVM picked
 * ({@code engine=NAME}) and proves it can suspend and resume a body, or prints the selection failure
 * ({@code error=CLASS: MESSAGE}), then what a second call throws ({@code again=...}), and exits with status 3.
 */
final class EngineProbe {
    private EngineProbe() {
    }

    public static void main(String[] args) {
        try {
            String first = Coroutine.engineName();
            String second = Coroutine.engineName();
            if (!first.equals(second)) {
                throw new AssertionError("engine changed between calls: " + first + " then " + second);
            }
            Coroutine<Integer> c = Coroutine.of(() -> {
                Async.yieldNow();
                return 42;
            });
            Coroutine.Step<Integer> s1 = c.send(null);
            Coroutine.Step<Integer> s2 = c.send(null);
            if (!(s1 instanceof Coroutine.Yielded<Integer>) || !(s2 instanceof Coroutine.Returned<Integer>(Integer v))
                    || v != 42) {
                throw new AssertionError("the engine did not suspend and resume: " + s1 + ", " + s2);
            }
            System.out.println("engine=" + first);
        } catch (RuntimeException e) {
            System.out.println("error=" + e.getClass().getName() + ": " + e.getMessage());
            try {
                Coroutine.engineName();
                System.out.println("again=no error");
            } catch (RuntimeException again) {
                System.out.println("again=" + again.getClass().getName() + ": " + again.getMessage()
                        + (again == e ? " (the same instance)" : "") + (again.getCause() == e ? " (caused by the first)" : ""));
            }
            System.out.flush();
            System.exit(3);
        }
    }
}
