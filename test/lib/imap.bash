# imap.bash - shared setup for the IMAP integration files (load after ../lib/common and ../lib/pop3).

# imap_topology: pop3_topology's server pop.test, also on imap: and imaps: with tls: (a
# certificate from scripts/make-cert.sh; passwords only after STARTTLS or on imaps:).
# Exports P_IMAP P_IMAPS besides pop3_topology's ports.
imap_topology() {
	local ports
	pop3_topology
	ports=($(free_ports 2))
	export P_IMAP=${ports[0]} P_IMAPS=${ports[1]}
	"$REPO_ROOT/scripts/make-cert.sh" "$T/tls" >/dev/null
	sed -i "s/^    pop: $P_POP\$/    pop: $P_POP\n    imap: $P_IMAP\n    imaps: $P_IMAPS\n    tls: { cert: tls\/cert.pem, key: tls\/key.pem }/" "$CONF"
}

# start_imap_test: starts pop.test and waits for its SMTP, POP3 and IMAP ports.
start_imap_test() {
	start_pop_test
	wait_port "$P_IMAP" 10 "$(pid_of pop.test)"
	wait_port "$P_IMAPS" 10 "$(pid_of pop.test)"
}

# imap PYTHON-BODY: runs python with `m` = an imaplib.IMAP4 on pop.test's imap: port after
# STARTTLS (certificate not checked), `login(m, user, pw)`, `files(user)` and
# `content(user, n)` (the stored files in delivery order); prints what the body prints.
imap() {
	python3 - "$P_IMAP" "$MAILROOT" "$P_POP" "$P_SMTP" "$1" <<'PY'
import glob, imaplib, os, poplib, smtplib, ssl, sys, time
port, root, pop_port, smtp_port, body = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
insecure = ssl.create_default_context(); insecure.check_hostname = False; insecure.verify_mode = ssl.CERT_NONE
def files(user):
    return sorted(glob.glob(os.path.join(root, user, "new", "*")) + glob.glob(os.path.join(root, user, "cur", "*")), key=os.path.basename)
def content(user, n):
    return open(files(user)[n - 1], "rb").read()
def connect(tls=True):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    if tls: m.starttls(ssl_context=insecure)
    return m
def login(m, user="alice@pop.test", pw="alice pw"):
    return m.login(user, pw)
def send(subject, to="alice@pop.test", text="hello\n"):
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as s:
        s.sendmail("x@example.org", [to], "From: x@example.org\r\nTo: %s\r\nSubject: %s\r\n\r\n%s" % (to, subject, text))
m = connect()
exec(body)
PY
}
