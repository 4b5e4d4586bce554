# shellcheck shell=bash
# postfix.sh - a private Postfix instance for the benchmarks and the interop tests (sourced
# by scripts/bench/lib.sh and test/integration/postfix_peer.bats): its own config, queue and
# data directories, so the system's Postfix (if any) and its mail are never touched.

# start_postfix DIR PORT HOSTNAME: a private Postfix instance configured in DIR/conf, with its
# queue, data and log under DIR, SMTP only on 127.0.0.1:PORT, the stock services without
# chroot and no client rate limits. Standard input adds the part's own main.cf lines (its
# delivery: a virtual Maildir, a transport map, ...). Stop it with postfix -c DIR/conf stop.
start_postfix() {
	local dir=${1:?start_postfix DIR PORT HOSTNAME} port=${2:?} host=${3:?}
	mkdir -p "$dir/conf" "$dir/queue" "$dir/data"
	chown postfix "$dir/data"
	{
		cat <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
myhostname = $host
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
default_process_limit = 300
CF
		cat
	} >"$dir/conf/main.cf"
	# the stock services: the system's master.cf, or Debian's copy of it where the package
	# was installed with "No configuration" (scripts/install-deps.sh)
	local stock=/etc/postfix/master.cf
	[ -f "$stock" ] || stock=/usr/share/postfix/master.cf.dist
	sed -e 's/^smtp\( *\)inet.*/'"127.0.0.1:$port"' inet n - n - - smtpd/' \
		-e '/^[a-z]/s/^\([^ ]* *[^ ]* *[^ ]* *[^ ]* *\)y /\1n /' "$stock" >"$dir/conf/master.cf"
	postfix -c "$dir/conf" start >"$dir/start.log" 2>&1 || { cat "$dir/start.log" >&2; return 1; }
}
