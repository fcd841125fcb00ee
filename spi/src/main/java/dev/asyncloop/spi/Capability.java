package dev.asyncloop.spi;

/**
 * Optional features a loop may offer. The conformance kit runs a feature's tests only when the provider claims
 * it: unclaimed, they are skipped with that reason; claimed and broken, they fail.
 */
public enum Capability {
    /** TCP clients, servers and stream transports. */
    TCP,
    /** UDP datagram endpoints. */
    UDP,
    /** Unix-domain stream sockets. */
    UNIX_SOCKETS,
    /** Zero-copy {@code sendfile}. */
    SENDFILE,
    /** TLS over any transport. */
    TLS,
    /** Read and write pipe transports. */
    PIPES,
    /** Subprocesses with pipe transports. */
    SUBPROCESS,
    /** POSIX signal handlers. */
    SIGNALS
}
