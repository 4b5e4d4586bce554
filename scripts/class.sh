#!/usr/bin/env bash
# class.sh - a class on many machines: a registry (BIND's named, or mail-dns) that every
# student's provider registers itself in (RFC 2136 UPDATE signed with TSIG, dns.register).
#
#   scripts/class.sh teacher [--registry bind|mail-dns] [--listen IP:PORT] [--dir DIR]
#       starts the class registry for the zone class.test (named when installed, else
#       mail-dns), makes a fresh TSIG key, and prints the one line each student runs
#   scripts/class.sh student NAME --registry IP:PORT --key SECRET [--address IP]
#                    [--smtp PORT] [--pop PORT] [--http PORT] [--password PW] [--dir DIR]
#       starts mail-server for NAME.class.test with the account NAME@NAME.class.test; it
#       registers its MX, A, P and SRV records, asks only the registry for other students'
#       domains, and answers mail clients' autoconfig on its HTTP port
#   scripts/class.sh stop [--dir DIR]      stops what teacher or student started from DIR
#   scripts/class.sh named-config DIR PORT KEY_NAME SECRET [LISTEN_IP]
#       writes a private named.conf and class.test zone into DIR (what teacher runs)
#
# Defaults: --dir /tmp/mail-class, --listen 0.0.0.0:10053, student ports 2525, 2110 and
# 8080, --address the one this machine reaches the registry from. Everything runs as
# background processes with pid files in DIR; `stop` sends them SIGTERM (a student's
# provider then removes its records from the registry).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${MAIL_BIN:-$root/build/bin}
zone=class.test
key_name=class-key

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 64; }
die() { echo "class: $*" >&2; exit 1; }

# wait_file_line FILE PATTERN PID: until FILE has PATTERN (grep -E), while PID lives (30 s).
wait_file_line() {
	local i
	for ((i = 0; i < 300; i++)); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# named-config DIR PORT KEY_NAME SECRET [LISTEN_IP]: a private named (no system config):
# its own directory, pid file and log, the class zone with an update-policy for the key.
cmd_named_config() {
	local dir=${1:?} port=${2:?} name=${3:?} secret=${4:?} listen=${5:-127.0.0.1}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ "$listen" = 0.0.0.0 ] && listen=any
	cat >"$dir/named.conf" <<CONF
// written by scripts/class.sh: a private named for the class zone
options {
	directory "$dir";
	pid-file "$dir/named.pid";
	session-keyfile "$dir/session.key";
	managed-keys-directory "$dir";
	listen-on port $port { $listen; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	allow-transfer { none; };
	notify no;
};
controls { };
key "$name" {
	algorithm hmac-sha256;
	secret "$secret";
};
logging {
	channel class_log { file "$dir/named.log"; severity info; print-time yes; print-category yes; };
	category default { class_log; };
	category update { class_log; };
	category update-security { class_log; };
};
zone "$zone" {
	type primary;
	file "$dir/$zone.db";
	update-policy { grant $name zonesub ANY; };
};
CONF
	cat >"$dir/$zone.db" <<ZONE
\$TTL 60
@ IN SOA ns.$zone. hostmaster.$zone. 1 3600 600 86400 60
@ IN NS ns.$zone.
ns IN A 127.0.0.1
ZONE
}

# mail_dns_config DIR PORT SECRET LISTEN_IP: mail-dns as the registry of the class zone.
mail_dns_config() {
	local dir=$1 port=$2 secret=$3 listen=$4
	mkdir -p "$dir"
	cat >"$dir/registry.yaml" <<YAML
# written by scripts/class.sh: mail-dns as the class registry (dns.updates)
dns:
  listen: $listen:$port
  zone: registry-zone.yaml
  updates:
    - zone: $zone
      keys:
        - { name: $key_name, secret: $secret, algorithm: hmac-sha256 }
servers: {}
YAML
	[ -f "$dir/registry-zone.yaml" ] || printf 'MX: {}\nP: {}\n' >"$dir/registry-zone.yaml"
}

# this_address REGISTRY_IP: the source address this machine uses towards the registry.
this_address() {
	ip -4 route get "$1" 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n 1
}

cmd_teacher() {
	local kind="" listen=0.0.0.0:10053 dir=/tmp/mail-class
	while [ $# -gt 0 ]; do
		case $1 in
		--registry) kind=${2:?}; shift 2 ;;
		--listen) listen=${2:?}; shift 2 ;;
		--dir) dir=${2:?}; shift 2 ;;
		*) usage ;;
		esac
	done
	if [ -z "$kind" ]; then if command -v named >/dev/null; then kind=bind; else kind=mail-dns; fi; fi
	local ip=${listen%:*} port=${listen##*:} secret shown pid
	[[ $port =~ ^[0-9]+$ ]] || die "--listen wants IP:PORT, got '$listen'"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ ! -f "$dir/registry.pid" ] || ! kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null \
		|| die "a registry is already running from $dir (scripts/class.sh stop --dir $dir)"
	secret=$(openssl rand -base64 32)
	case $kind in
	bind)
		command -v named >/dev/null || die "named is not installed (bind9; scripts/install-deps.sh test)"
		cmd_named_config "$dir/named" "$port" "$key_name" "$secret" "$ip"
		named -f -c "$dir/named/named.conf" -n 1 >"$dir/registry.log" 2>&1 &
		pid=$!
		echo "$pid" >"$dir/registry.pid"
		wait_file_line "$dir/named/named.log" 'running$' "$pid" || die "named did not start: $(tail -n 5 "$dir/named/named.log" "$dir/registry.log" 2>/dev/null)"
		;;
	mail-dns)
		[ -x "$bin/mail-dns" ] || die "$bin/mail-dns is missing; run make first"
		mail_dns_config "$dir" "$port" "$secret" "$ip"
		"$bin/mail-dns" --conf "$dir/registry.yaml" >"$dir/registry.log" 2>&1 &
		pid=$!
		echo "$pid" >"$dir/registry.pid"
		wait_file_line "$dir/registry.log" ': ready ' "$pid" || die "mail-dns did not start: $(tail -n 5 "$dir/registry.log")"
		;;
	*) die "--registry is bind or mail-dns, not '$kind'" ;;
	esac
	echo "$secret" >"$dir/key"
	chmod 600 "$dir/key"
	shown=$ip
	[ "$shown" = 0.0.0.0 ] && shown=$(hostname -I 2>/dev/null | awk '{ print $1 }')
	[ -n "$shown" ] || shown=127.0.0.1
	cat <<TEXT
