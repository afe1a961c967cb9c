#!/usr/bin/env bash
# Builds the fuzz targets with cargo-fuzz (libFuzzer) and runs each for SECONDS.
#
#   fuzz/run.sh [SECONDS] [TARGET…]     (default: 60 s each, every target)
#
# CI runs `FUZZ_BUILD=dev fuzz/run.sh 20` (an unoptimised build: it compiles in a fraction of
# the time, and runs fewer inputs per second); the longer documented run is
# `fuzz/run.sh 1800` (optimised, RELIABILITY.md).
# Each target starts from a corpus seeded with real inputs (the shipped rules pack and notice
# templates, small valid inventory files) and keeps what it finds in fuzz/corpus/TARGET
# (ignored by git). A crash leaves its input in fuzz/artifacts/TARGET and fails the run.
# The stable toolchain builds it with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes -Z flags).
set -euo pipefail

seconds=${1:-60}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$here"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(inventory_csv inventory_jsonl notice_lint rules_pack)

# The seeds: the first byte of an inventory input picks the kind (0 systems, 1 customers,
# 2 holdings); of a template input, which template file it replaces.
seed() {
    local target=$1 name=$2
    mkdir -p "corpus/$target"
    cat >"corpus/$target/$name"
}
seed_all() {
    printf '\x00system,description,owner,encrypted_at_rest\ncrm,Customer records,CX,true\n' | seed inventory_csv systems
    printf '\x01customer_ref,given_name,family_name,email,phone,address_line1,city,region,postal_code,country,locale,tier,customer_since,preferred_channel\nC-1,Ada,Lovelace,ada@example.com,+14155550100,1 Main St,San Francisco,CA,94105,US,en,vip,2020-01-31,email\n' | seed inventory_csv customers
    printf '\x02system,record_ref,customer_ref,email,phone,categories,stored_from,stored_to\ncrm,r-1,C-1,Ada@Example.com ,,name;email;ssn,2020-01-01,\n' | seed inventory_csv holdings
    printf '\x00{"system":"crm","description":"Customer records","owner":"CX","encrypted_at_rest":true}\n' | seed inventory_jsonl systems
    printf '\x01{"customer_ref":"C-1","given_name":"Ada","email":"ada@example.com","country":"US","region":"CA","tier":"standard"}\n' | seed inventory_jsonl customers
    printf '\x02{"system":"crm","record_ref":"r-1","email":"ada@example.com","categories":["name","email"],"stored_from":"2020-01-01"}\n' | seed inventory_jsonl holdings
    local i=0 file
    while IFS= read -r file; do
        { printf "\\x$(printf '%02x' $((i % 256)))"; cat "$file"; } | seed notice_lint "template-$i"
        i=$((i + 1))
    done < <(find "$root/notice-templates" -name '*.hbs' | sort)
    for file in "$root"/playbooks/jurisdictions/*.toml; do
        { printf '0123456789abcdef'; cat "$file"; } | seed rules_pack "$(basename "$file")"
    done
}
seed_all

# No sanitizer: the code under test is safe Rust, whose bugs libFuzzer sees as panics,
# overflows (debug assertions are on), timeouts and memory over the limit.
build=()
[[ ${FUZZ_BUILD:-release} == dev ]] && build=(--dev)
for target in "${targets[@]}"; do
    cargo fuzz build "${build[@]}" --sanitizer none "$target"
done
mkdir -p logs
for target in "${targets[@]}"; do
    echo "== fuzzing $target for ${seconds}s"
    status=0
    cargo fuzz run "${build[@]}" --sanitizer none "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 >"logs/$target.log" 2>&1 || status=$?
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "logs/$target.log" || true
    echo "corpus/$target: $(find "corpus/$target" -type f | wc -l) inputs"
    if [[ $status -ne 0 ]]; then
        tail -n 40 "logs/$target.log" >&2
        echo "fuzz target $target failed (exit $status); inputs: $(ls "artifacts/$target" 2>/dev/null)" >&2
        exit 1
    fi
done
