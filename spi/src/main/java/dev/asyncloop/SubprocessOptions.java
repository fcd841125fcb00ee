package dev.asyncloop;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Options of {@link EventLoop#subprocessExec} and {@link EventLoop#subprocessShell} (asyncio's {@code stdin},
 * {@code stdout}, {@code stderr}, {@code cwd}, {@code env}). Immutable; build with {@link #builder()}.
 *
 * <p><b>Standard streams.</b> Each is a {@link Redirect}: {@link Redirect#PIPE} (the default, asyncio's
 * {@code PIPE}: the transport gets a pipe transport for it), {@link Redirect#INHERIT} (asyncio's {@code None}: the
 * child shares this process's stream), {@link Redirect#DISCARD} (asyncio's {@code DEVNULL}; for stdin it means
 * reading from the null device), or a file ({@link Redirect#from} for stdin, {@link Redirect#to} or
 * {@link Redirect#appendTo} for stdout and stderr). {@link Builder#stderrToStdout()} is asyncio's
 * {@code stderr=STDOUT}. There is no text mode ({@code universal_newlines}, {@code text}, {@code encoding}): the
 * pipes carry bytes; decode them yourself.
 */
public final class SubprocessOptions {
    private static final SubprocessOptions DEFAULTS = builder().build();
    private final Redirect stdin;
    private final Redirect stdout;
    private final Redirect stderr;
    private final boolean stderrToStdout;
    private final @Nullable Path cwd;
    private final @Nullable Map<String, String> environment;
    private final Map<String, String> extraEnvironment;

    private SubprocessOptions(Builder b) {
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.stderrToStdout = b.stderrToStdout;
        this.cwd = b.cwd;
        this.environment = b.environment == null ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
        this.extraEnvironment = Collections.unmodifiableMap(new LinkedHashMap<>(b.extraEnvironment));
    }

    /**
     * Returns the options with every default: three pipes, this process's directory and environment.
     *
     * @return the defaults
     */
    public static SubprocessOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Starts a builder.
     *
     * @return a builder with every default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns where the child's standard input comes from.
     *
     * @return {@link Redirect#PIPE} by default
     */
    public Redirect stdin() {
        return stdin;
    }

    /**
     * Returns where the child's standard output goes.
     *
     * @return {@link Redirect#PIPE} by default
     */
    public Redirect stdout() {
        return stdout;
    }

    /**
     * Returns where the child's standard error goes unless {@link #stderrToStdout()}.
     *
     * @return {@link Redirect#PIPE} by default
     */
    public Redirect stderr() {
        return stderr;
    }

    /**
     * Tells whether the child's standard error goes where its standard output goes (asyncio's
     * {@code stderr=STDOUT}); the transport then has no pipe for fd 2.
     *
     * @return false by default
     */
    public boolean stderrToStdout() {
        return stderrToStdout;
    }

    /**
     * Returns the child's working directory.
     *
     * @return the directory, or empty for this process's
     */
    public Optional<Path> cwd() {
        return Optional.ofNullable(cwd);
    }

    /**
     * Returns the environment that replaces this process's for the child (asyncio's {@code env}).
     *
     * @return the variables, or empty to start from this process's environment
     */
    public Optional<Map<String, String>> environment() {
        return Optional.ofNullable(environment);
    }

    /**
     * Returns the variables set on top of the child's environment (this process's, or {@link #environment()}).
     *
     * @return the variables; empty by default
     */
    public Map<String, String> extraEnvironment() {
        return extraEnvironment;
    }

    /**
     * Returns a builder holding these options, to derive a changed copy: {@code toBuilder().build()} has every
     * value of these options (the environments are copied: changing the builder leaves these options
     * as they are).
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.stdin = stdin;
        b.stdout = stdout;
        b.stderr = stderr;
        b.stderrToStdout = stderrToStdout;
        b.cwd = cwd;
        b.environment = environment == null ? null : new LinkedHashMap<>(environment);
        b.extraEnvironment.putAll(extraEnvironment);
        return b;
    }

    @Override
    public String toString() {
        return "SubprocessOptions[stdin=" + stdin + ", stdout=" + stdout + ", stderr="
                + (stderrToStdout ? "STDOUT" : stderr) + (cwd == null ? "" : ", cwd=" + cwd)
                + (environment == null ? "" : ", environment=" + environment.keySet())
                + (extraEnvironment.isEmpty() ? "" : ", extraEnvironment=" + extraEnvironment.keySet()) + "]";
    }

    /** Builds {@link SubprocessOptions}; not thread-safe. */
    public static final class Builder {
        private Redirect stdin = Redirect.PIPE;
        private Redirect stdout = Redirect.PIPE;
        private Redirect stderr = Redirect.PIPE;
        private boolean stderrToStdout;
        private @Nullable Path cwd;
        private @Nullable Map<String, String> environment;
        private final Map<String, String> extraEnvironment = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Sets where the child's standard input comes from.
         *
         * @param redirect {@link Redirect#PIPE}, {@link Redirect#INHERIT}, {@link Redirect#DISCARD} (the null
         *     device) or {@link Redirect#from} a file
         * @return this builder
         * @throws IllegalArgumentException for a redirect that writes ({@link Redirect#to}, {@link Redirect#appendTo})
         */
        public Builder stdin(Redirect redirect) {
            Objects.requireNonNull(redirect, "redirect");
            boolean writes = redirect.type() == Redirect.Type.WRITE || redirect.type() == Redirect.Type.APPEND;
            if (writes && !redirect.equals(Redirect.DISCARD)) {
                throw new IllegalArgumentException("stdin cannot be " + redirect
                        + ": standard input is read; use Redirect.from(file), PIPE, INHERIT or DISCARD");
            }
            this.stdin = redirect;
            return this;
        }

        /**
         * Sets where the child's standard output goes.
         *
         * @param redirect {@link Redirect#PIPE}, {@link Redirect#INHERIT}, {@link Redirect#DISCARD}, or a file
         *     ({@link Redirect#to}, {@link Redirect#appendTo})
         * @return this builder
         * @throws IllegalArgumentException for {@link Redirect#from} a file
         */
        public Builder stdout(Redirect redirect) {
            this.stdout = output("stdout", redirect);
            return this;
        }

        /**
         * Sets where the child's standard error goes, and undoes {@link #stderrToStdout()}.
         *
         * @param redirect as for {@link #stdout(Redirect)}
         * @return this builder
         * @throws IllegalArgumentException for {@link Redirect#from} a file
         */
        public Builder stderr(Redirect redirect) {
            this.stderr = output("stderr", redirect);
            this.stderrToStdout = false;
            return this;
        }

        /**
         * Sends the child's standard error where its standard output goes (asyncio's {@code stderr=STDOUT});
         * undone by {@link #stderr(Redirect)}.
         *
         * @return this builder
         */
        public Builder stderrToStdout() {
            this.stderrToStdout = true;
            return this;
        }

        /**
         * Sets the child's working directory.
         *
         * @param directory the directory; starting fails with an {@link java.io.IOException} if it does not exist
         * @return this builder
         */
        public Builder cwd(Path directory) {
            this.cwd = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Replaces the child's whole environment with {@code variables} (asyncio's {@code env}); copied.
         *
         * @param variables names and values, none null
         * @return this builder
         * @throws IllegalArgumentException if a name is empty or contains '=' or NUL, or a value contains NUL
         */
        public Builder environment(Map<String, String> variables) {
            Objects.requireNonNull(variables, "variables");
            Map<String, String> copy = new LinkedHashMap<>();
            variables.forEach((k, v) -> {
                check(k, v);
                copy.put(k, v);
            });
            this.environment = copy;
            return this;
        }

        /**
         * Sets one variable on top of the child's environment (this process's, or the one given to
         * {@link #environment(Map)}).
         *
         * @param name the variable's name
         * @param value its value
         * @return this builder
         * @throws IllegalArgumentException if the name is empty or contains '=' or NUL, or the value contains NUL
         */
        public Builder putEnvironment(String name, String value) {
            check(name, value);
            extraEnvironment.put(name, value);
            return this;
        }

        /**
         * Builds the options.
         *
         * @return the immutable options
         */
        public SubprocessOptions build() {
            return new SubprocessOptions(this);
        }

        private static Redirect output(String which, Redirect redirect) {
            Objects.requireNonNull(redirect, "redirect");
            if (redirect.type() == Redirect.Type.READ) {
                throw new IllegalArgumentException(which + " cannot be " + redirect + ": it is written; use"
                        + " Redirect.to(file), Redirect.appendTo(file), PIPE, INHERIT or DISCARD");
            }
            return redirect;
        }

        private static void check(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, () -> "value of environment variable " + name);
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid environment variable name '" + name
                        + "': it must be non-empty, without '=' or NUL");
            }
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("the value of environment variable " + name + " contains NUL");
            }
        }
    }
}