class registry: $kind on $listen for the zone $zone (pid $pid, files in $dir)
TSIG key: $key_name hmac-sha256 $secret
Each student runs (with their own NAME):
  scripts/class.sh student NAME --registry $shown:$port --key $secret
See who registered:   dig @$shown -p $port NAME.$zone MX
Stop it:              scripts/class.sh stop --dir $dir
TEXT
}

cmd_student() {
	local name=${1:-}
	[ -n "$name" ] && [[ $name != -* ]] || usage
	shift
	[[ $name =~ ^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$ ]] || die "NAME must be lower-case letters, digits and inner hyphens (a DNS label)"
	local registry="" secret="" address="" smtp=2525 pop=2110 http=8080 password="" dir=/tmp/mail-class
	while [ $# -gt 0 ]; do
		case $1 in
		--registry) registry=${2:?}; shift 2 ;;
		--key) secret=${2:?}; shift 2 ;;
		--address) address=${2:?}; shift 2 ;;
		--smtp) smtp=${2:?}; shift 2 ;;
		--pop) pop=${2:?}; shift 2 ;;
		--http) http=${2:?}; shift 2 ;;
		--password) password=${2:?}; shift 2 ;;
		--dir) dir=${2:?}; shift 2 ;;
		*) usage ;;
		esac
	done
	[ -n "$registry" ] && [ -n "$secret" ] || die "student needs --registry IP:PORT and --key SECRET (the teacher prints them)"
	[ -x "$bin/mail-server" ] || die "$bin/mail-server is missing; run make first"
	[ -n "$address" ] || address=$(this_address "${registry%:*}")
	[ -n "$address" ] || address=127.0.0.1
	[ -n "$password" ] || password=$(openssl rand -hex 6)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	local conf=$dir/$name.yaml pid
	[ ! -f "$dir/$name.pid" ] || ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null \
		|| die "$name is already running from $dir (scripts/class.sh stop --dir $dir)"
	cat >"$conf" <<YAML
# written by scripts/class.sh student $name: one provider that registers itself
dns:
  resolvers: [$registry]
relay:
  retry: [5s, 30s, 1m]
servers:
  $name:
    address: $address
    smtp: $smtp
    pop: $pop
    http: { port: $http, address: $address, users: { $name: $password } }
    accounts:
      $name@$name.$zone: $password
    dns:
      register:
        server: $registry
        zone: $zone
        key_name: $key_name
        key_secret: $secret
        algorithm: hmac-sha256
        ttl: 60
YAML
	"$bin/mail-server" -n "$name" --conf "$conf" --data "$dir/data" >"$dir/$name.log" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/$name.pid"
	wait_file_line "$dir/$name.log" ': ready ' "$pid" || die "mail-server did not start: $(tail -n 5 "$dir/$name.log")"
	cat <<TEXT
provider $name.$zone on $address (pid $pid, files in $dir): SMTP $smtp, POP3 $pop, HTTP $http
account: $name@$name.$zone  password: $password
mail client setup: http://$address:$http/.well-known/autoconfig/mail/config-v1.1.xml
registered at $registry (see it: dig @${registry%:*} -p ${registry##*:} $name.$zone MX)
Stop it:  scripts/class.sh stop --dir $dir   (removes the records from the registry)
TEXT
}

cmd_stop() {
	local dir=/tmp/mail-class pidfile pid
	while [ $# -gt 0 ]; do
		case $1 in
		--dir) dir=${2:?}; shift 2 ;;
		*) usage ;;
		esac
	done
	# Students first, so their withdrawals still find the registry.
	for pidfile in $(ls "$dir"/*.pid 2>/dev/null | grep -v '/registry\.pid$') "$dir/registry.pid"; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid"
			for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
			echo "stopped $(basename "$pidfile" .pid) (pid $pid)"
		fi
		rm -f "$pidfile"
	done
}

case ${1:-} in
teacher) shift; cmd_teacher "$@" ;;
student) shift; cmd_student "$@" ;;
stop) shift; cmd_stop "$@" ;;
named-config) shift; cmd_named_config "$@" ;;
*) usage ;;
esac
