#!/usr/bin/env bash
# Starts a private MariaDB on 127.0.0.1:${XQUEUE_TEST_MYSQL_PORT:-13306} with its data in
# ${1:-/tmp/xqueue-mariadb}, for the test suite. Prints the URL tests use; idempotent.
set -euo pipefail
dir=${1:-/tmp/xqueue-mariadb}
port=${XQUEUE_TEST_MYSQL_PORT:-13306}
sock="$dir/mysqld.sock"
if [ -S "$sock" ] && mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1; then
  echo "mysql://root:xqueue@127.0.0.1:$port/"
  exit 0
fi
mkdir -p "$dir"
if [ ! -d "$dir/data/mysql" ]; then
  mariadb-install-db --no-defaults --user=root --datadir="$dir/data" --auth-root-authentication-method=normal >"$dir/install.log" 2>&1
fi
mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$sock" --port="$port" --bind-address=127.0.0.1 \
  --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" --skip-log-bin --innodb-buffer-pool-size=256M \
  --innodb-flush-log-at-trx-commit=1 --max-connections=500 --character-set-server=utf8mb4 --collation-server=utf8mb4_bin &
for _ in $(seq 1 60); do
  mariadb-admin --socket="$sock" -uroot ping >/dev/null 2>&1 && break
  sleep 0.5
done
mariadb --socket="$sock" -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED BY 'xqueue'; CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY 'xqueue'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;" 2>/dev/null \
  || mariadb --socket="$sock" -uroot -pxqueue -e "SELECT 1" >/dev/null
echo "mysql://root:xqueue@127.0.0.1:$port/"
