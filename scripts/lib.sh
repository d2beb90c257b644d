# Shared by scripts/run and scripts/test: find or install what certlink needs.
# Sourced, not run.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root for: $*" >&2; return 1; fi
}

apt_updated=""
apt_install() {
  wait_for_apt_lock
  if [ -z "$apt_updated" ]; then as_root apt-get -o DPkg::Lock::Timeout=600 update -qq; apt_updated=1; fi
  # Wait for the dpkg lock rather than fail when another apt or dpkg (an
  # unattended upgrade, a parallel install) holds it.
  DEBIAN_FRONTEND=noninteractive as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

# wait_for_apt_lock waits (up to 10 minutes, saying so) while another apt or
# dpkg holds its locks, instead of failing at once.
wait_for_apt_lock() {
  local locks="/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock"
  local waited=0
  while command -v fuser >/dev/null && as_root fuser $locks >/dev/null 2>&1; do
    if [ "$waited" = 0 ]; then say "another apt or dpkg is running: waiting for it to finish"; fi
    sleep 5
    waited=$((waited + 5))
    if [ "$waited" -ge 600 ]; then echo "apt/dpkg still locked after 10 minutes" >&2; return 1; fi
  done
}

need_go() {
  if ! command -v go >/dev/null; then
    [ -x /usr/local/go/bin/go ] && export PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go >/dev/null || { echo "Go 1.26 is required (https://go.dev/dl/)" >&2; exit 1; }
}

# need_cc makes sure a C compiler is there: the race detector needs cgo.
need_cc() {
  command -v gcc >/dev/null || { say "installing gcc (for go test -race)"; apt_install gcc libc6-dev; }
}

need_node() {
  command -v npm >/dev/null || { say "installing Node.js"; apt_install nodejs npm; }
}

ensure_node_modules() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing the web app's packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

build_frontend_if_stale() {
  local index=frontend/dist/index.html
  if [ ! -f "$index" ] || [ -n "$(find frontend/src frontend/index.html frontend/vite.config.ts package.json graph -newer "$index" -type f 2>/dev/null | head -n 1)" ]; then
    say "building the web app"
    npm run --silent build
  fi
}

# ensure_mariadb makes sure a MariaDB answers on 127.0.0.1:3306 as root with an
# empty password: start it when it is installed but stopped, install it when missing.
ensure_mariadb() {
  if mysqladmin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1; then return 0; fi
  if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
    say "installing MariaDB"
    apt_install mariadb-server mariadb-client
  fi
  say "starting MariaDB"
  as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null 2>&1 || true
  for _ in $(seq 1 60); do
    mysqladmin --protocol=tcp -h127.0.0.1 -P3306 -uroot ping >/dev/null 2>&1 && return 0
    # A fresh install lets root in through the unix socket only: allow TCP with an empty password.
    if mysqladmin -uroot ping >/dev/null 2>&1; then
      as_root mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" >/dev/null 2>&1 || true
    fi
    sleep 1
  done
  echo "MariaDB does not answer on 127.0.0.1:3306" >&2
  return 1
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  say "installing Debian's chromium for the browser tests"
  apt_install chromium
}
