# require.sh — sourced by test scripts: `require TOOL…` checks that each tool
# is on PATH. A missing one skips the test (exit 77, CTest's SKIP_RETURN_CODE)
# or, under CI=true, fails it: CI must never pass by skipping.
require() {
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "missing tool: $tool"
            [ "${CI:-}" = true ] && exit 1
            exit 77
        fi
    done
}
