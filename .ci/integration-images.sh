#!/bin/sh
# Builds the offline images the integrations' tests run (no registry is reachable here), tagged as
# the image references addRedis / addPostgres use (src/integrations/images.ts):
#   redis:7.4      Debian's redis-server (the binary and every library ldd lists)
#   postgres:17.6  Debian's postgresql (server binaries, their libraries, share files) with a small
#                  entrypoint that honours the official image's POSTGRES_USER / POSTGRES_PASSWORD /
#                  POSTGRES_DB / PGDATA, as user postgres (uid 999, like the official image)
#   rabbitmq:4.1-management  Debian's rabbitmq-server and the Erlang runtime it runs on (the whole
#                  /usr/lib/erlang and /usr/lib/rabbitmq, the libraries ldd lists), management plugin
#                  enabled, as user rabbitmq (uid 999); RABBITMQ_DEFAULT_USER / _PASS as the official image
# The tags name what the integrations ask for; the content is Debian's version (`docker image
# inspect` shows it in the comment). A static busybox provides /bin/sh. Idempotent: an image that
# exists is kept unless --force.
# Usage: integration-images.sh [--force]
set -eu

FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1
REDIS_IMAGE="${APPHOST_REDIS_IMAGE:-redis:7.4}"
POSTGRES_IMAGE="${APPHOST_POSTGRES_IMAGE:-postgres:17.6}"
RABBITMQ_IMAGE="${APPHOST_RABBITMQ_IMAGE:-rabbitmq:4.1-management}"
PG_MAJOR="${PG_MAJOR:-15}"
BUSYBOX="${BUSYBOX:-/bin/busybox}"

have_image() { [ "$FORCE" -eq 0 ] && docker image inspect "$1" >/dev/null 2>&1; }

need=""
have_image "$REDIS_IMAGE" || { command -v redis-server >/dev/null 2>&1 || need="$need redis-server"; }
have_image "$POSTGRES_IMAGE" || { [ -x "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ] || need="$need postgresql"; }
have_image "$RABBITMQ_IMAGE" || { [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need="$need rabbitmq-server"; }
[ -x "$BUSYBOX" ] || need="$need busybox-static"
if [ -n "$need" ]; then
  echo "integration-images: installing$need"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $need
  # The packages start their services; the images are all that is wanted here.
  case "$need" in *redis-server*) (service redis-server stop || true) >/dev/null 2>&1 ;; esac
  case "$need" in *postgresql*) (service postgresql stop || true) >/dev/null 2>&1 ;; esac
  case "$need" in *rabbitmq-server*) (service rabbitmq-server stop || true) >/dev/null 2>&1 ;; esac
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT INT TERM

