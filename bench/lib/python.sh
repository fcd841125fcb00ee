# bench/lib/python.sh: sourced by the bench scripts. Defines
#   asyncloop_python   prints the interpreter for the asyncio side: $PYTHON if set, else /usr/bin/python3.11 when
#                      it exists (the shared harness's default, so that both measure the same interpreter: another
#                      python3 on PATH, e.g. a pyenv build, can differ several-fold on the echo rows), else python3
asyncloop_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        echo "$PYTHON"
    elif [[ -x /usr/bin/python3.11 ]]; then
        echo /usr/bin/python3.11
    else
        command -v python3
    fi
}
