# Shared by scripts/*.sh: install and start, from Debian's packages and the
# npm registry, what the server and the tests need. Sourced, not run.

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing ${missing[*]} from Debian's packages"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "== starting PostgreSQL"
    local v
    v=$(ls /etc/postgresql | sort -V | tail -n1)
    pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || pg_ctlcluster "$v" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; return 1; }
  # The tests log in as postgres over loopback. Our machines trust loopback;
  # a fresh Debian install asks for a password: give the local superuser
  # one for the tests (through the socket, as the postgres OS user).
  if ! psql -h 127.0.0.1 -U postgres -w -tAc "SELECT 1" >/dev/null 2>&1; then
    export PGPASSWORD="${PGPASSWORD:-dispatch-test}"
    if ! psql -h 127.0.0.1 -U postgres -w -tAc "SELECT 1" >/dev/null 2>&1; then
      echo "== setting a password for the postgres test user"
      su postgres -c "psql -qc \"ALTER USER postgres PASSWORD '$PGPASSWORD'\"" ||
        { echo "cannot log in to PostgreSQL as postgres on 127.0.0.1" >&2; return 1; }
    fi
  fi
  psql -h 127.0.0.1 -U postgres -w -tAc "SELECT 1 FROM pg_database WHERE datname='dispatch_test'" | grep -q 1 ||
    psql -h 127.0.0.1 -U postgres -w -qc "CREATE DATABASE dispatch_test"
}

ensure_redis() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    echo "== starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG && break; sleep 0.5; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; return 1; }
}

ensure_test_deps() {
  command -v go >/dev/null 2>&1 || { echo "Go is required (https://go.dev/dl/)" >&2; return 1; }
  ensure_postgres
  ensure_redis
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  command -v ffmpeg >/dev/null 2>&1 || apt_install ffmpeg
}

# ensure_imap starts a throw-away Dovecot IMAP server on a loopback port
# for the e-mail intake tests (callcenter/inbound), with one user and an
# empty maildir under a temporary folder, and exports where it listens.
# Stop it with `doveadm -c "$DISPATCH_TEST_IMAP_CONF" stop`.
ensure_imap() {
  command -v dovecot >/dev/null 2>&1 || apt_install dovecot-imapd
  local port="${DISPATCH_TEST_IMAP_PORT:-10143}"
  local dir
  dir=$(mktemp -d /tmp/cc112-imap.XXXXXX)
  chmod 755 "$dir"
  mkdir -p "$dir/home" "$dir/run"
  chown dovecot:dovecot "$dir/home" 2>/dev/null || true
  echo "cc112:{PLAIN}cc112-imap-test" >"$dir/users"
  cat >"$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$dir/home/%u
}
mail_location = maildir:~/Maildir
first_valid_uid = 1
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
CONF
  dovecot -c "$dir/dovecot.conf" || { echo "Dovecot did not start (see $dir/dovecot.log)" >&2; return 1; }
  export DISPATCH_TEST_IMAP_ADDR="127.0.0.1:$port" DISPATCH_TEST_IMAP_USER=cc112 DISPATCH_TEST_IMAP_PASSWORD=cc112-imap-test
  export DISPATCH_TEST_IMAP_CONF="$dir/dovecot.conf"
}

# ensure_smtp starts a throw-away SMTP server on a loopback port for the
# e-mail notice test (callcenter): Debian's python3-aiosmtpd, saving every
# message into a maildir under a temporary folder. Stop it with
# `kill "$DISPATCH_TEST_SMTP_PID"`.
ensure_smtp() {
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || apt_install python3-aiosmtpd
  local port="${DISPATCH_TEST_SMTP_PORT:-10025}"
  local dir
  dir=$(mktemp -d /tmp/cc112-smtp.XXXXXX)
  /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$dir/Maildir" >"$dir/log" 2>&1 &
  export DISPATCH_TEST_SMTP_PID=$!
  for _ in $(seq 1 30); do [ -d "$dir/Maildir" ] && break; sleep 0.2; done
  export DISPATCH_TEST_SMTP_ADDR="127.0.0.1:$port" DISPATCH_TEST_SMTP_MAILDIR="$dir/Maildir"
}
