#!/bin/bash -eu
# Builds the fuzz targets of fuzz/ for ClusterFuzzLite and copies them to $OUT, each with its
# committed corpus as a seed corpus and its dictionary.
#
# -O -a: release mode with debug assertions and overflow checks on, as `cargo fuzz run` builds
# them locally (an overflow in the model is a finding). The sanitizer is the base image's
# (address), which is why this uses the image's nightly toolchain rather than stable.

cd "$SRC/spoolcheck"

targets=(model_ops differential trace_parse choices_parse ledger_parse)

cargo fuzz build -O -a

built=fuzz/target/x86_64-unknown-linux-gnu/release
for target in "${targets[@]}"; do
    cp "$built/$target" "$OUT/"
    if compgen -G "fuzz/corpus/$target/*" >/dev/null; then
        rm -f "$OUT/${target}_seed_corpus.zip"
        zip -q -j "$OUT/${target}_seed_corpus.zip" fuzz/corpus/"$target"/*
    fi
    if [ -f "fuzz/dicts/$target.dict" ]; then
        cp "fuzz/dicts/$target.dict" "$OUT/$target.dict"
    fi
done
