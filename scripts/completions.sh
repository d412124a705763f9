#!/usr/bin/env bash
# Writes pimento's shell completions into completions/ for the release
# archives (GoReleaser's before.hooks runs this). Builds the binary once and
# asks it four times, rather than `go run` per shell (four links).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/pimento" ./cmd/pimento

rm -rf completions
mkdir -p completions
"$tmp/pimento" completion bash       > completions/pimento.bash
"$tmp/pimento" completion zsh        > completions/_pimento
"$tmp/pimento" completion fish       > completions/pimento.fish
"$tmp/pimento" completion powershell > completions/pimento.ps1

for f in completions/*; do
  [ -s "$f" ] || { echo "completions.sh: $f is empty" >&2; exit 1; }
done
