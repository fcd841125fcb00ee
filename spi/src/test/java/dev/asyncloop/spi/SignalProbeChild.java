package dev.asyncloop.spi;

/**
 * The forked JVM of {@link SignalHandlersTest}: adds (and removes) a handler for each signal named in the
 * arguments on a {@link TestLoop} and prints one line per signal: {@code NAME OK}, or {@code NAME} followed by the
 * exception's class and message.
 */
final class SignalProbeChild {
    private SignalProbeChild() {
    }

    public static void main(String[] args) {
        try (TestLoop loop = new TestLoop()) {
            for (String name : args) {
                try {
                    loop.addSignalHandler(name, () -> { });
                    System.out.println(name + " OK " + loop.removeSignalHandler(name));
                } catch (RuntimeException e) {
                    System.out.println(name + " " + e.getClass().getName() + ": " + e.getMessage());
                }
            }
        }
    }
}