# copy_with_libs ROOT FILE...: each file at its own path under ROOT, with every library ldd names.
copy_with_libs() {
  root="$1"; shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | while read -r lib; do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

# base_root ROOT: busybox as /bin/sh and its applets, /etc/passwd with root and postgres (999).
base_root() {
  root="$1"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/sys" "$root/dev" "$root/data"
  chmod 1777 "$root/tmp"
  cp "$BUSYBOX" "$root/bin/busybox"
  for applet in $("$BUSYBOX" --list); do
    [ "$applet" = busybox ] || ln -sf /bin/busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999:postgres:/var/lib/postgresql:/bin/sh\nredis:x:998:998:redis:/data:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\npostgres:x:999:\nredis:x:998:\nnogroup:x:65534:\n' >"$root/etc/group"
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

if have_image "$REDIS_IMAGE"; then
  echo "integration-images: $REDIS_IMAGE already exists"
else
  ROOT="$WORK/redis"
  base_root "$ROOT"
  copy_with_libs "$ROOT" "$(command -v redis-server)"
  ln -sf "$(command -v redis-server)" "$ROOT/bin/redis-server"
  version="$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
  tar -C "$ROOT" -c . | docker import \
    -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'WORKDIR /data' -c 'EXPOSE 6379' -c 'CMD ["redis-server"]' \
    -m "apphost offline image: Debian redis-server $version" - "$REDIS_IMAGE" >/dev/null
  echo "integration-images: built $REDIS_IMAGE (Debian redis-server $version)"
fi

if have_image "$POSTGRES_IMAGE"; then
  echo "integration-images: $POSTGRES_IMAGE already exists"
else
  ROOT="$WORK/postgres"
  PG="/usr/lib/postgresql/$PG_MAJOR"
  base_root "$ROOT"
  copy_with_libs "$ROOT" "$PG/bin/postgres" "$PG/bin/initdb" "$PG/bin/pg_ctl" "$PG/bin/pg_isready"
  # Server modules (plpgsql, snowball dictionaries initdb loads); not the LLVM JIT.
  for so in "$PG"/lib/*.so; do
    case "$so" in *llvmjit*) continue ;; esac
    copy_with_libs "$ROOT" "$so"
  done
  mkdir -p "$ROOT/usr/share/postgresql" "$ROOT/usr/share/zoneinfo"
  cp -a "/usr/share/postgresql/$PG_MAJOR" "$ROOT/usr/share/postgresql/"
  rm -rf "$ROOT/usr/share/postgresql/$PG_MAJOR/man"
  cp -a /usr/share/zoneinfo/. "$ROOT/usr/share/zoneinfo/"
  mkdir -p "$ROOT/usr/local/bin" "$ROOT/var/lib/postgresql/data" "$ROOT/var/run/postgresql"
  cat >"$ROOT/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
# The official image's contract, in short: POSTGRES_PASSWORD (required), POSTGRES_USER (postgres),
# POSTGRES_DB (the user's name), PGDATA; initialised once, then `postgres` listening everywhere.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: POSTGRES_PASSWORD is not set" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null
  fi
  echo "database initialised in $PGDATA"
fi
[ "${1:-postgres}" = postgres ] && [ $# -gt 0 ] && shift
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
ENTRY
  chmod 0755 "$ROOT/usr/local/bin/docker-entrypoint.sh"
  chown -R 999:999 "$ROOT/var/lib/postgresql" "$ROOT/var/run/postgresql"
  version="$("$PG/bin/postgres" --version | awk '{print $3}')"
  tar -C "$ROOT" -c . | docker import \
    -c "ENV PATH=/usr/local/bin:$PG/bin:/usr/bin:/bin" -c 'ENV PGDATA=/var/lib/postgresql/data' \
    -c 'USER postgres' -c 'EXPOSE 5432' \
    -c 'ENTRYPOINT ["docker-entrypoint.sh"]' -c 'CMD ["postgres"]' \
    -m "apphost offline image: Debian postgresql $version" - "$POSTGRES_IMAGE" >/dev/null
  echo "integration-images: built $POSTGRES_IMAGE (Debian postgresql $version)"
fi

if have_image "$RABBITMQ_IMAGE"; then
  echo "integration-images: $RABBITMQ_IMAGE already exists"
else
  ROOT="$WORK/rabbitmq"
  base_root "$ROOT"
  sed -i 's/^redis:x:998:998:redis:\/data:\/bin\/sh$/rabbitmq:x:998:998:rabbitmq:\/var\/lib\/rabbitmq:\/bin\/sh/' "$ROOT/etc/passwd"
  sed -i 's/^redis:x:998:$/rabbitmq:x:998:/' "$ROOT/etc/group"
  mkdir -p "$ROOT/usr/lib"
  cp -a /usr/lib/erlang /usr/lib/rabbitmq "$ROOT/usr/lib/"
  for f in $(find /usr/lib/erlang -type f \( -name '*.so' -o -perm -u+x \)); do
    file_type="$(head -c 4 "$f" | od -An -c | tr -d ' ')"
    [ "$file_type" = "177ELF" ] || continue
    ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | while read -r lib; do
      [ -e "$ROOT$lib" ] && continue
      mkdir -p "$ROOT$(dirname "$lib")"
      cp -L "$lib" "$ROOT$lib"
    done
  done
  mkdir -p "$ROOT/usr/bin" "$ROOT/etc/rabbitmq" "$ROOT/var/lib/rabbitmq" "$ROOT/var/log/rabbitmq"
  ln -sf ../lib/erlang/bin/erl "$ROOT/usr/bin/erl"
  ln -sf ../lib/erlang/bin/escript "$ROOT/usr/bin/escript"
  echo '[rabbitmq_management].' >"$ROOT/etc/rabbitmq/enabled_plugins"
  # As the official image: listen everywhere, log to the console, no guest-only-from-localhost rule
  # for a user given by RABBITMQ_DEFAULT_USER (the default user is that one).
  printf 'loopback_users.guest = false\nlisteners.tcp.default = 5672\nmanagement.tcp.port = 15672\nlog.console = true\nlog.file = false\n' >"$ROOT/etc/rabbitmq/rabbitmq.conf"
  chown -R 998:998 "$ROOT/var/lib/rabbitmq" "$ROOT/var/log/rabbitmq" "$ROOT/etc/rabbitmq"
  version="$(ls /usr/lib/rabbitmq/lib | sed -n 's/^rabbitmq_server-//p' | head -1)"
  tar -C "$ROOT" -c . | docker import \
    -c 'ENV PATH=/usr/lib/rabbitmq/bin:/usr/lib/erlang/bin:/usr/bin:/bin' -c 'ENV HOME=/var/lib/rabbitmq' \
    -c 'ENV RABBITMQ_LOGS=-' -c 'USER rabbitmq' -c 'EXPOSE 5672 15672' -c 'CMD ["rabbitmq-server"]' \
    -m "apphost offline image: Debian rabbitmq-server $version" - "$RABBITMQ_IMAGE" >/dev/null
  echo "integration-images: built $RABBITMQ_IMAGE (Debian rabbitmq-server $version)"
fi
