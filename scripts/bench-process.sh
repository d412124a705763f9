#!/usr/bin/env bash
# Whole-process figures that in-process benchmarks cannot give:
#  - `pimento prompt` run 100 times (goal: ≤ 15 ms each)
#  - process start to the TUI's first frame under tmux (signed-out profile, no network)
# In-process benchmarks: go test -run '^$' -bench . ./pim ./tui
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d); trap 'tmux -S "$work/sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/pimento" ./cmd/pimento
export HOME="$work/home" XDG_STATE_HOME="$work/state" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache"
mkdir -p "$XDG_STATE_HOME/pimento/default"
end=$(date -u -d '+42 minutes' +%Y-%m-%dT%H:%M:%SZ)
printf '{"written":"%s","active":[{"name":"Exchange Administrator","end":"%s"}]}' "$end" "$end" > "$XDG_STATE_HOME/pimento/default/prompt.json"
start=$(date +%s%N)
for _ in $(seq 100); do "$work/pimento" prompt >/dev/null; done
echo "pimento prompt: $(( ($(date +%s%N) - start) / 100000 ))µs per run (100 runs); output: $("$work/pimento" prompt)"
if command -v tmux >/dev/null 2>&1; then
  for i in 1 2 3 4 5; do
    tmux -S "$work/sock" kill-server 2>/dev/null || true
    start=$(date +%s%N)
    TERM=xterm-256color LANG=C.UTF-8 tmux -S "$work/sock" -f /dev/null new-session -d -x 120 -y 40 "PIMENTO_TOKEN_CACHE=memory $work/pimento"
    until tmux -S "$work/sock" capture-pane -p 2>/dev/null | grep -q "pimento"; do sleep 0.005; done
    echo "TUI first frame under tmux, run $i: $(( ($(date +%s%N) - start) / 1000000 )) ms (includes starting tmux)"
  done
fi
