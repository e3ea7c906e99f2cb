#!/bin/sh
# run.sh: run one libFuzzer harness, build/fuzz/fuzz_NAME, for SECONDS over
# its kept corpus tests/fuzz/corpus/NAME. New inputs go to build/fuzz/NAME
# and crashing ones to build/fuzz/crash-NAME-*, never into tests/.
# usage: sh tests/fuzz/run.sh NAME SECONDS   (from the top of the tree)
set -eu

name=$1
secs=$2
mkdir -p "build/fuzz/$name"
exec "build/fuzz/fuzz_$name" -max_total_time="$secs" -timeout=10 \
    -print_final_stats=1 -artifact_prefix="build/fuzz/crash-$name-" \
    "build/fuzz/$name" "tests/fuzz/corpus/$name"
