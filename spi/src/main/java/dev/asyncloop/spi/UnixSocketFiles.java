package dev.asyncloop.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The socket-file rules of asyncio's {@code create_unix_server}: a stale socket file is removed before binding;
 * on close the file is deleted only if it is still the one the server made (3.13's {@code cleanup_socket}),
 * compared by file key (device and inode on Unix).
 */
final class UnixSocketFiles {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFiles() {
    }

    /** Refuses a null or empty socket path at the call (the JDK would take an empty one as "unnamed"). */
    static void checkPath(Path path) {
        Objects.requireNonNull(path, "path");
        if (path.toString().isEmpty()) {
            throw new IllegalArgumentException("path is empty; name the socket file, e.g. Path.of(\"/tmp/app.sock\")");
        }
    }

    /**
     * Deletes {@code path} if it is a socket file; any other file is left for bind to fail on. As asyncio's
     * {@code os.stat}, the check follows a symbolic link: a link to a socket is deleted (the link, not its
     * target), a dangling one is left.
     */
    static void removeStale(Path path) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException absent) {
            return;
        }
        if (isSocket(path, attrs)) {
            Files.deleteIfExists(path);
        }
    }

    private static boolean isSocket(Path path, BasicFileAttributes attrs) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode");
            return ((Integer) mode & S_IFMT) == S_IFSOCK;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException noUnixView) {
            return attrs.isOther();
        }
    }

    /** The identity of the file at {@code path} now, or null if unknown. */
    static @Nullable Object key(Path path) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return attrs.fileKey() != null ? attrs.fileKey() : attrs.creationTime();
        } catch (IOException e) {
            return null;
        }
    }

    /** Deletes {@code path} if it is still the file whose key was {@code key}; never throws. */
    static void removeIfSame(Path path, @Nullable Object key) {
        if (key == null) {
            return;
        }
        try {
            if (Objects.equals(key(path), key)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            ReadinessEventLoop.LOG.log(System.Logger.Level.WARNING,
                    "could not remove the Unix socket file " + path + ": " + e);
        }
    }
}
