# class.bash - helpers for the class tests: a registry (mail-dns or a private BIND named)
# and providers that were never written into any zone file and register themselves
# (dns.register, RFC 2136 UPDATE signed with TSIG). Load after ../lib/common and ../lib/relay.

# The key every test registry accepts and every student provider signs with.
CLASS_KEY_NAME=class-key
CLASS_KEY_SECRET=c2VjcmV0LWZvci10aGUtY2xhc3MtdGVzdHMtMTIzNA==
# The same length, another secret: a forged signature.
WRONG_KEY_SECRET=b3RoZXItc2VjcmV0LW9mLXRoZS1zYW1lLWxlbmd0aA==

# registry_config FILE PORT: a mail-dns configuration that is only a registry for class.test.
registry_config() {
	cat >"$1" <<YAML
dns:
  listen: 127.0.0.1:$2
  zone: registry-zone.yaml
  updates:
    - zone: class.test
      keys:
        - { name: $CLASS_KEY_NAME, secret: $CLASS_KEY_SECRET, algorithm: hmac-sha256 }
servers: {}
YAML
	printf 'MX: {}\nP: {}\n' >"$(dirname "$1")/registry-zone.yaml"
}

# student_config NAME ADDRESS REGISTRY_PORT SMTP POP HTTP: $T/NAME.yaml, a provider for
# NAME.class.test on ADDRESS that registers at 127.0.0.1:REGISTRY_PORT and asks only it.
student_config() {
	local name=$1 address=$2 registry=$3 smtp=$4 pop=$5 http=$6
	cat >"$T/$name.yaml" <<YAML
dns:
  resolvers: [127.0.0.1:$registry]
relay:
  workers: 2
  retry: [1s, 2s]
  expire: 1h
servers:
  $name:
    address: $address
    smtp: $smtp
    pop: $pop
    http: { port: $http, address: $address }
    accounts:
      $name@$name.class.test: pw-$name
    dns:
      register:
        server: 127.0.0.1:$registry
        zone: class.test
        key_name: $CLASS_KEY_NAME
        key_secret: $CLASS_KEY_SECRET
        algorithm: hmac-sha256
        ttl: 30
YAML
}

# start_student NAME: mail-server for $T/NAME.yaml with data in $T/data; waits for SMTP.
start_student() {
	local name=$1 smtp address pid
	smtp=$(awk '/^    smtp:/ { print $2; exit }' "$T/$name.yaml")
	address=$(awk '/^    address:/ { print $2; exit }' "$T/$name.yaml")
	pid=$(start_bg "$name" "$MAIL_BIN/mail-server" -n "$name" --conf "$T/$name.yaml" --data "$T/data")
	for _ in $(seq 1 600); do
		nc -z "$address" "$smtp" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		nap 0.05
	done
	return 1
}

# recorded_pid NAME: the pid start_bg recorded last for NAME (start_bg in a $(...) sets no variable).
recorded_pid() { awk -v n="$1" '$2 == n { p = $1 } END { print p }' "$T/pids"; }

# q REGISTRY_PORT ARGS...: dig at the registry, short answers.
q() { local port=$1; shift; dig @127.0.0.1 -p "$port" +time=2 +tries=2 +short "$@"; }

# wait_answer REGISTRY_PORT NAME TYPE PATTERN SECONDS: until dig's answer matches (grep -E);
# PATTERN '^$' waits for no answer.
wait_answer() {
	local port=$1 name=$2 type=$3 pattern=$4 i out
	for ((i = 0; i < $5 * 10; i++)); do
		out=$(q "$port" "$name" "$type") || out="" # no reply yet
		if [ "$pattern" = '^$' ]; then [ -z "$out" ] && return 0; else grep -qE "$pattern" <<<"$out" && return 0; fi
		nap 0.1
	done
	echo "dig $name $type at $port: '$out', wanted /$pattern/" >&2
	return 1
}

