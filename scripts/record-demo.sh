#!/usr/bin/env bash
# Records docs/demo.gif from the real binary: `pimento demo` in tmux, shown
# in xterm on a virtual display, captured by ffmpeg. VHS cannot run here (it
# needs ttyd); docs/demo.tape is the same script for maintainers with VHS.
# Installs its tools itself; never part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for t in Xvfb:xvfb xterm:xterm ffmpeg:ffmpeg tmux:tmux xauth:xauth; do
  command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
fi

work=$(mktemp -d)
trap 'tmux -S "$work/sock" kill-server 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/pimento" ./cmd/pimento

W=980 H=560 DISPLAY_NUM=:99
Xvfb "$DISPLAY_NUM" -screen 0 "${W}x${H}x24" -nolisten tcp >/dev/null 2>&1 &
sleep 1
T() { tmux -S "$work/sock" "$@"; }
T -f /dev/null new-session -d -s demo -x 96 -y 27 "env TERM=xterm-256color LANG=C.UTF-8 HOME=$work $work/pimento demo"
T set -g status off; T set -g escape-time 0
DISPLAY=$DISPLAY_NUM xterm -geometry 96x27+0+0 -fa 'DejaVu Sans Mono' -fs 12 -b 8 -bg '#1e1e2e' -fg '#cdd6f4' \
  -e tmux -S "$work/sock" attach -t demo >/dev/null 2>&1 &

wait_for() { # text, timeout seconds
  for _ in $(seq $(( ${2:-10} * 20 ))); do
    T capture-pane -p -t demo | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  echo "timed out waiting for: $1" >&2; T capture-pane -p -t demo >&2; exit 1
}
type_slow() { local s=$1; for ((i=0; i<${#s}; i++)); do T send-keys -t demo -l "${s:i:1}"; sleep 0.12; done; }

wait_for "Global Reader" 20
ffmpeg -loglevel error -y -f x11grab -draw_mouse 0 -video_size "${W}x${H}" -framerate 20 -i "$DISPLAY_NUM.0+0,0" \
  -t 26 -pix_fmt yuv420p "$work/demo.mp4" &
rec=$!
sleep 1.5
type_slow "/secu"; sleep 0.6; T send-keys -t demo Enter; sleep 0.8
T send-keys -t demo Enter; wait_for "Activate Security Administrator"; sleep 0.6
type_slow "INC-4711 review risky sign-ins"; sleep 0.5
T send-keys -t demo Enter
wait_for "✓ verified in token after" 20; sleep 2.5
T send-keys -t demo Escape; sleep 1.5
T send-keys -t demo Escape; sleep 0.3; T send-keys -t demo Escape; sleep 1
type_slow "/global reader"; T send-keys -t demo Enter; sleep 0.8
type_slow "d"; sleep 1.2; type_slow "y"
wait_for "deactivated" 15; sleep 3
wait "$rec"
ffmpeg -loglevel error -y -i "$work/demo.mp4" \
  -vf "fps=8,scale=760:-1:flags=lanczos,split[a][b];[a]palettegen[p];[b][p]paletteuse" docs/demo.gif
ffmpeg -loglevel error -y -ss 12 -i "$work/demo.mp4" -frames:v 1 "${FRAME:-$work/frame.png}"
echo "wrote docs/demo.gif ($(du -k docs/demo.gif | cut -f1) KB)"
