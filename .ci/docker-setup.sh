#!/bin/sh
# CI: prepares a FRESH Debian machine (run as root) for the container tests. Idempotent.
#   1. installs docker.io and busybox-static when missing
#   2. starts dockerd when it is not running and waits (bounded) until `docker info` works
#   3. builds the offline test image apphost-test/busybox:latest (skipped when present)
# No registry is reachable from CI: nothing is pulled.
set -eu

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"

need_install=""
command -v docker >/dev/null 2>&1 || need_install="$need_install docker.io"
command -v dockerd >/dev/null 2>&1 || case "$need_install" in *docker.io*) ;; *) need_install="$need_install docker.io" ;; esac
[ -x /bin/busybox ] || need_install="$need_install busybox-static"
if [ -n "$need_install" ]; then
  echo "docker-setup: installing$need_install"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $need_install
fi

if docker info >/dev/null 2>&1; then
  echo "docker-setup: dockerd already running"
else
  if ! { command -v pgrep >/dev/null 2>&1 && pgrep -x dockerd >/dev/null 2>&1; }; then
    echo "docker-setup: starting dockerd (log: $DOCKERD_LOG)"
    if command -v systemctl >/dev/null 2>&1 && systemctl start docker >/dev/null 2>&1; then
      :
    else
      nohup dockerd >"$DOCKERD_LOG" 2>&1 &
    fi
  fi
  waited=0
  until docker info >/dev/null 2>&1; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      echo "docker-setup: dockerd did not become ready within ${WAIT_SECONDS}s" >&2
      [ -f "$DOCKERD_LOG" ] && tail -n 30 "$DOCKERD_LOG" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "docker-setup: dockerd ready after ${waited}s"
fi

sh "$REPO/test/fixtures/image/build-image.sh" "$@"
