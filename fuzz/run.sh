#!/usr/bin/env bash
# Runs one fuzz target for a while, on the stable toolchain.
#
#   fuzz/run.sh TARGET SECONDS [LIBFUZZER-FLAGS...]
#
# TARGET is model_ops, differential, trace_parse, choices_parse or ledger_parse. The run starts
# from the committed corpus (fuzz/corpus/TARGET, only read) and keeps what it finds in
# fuzz/work/TARGET (not committed); fuzz/README.md says how to fold that into the corpus. A crash leaves its input in
# fuzz/artifacts/TARGET and makes this script exit non-zero; a run that ends at SECONDS exits 0.
set -euo pipefail

usage() {
    echo "usage: fuzz/run.sh TARGET SECONDS [LIBFUZZER-FLAGS...]" >&2
    echo "targets: model_ops differential trace_parse choices_parse ledger_parse" >&2
    exit 2
}

[ $# -ge 2 ] || usage
target=$1
seconds=$2
shift 2
case "$target" in
    model_ops | differential | trace_parse | choices_parse | ledger_parse) ;;
    *) usage ;;
esac
case "$seconds" in
    '' | *[!0-9]*) usage ;;
esac

# cargo fuzz finds the fuzz crate from the repository root.
cd "$(dirname "$0")/.."

# Where rustup manages the toolchains, ask for stable explicitly, so a nightly default or a
# rust-toolchain file does not change what is measured. Without rustup, cargo is whatever is
# installed, and must be stable or newer.
toolchain=()
if command -v rustup >/dev/null 2>&1; then
    toolchain=(+stable)
fi

if ! cargo "${toolchain[@]}" fuzz --version >/dev/null 2>&1; then
    cargo "${toolchain[@]}" install cargo-fuzz --locked
fi

# `-s none`: no sanitizer. Sanitizers need nightly's -Zsanitizer; the targets are safe Rust, so
# what they look for (panics, including overflow checks, which cargo fuzz keeps on) needs none.
# Nothing else in the environment needs changing for stable: cargo fuzz's coverage
# instrumentation and `--cfg fuzzing` are stable rustc flags.
dict=()
if [ -f "fuzz/dicts/$target.dict" ]; then
    dict=("-dict=fuzz/dicts/$target.dict")
fi
mkdir -p "fuzz/work/$target" "fuzz/corpus/$target"
exec cargo "${toolchain[@]}" fuzz run -s none "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" "${dict[@]}" "$@"
