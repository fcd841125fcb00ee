package dev.asyncloop.tck;

/**
 * The console runner of the conformance suite:
 * {@code java -jar asyncloop-tck-VERSION-all.jar [--loop NAME] [--list] [--report FILE.html] [--help]}.
 *
 * <p>Exits with 0 when every test passed or was skipped, 1 when a test failed, 2 on bad arguments or a loop
 * selection error. Run {@code --help} for the details.
 */
public final class Main {
    private Main() {
    }

    /**
     * Runs the command line and exits the JVM with its status.
     *
     * @param args the arguments, as {@code --help} describes
     */
    public static void main(String[] args) {
        int status = new TckCommand(System.out, System.err).run(args);
        System.out.flush();
        System.exit(status);
    }
}