# nsupdate_with SECRET|- PORT COMMANDS: nsupdate against 127.0.0.1:PORT for zone class.test,
# signed with SECRET under the class key name ('-': unsigned). Prints nsupdate's output.
nsupdate_with() {
	local secret=$1 port=$2 commands=$3 key=()
	[ "$secret" = - ] || key=(-y "hmac-sha256:$CLASS_KEY_NAME:$secret")
	printf 'server 127.0.0.1 %s\nzone class.test\n%s\nsend\n' "$port" "$commands" | nsupdate -t 3 "${key[@]}" 2>&1
}

# start_two_students REGISTRY_PORT: alice.class.test on 127.0.0.2 and bob.class.test on
# 127.0.0.3, both registering at the registry; exports their ports (A_SMTP, B_POP, ...).
start_two_students() {
	local ports
	ports=($(free_ports 6))
	export A_SMTP=${ports[0]} A_POP=${ports[1]} A_HTTP=${ports[2]} B_SMTP=${ports[3]} B_POP=${ports[4]} B_HTTP=${ports[5]}
	student_config alice 127.0.0.2 "$1" "$A_SMTP" "$A_POP" "$A_HTTP"
	student_config bob 127.0.0.3 "$1" "$B_SMTP" "$B_POP" "$B_HTTP"
	start_student alice
	start_student bob
}

# check_registered REGISTRY_PORT: both students' MX, A, P and SRV records are served.
check_registered() {
	local port=$1
	wait_answer "$port" alice.class.test MX '^10 mail\.alice\.class\.test\.$' 20
	wait_answer "$port" bob.class.test MX '^10 mail\.bob\.class\.test\.$' 20
	[ "$(q "$port" mail.alice.class.test A)" = 127.0.0.2 ]
	[ "$(q "$port" mail.bob.class.test A)" = 127.0.0.3 ]
	[ "$(q "$port" mail.bob.class.test TYPE65280)" = "\\# 2 $(printf '%04X' "$B_SMTP")" ]
	[ "$(q "$port" _submission._tcp.alice.class.test SRV)" = "0 1 $A_SMTP mail.alice.class.test." ]
	[ "$(q "$port" _pop3._tcp.bob.class.test SRV)" = "0 1 $B_POP mail.bob.class.test." ]
	wait_log alice 'dns registered zone=class.test host=mail.alice.class.test server=127.0.0.1' 10
}

# check_relay_both_ways REGISTRY_PORT SUBJECT: alice -> bob and bob -> alice, delivered.
check_relay_both_ways() {
	wait_answer "$1" bob.class.test MX 'mail\.bob' 20
	wait_answer "$1" alice.class.test MX 'mail\.alice' 20
	send_mail "127.0.0.2:$A_SMTP" alice@alice.class.test "$2 to bob" bob@bob.class.test
	send_mail "127.0.0.3:$B_SMTP" bob@bob.class.test "$2 to alice" alice@alice.class.test
	wait_count bob@bob.class.test bob 1 30 >/dev/null
	wait_count alice@alice.class.test alice 1 30 >/dev/null
	mailbox_text bob@bob.class.test bob | grep -q "Subject: $2 to bob"
	mailbox_text alice@alice.class.test alice | grep -q "Subject: $2 to alice"
}

# check_withdrawn_at_shutdown REGISTRY_PORT: bob stops cleanly; his records go, alice's stay.
check_withdrawn_at_shutdown() {
	local port=$1 name
	wait_answer "$port" bob.class.test MX 'mail\.bob' 20
	stop_one bob
	grep -q 'dns withdrawn zone=class.test' "$T/bob.log"
	for name in "bob.class.test MX" "mail.bob.class.test A" "mail.bob.class.test TYPE65280" \
		"_submission._tcp.bob.class.test SRV" "_pop3._tcp.bob.class.test SRV"; do
		[ -z "$(q "$port" $name)" ] || { echo "still served: $name" >&2; return 1; }
	done
	[ "$(q "$port" alice.class.test MX)" = '10 mail.alice.class.test.' ]
}
