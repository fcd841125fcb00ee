# bench/lib/java.sh: sourced by the bench scripts. Defines
#   asyncloop_java_major BIN   the feature version of the java binary BIN, or nothing
#   asyncloop_find_java        prints a java >= 25: $ASYNCLOOP_JAVA, $JAVA_HOME/bin/java, then /usr/lib/jvm/*25*;
#                              returns 1 when there is none
#   ASYNCLOOP_NO_JAVA          the message to give when there is none
asyncloop_java_major() {
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1
}

asyncloop_find_java() {
    local j
    for j in "${ASYNCLOOP_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*25*/bin/java; do
        if [[ -n "$j" && -x "$j" ]] && (( $(asyncloop_java_major "$j" || echo 0) >= 25 )); then
            echo "$j"
            return 0
        fi
    done
    return 1
}

# The message every bench script gives when asyncloop_find_java finds nothing.
ASYNCLOOP_NO_JAVA="no JDK 25 found: set ASYNCLOOP_JAVA or JAVA_HOME to a JDK >= 25 or install one under /usr/lib/jvm/*25*"
