#!/usr/bin/env bats
# relay_engine_faults.bats - the two faults found when the relay was attacked, against the
# real binaries: head-of-line blocking (messages to an MX that accepts the connection and
# never answers must not hold the workers a healthy destination needs) and more
# recipients at one peer than it accepts (transactions of 50, and after a 452 4.5.3 the
# rest go in the next transaction: the 452 case itself is in relay_connection_tests).

load ../lib/common
load ../lib/relay

TOOLS=$BATS_TEST_DIRNAME/../lib/relay_tools.py

setup_file() {
	common_setup_file
	local ports i accounts=""
	ports=($(free_ports 3))
	export SILENT_PORT=${ports[0]} MANY_SMTP=${ports[1]} MANY_POP=${ports[2]}
	for i in $(seq 1 150); do accounts+="      a$i@many.example: pw$i"$'\n'; done
	# exmail takes 200 recipients from its users; many.example only 100 per transaction.
	EXTRA_RELAY="  command_timeout: 30s
limits:
  max_recipients: 200" EXTRA_SERVERS="  many.example:
    smtp: $MANY_SMTP
    pop: $MANY_POP
    limits:
      max_recipients: 100
    accounts:
$accounts" make_topology \
		"silent.example 10 mx.silent.example $SILENT_PORT" \
		"many.example 10 mx.many.example $MANY_SMTP"
	start_bg silent python3 "$TOOLS" silent "$SILENT_PORT" >/dev/null
	wait_port "$SILENT_PORT" 30
	start_dns
	start_server exmail.qq.com
	start_server gmail.com
	start_server many.example
}

teardown_file() { common_teardown_file; }

# silent_mx_connected: the relay holds a connection to the MX that never answers.
silent_mx_connected() { ss -Htn state established "( dport = :$SILENT_PORT )" | grep -q .; }

@test "messages to an MX that never answers do not hold the workers a healthy destination needs" {
	local i before took
	for i in 1 2 3 4; do send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "stuck $i" "u$i@silent.example"; done
	wait_until 30 silent_mx_connected # the relay has taken them
	before=$(maildir_count usr@gmail.com gmail.com)
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "healthy" usr@gmail.com
	took=$(wait_count usr@gmail.com gmail.com $((before + 1)) 30)
	echo "# delivered to the healthy peer in ${took} ms with 4 messages stuck at a silent MX (2 workers)" >&3
	# held workers would wait for the 30 s command timeout; 5 s leaves room for a loaded machine
	[ "$took" -lt 5000 ]
	[ "$(queue_count exmail.qq.com)" -eq 4 ]
}

@test "150 valid recipients at a peer taking 100 per transaction are all delivered over one connection" {
	local i connects
	connects=$(grep -c ' connected peer=' "$T/many.example.log" || true) # start_server's port probe
	python3 - "$EX_SMTP" <<'PY'
import smtplib, sys
rcpts = ["a%d@many.example" % i for i in range(1, 151)]
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), "relay-test", timeout=10) as s:
    refused = s.sendmail("usr1@mail.sustech.edu.cn", rcpts, "To: undisclosed-recipients:;\r\nSubject: to many\r\n\r\nhello\r\n")
    if refused:
        sys.exit("refused: %r" % refused)
PY
	# The files land before the server logs the transaction and the relay logs the outcome:
	# wait for all three.
	for i in $(seq 1 200); do
		[ "$(find "$T/data/many.example/mail" -path '*/new/*' -type f | wc -l)" -ge 150 ] &&
			[ "$(grep -c ' accepted id=' "$T/many.example.log")" -ge 3 ] &&
			[ "$(grep -c 'relay delivered to=<a[0-9]*@many.example>' "$T/exmail.qq.com.log")" -ge 150 ] && break
		nap 0.05
	done
	[ "$(find "$T/data/many.example/mail" -path '*/new/*' -type f | wc -l)" -eq 150 ]
	for i in 1 100 101 150; do [ "$(maildir_count "a$i@many.example" many.example)" -eq 1 ]; done
	[ "$(grep -c ' accepted id=' "$T/many.example.log")" -eq 3 ] # 50 per transaction, none refused
	[ "$(grep -c ' connected peer=' "$T/many.example.log")" -eq $((connects + 1)) ]
	[ "$(grep -c 'relay delivered to=<a[0-9]*@many.example>' "$T/exmail.qq.com.log")" -eq 150 ]
}
