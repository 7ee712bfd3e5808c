#!/bin/bash
# Baseline for bench/containers/run.ts: what a developer's script does without apphost.
# `docker run` N busybox httpd containers, each publishing 8080 on a Docker-chosen 127.0.0.1 port,
# then poll every published port until it accepts a TCP connection.
# Usage: baseline.sh <count> <image> <label> <name-prefix>
set -eu
COUNT="$1"; IMAGE="$2"; LABEL="$3"; PREFIX="$4"
for i in $(seq 0 $((COUNT - 1))); do
  docker run -d --name "$PREFIX-$i" --label "$LABEL" -p 127.0.0.1::8080 "$IMAGE" httpd -f -p 8080 -h /var/www >/dev/null
done
for i in $(seq 0 $((COUNT - 1))); do
  port="$(docker port "$PREFIX-$i" 8080/tcp | head -n1 | sed 's/.*://')"
  for attempt in $(seq 1 400); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.025
  done
done
