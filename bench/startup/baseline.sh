#!/bin/bash
# Baseline for bench/startup/run.ts: what a developer's script does without apphost. Starts COUNT
# copies of the server command (each on its own port, from FIRST_PORT up), then polls every port
# until it accepts a TCP connection. Prints nothing; the caller times it. Leaves the servers running
# and writes their pids to PIDFILE (the caller stops them).
# Usage: baseline.sh <count> <first-port> <pidfile> <server...>   (server args may contain {PORT})
set -eu
COUNT="$1"; FIRST="$2"; PIDFILE="$3"; shift 3
: > "$PIDFILE"
for i in $(seq 0 $((COUNT - 1))); do
  port=$((FIRST + i))
  args=()
  for a in "$@"; do args+=("${a//\{PORT\}/$port}"); done
  PORT="$port" "${args[@]}" >/dev/null 2>&1 &
  echo $! >> "$PIDFILE"
done
for i in $(seq 0 $((COUNT - 1))); do
  port=$((FIRST + i))
  for attempt in $(seq 1 2000); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.005
  done
done
