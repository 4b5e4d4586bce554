# pop3.bash - shared setup for the POP3 integration files (load after ../lib/common).

POP3_LOAD="$BATS_TEST_DIRNAME/../lib/pop3_load.py"

# pop3_topology: writes $T/mail.yaml with server pop.test on free ports (accounts
# alice@pop.test "alice pw" -- a space inside --, bob@pop.test "bobpw", and
# u000..u099@pop.test with passwords p000..p099, as pop3_load.py expects). servers: is
# the file's last section, so a test may append another server. Exports DNS_PORT P_SMTP
# P_POP CONF MAILROOT, and S_SMTP S_POP: two more free ports for such a server.
pop3_topology() {
	local ports
	ports=($(free_ports 5))
	export DNS_PORT=${ports[0]} P_SMTP=${ports[1]} P_POP=${ports[2]} S_SMTP=${ports[3]} S_POP=${ports[4]}
	export CONF=$T/mail.yaml MAILROOT=$T/data/pop.test/mail
	{
		cat <<YAML
dns:
  listen: 127.0.0.1:$DNS_PORT
  zone: zone.yaml
agent:
  pop.test: { smtp: smtp.pop.test, pop: pop.pop.test }
servers:
  pop.test:
    smtp: $P_SMTP
    pop: $P_POP
    limits:
      max_sessions_per_ip: 200
    accounts:
      alice@pop.test: "alice pw"
      bob@pop.test: bobpw
YAML
		for i in $(seq -w 0 99); do echo "      u0$i@pop.test: p0$i"; done
	} >"$CONF"
	printf 'MX:\n  pop.test.: mx.pop.test.\nP:\n  mx.pop.test.: %s\n' "$P_SMTP" >"$T/zone.yaml"
}

# start_pop_test: starts mail-server -n pop.test (data in $T/data), waits for both ports.
start_pop_test() {
	start_bg pop.test "$MAIL_BIN/mail-server" -n pop.test --conf "$CONF" --data "$T/data" >/dev/null
	wait_port "$P_SMTP" 10 "$(pid_of pop.test)"
	wait_port "$P_POP" 10 "$(pid_of pop.test)"
}
