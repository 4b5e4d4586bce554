#!/usr/bin/env bats
# console_browser.bats - the web console in a real browser (headless Chromium over the
# DevTools protocol, test/lib/console_browser.py): with the page open, a message sent
# through SMTP appears in gmail.com's mailbox list without a reload (by the event stream,
# and by polling when the stream is unavailable), and its journey is drawn with one lane
# per party and an arrow per step. With KEEP_TMP=1 screenshots of each view land in
# $T/shots (kept); SCREENSHOTS=DIR copies them there (docs/screenshots/ for the README).
# Without either none are taken (they cost CPU and nothing checks them), except a failed
# step's failure.png.

load ../lib/common
load ../lib/http

BROWSER=$BATS_TEST_DIRNAME/../lib/console_browser.py

setup_file() {
	common_setup_file
	export DEAD_PORT=$(free_ports 1)
	# dead.test's exchanger is a closed port: its mail waits in exmail.qq.com's queue.
	http_topology "dead.test 10 mx.dead.test $DEAD_PORT"
	export GM_URL=http://127.0.0.1:$GM_HTTP EX_URL=http://127.0.0.1:$EX_HTTP
	if [ -n "${SCREENSHOTS:-}${KEEP_TMP:-}" ]; then export CONSOLE_SHOTS=1; else export CONSOLE_SHOTS=0; fi
	# one Chromium for the file (each test gets a page and a browser context of its own)
	start_bg chromium python3 "$BROWSER" serve --out "$T/shots" --ready="$T/browser" >/dev/null
}

teardown_file() {
	if [ -n "${SCREENSHOTS:-}" ] && [ -d "$T/shots" ]; then
		mkdir -p "$SCREENSHOTS" && cp "$T"/shots/*.png "$SCREENSHOTS"/ && rm -f "$SCREENSHOTS/failure.png"
	fi
	common_teardown_file
}

# browse STEP...: runs the steps in a new page of the file's headless Chromium; skips the
# test (saying why) only when Chromium cannot start, fails on any failed step.
browse() {
	wait_until 60 test -s "$T/browser" || { cat "$T/chromium.log"; return 1; }
	run python3 "$BROWSER" --out "$T/shots" --browser="$T/browser" "$@"
	if [ "$status" = 77 ]; then skip "chromium cannot start: $output"; fi
	if [ "$status" != 0 ]; then
		echo "$output"
		return 1
	fi
}

# send_command SUBJECT MESSAGE-ID TO: the shell command that submits one message (text,
# HTML and a small attachment) to exmail.qq.com as usr1@mail.sustech.edu.cn, to be run
# from inside the browser session.
send_command() {
	printf 'python3 -c %q %q %q %q %q' '
import smtplib, sys
from email.message import EmailMessage
port, subject, msgid, to = sys.argv[1:]
msg = EmailMessage()
msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = "usr1@mail.sustech.edu.cn", to, subject, msgid
msg.set_content("Hello from the console test.\n")
msg.add_alternative("<p>Hello from the <b>console</b> test.</p><script>parent.document.title = \"escaped\"</script>", subtype="html")
msg.add_attachment(b"one,two\n1,2\n", maintype="text", subtype="csv", filename="numbers.csv")
with smtplib.SMTP("127.0.0.1", int(port), "laptop", timeout=10) as s:
    s.send_message(msg)
' "$EX_SMTP" "$1" "$2" "$3"
}

# wait_delivered SUBJECT: until usr@gmail.com holds a message with that subject (20 s).
wait_delivered() {
	local i
	for ((i = 0; i < 600; i++)); do
		if grep -rqsF "Subject: $1" "$T/data/gmail.com/mail/usr@gmail.com/new"; then return 0; fi
		nap 0.1
	done
	echo "not delivered: $1" >&2
	return 1
}

# retrieve_all: a POP3 reader RETRs every message of usr@gmail.com (deleting none).
retrieve_all() {
	python3 - "$GM_POP" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("usr@gmail.com"); p.pass_("pass")
for i in range(1, len(p.list()[1]) + 1):
    p.retr(i)
p.quit()
PY
}

READY="document.getElementById('view').dataset.state === 'ready'"
# Records what the page's Content-Security-Policy blocked (eval=window.blocked prints it).
CSP_WATCH="init=window.blocked = []; document.addEventListener('securitypolicyviolation', e => window.blocked.push(e.violatedDirective + ' ' + e.blockedURI))"

@test "console: every file is served with its type and the API's CSP" {
	run curl -sS -D - -o /dev/null "$GM_URL/"
	assert_success
	assert_output --partial "Content-Type: text/html"
	assert_output --partial "Content-Security-Policy: default-src 'self'"
	run curl -sS -D - -o /dev/null "$GM_URL/console/app.js"
	assert_output --partial "Content-Type: text/javascript"
	run curl -sS -o /dev/null -w '%{http_code}' "$GM_URL/console/missing.js"
	assert_output 404
}

@test "console: the journey view draws one lane per party and the relayed message's steps in order" {
	# The first message relayed to gmail.com in this file: its lookups reach mail-dns (the
	# relay then caches the answers, and later journeys show them as cached).
	local subject="journey $RANDOM$RANDOM" msgid="<journey.$RANDOM$RANDOM@mail.sustech.edu.cn>" enc dns
	run bash -c "$(send_command "$subject" "$msgid" usr@gmail.com)"
	assert_success
	wait_delivered "$subject"
	retrieve_all
	enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$msgid")
	# Two arrows (question, answer) for every lookup that went to mail-dns.
	dns=$(curl -sS "$GM_URL/api/v1/journey/$enc" | python3 -c 'import json, sys; print(sum(1 for e in json.load(sys.stdin)["events"] if e["type"] == "dns.lookup" and not e.get("cached")))')
	browse "open=$GM_URL/#/journey/$enc" "wait=$READY" \
		"wait=[...document.querySelectorAll('svg.journey .arrow')].some(a => a.textContent.startsWith('RETR'))" \
		"eval=[...document.querySelectorAll('svg.journey .lane')].map(l => l.dataset.lane)" \
		"eval='dns arrows ' + document.querySelectorAll('svg.journey .arrow[data-type=\"dns.lookup\"]').length" \
		"eval=[...document.querySelectorAll('svg.journey .arrow')].map(a => a.querySelector('title').textContent)" \
		"shot=journey"
	assert_line '["sending client", "exmail.qq.com SMTP", "mail-dns", "exmail.qq.com relay", "gmail.com SMTP", "gmail.com mailbox", "POP3 reader"]'
	assert_line "\"dns arrows $((dns * 2))\""
	[ "$dns" -ge 1 ]
	# The arrows in time order: submission, queueing, MX lookup, the relay's MAIL FROM to
	# gmail.com, delivery to the mailbox, RETR.
	local labels
	labels=$(printf '%s\n' "${lines[@]}" | grep '^\[' | tail -1 | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin)))')
	local want=("MAIL FROM:<usr1@mail.sustech.edu.cn>" "queued for usr@gmail.com" "MX? gmail.com" "MAIL FROM:<usr1@mail.sustech.edu.cn>" "deliver to usr@gmail.com" "RETR")
	local at=0 w n
	for w in "${want[@]}"; do
		n=$(echo "$labels" | awk -v from="$at" -v w="$w" 'NR > from && index($0, w) { print NR; exit }')
		[ -n "$n" ] || { echo "no arrow with '$w' after arrow $at in:"; echo "$labels"; return 1; }
		at=$n
	done
}

@test "console: new mail appears in the open mailbox list without a reload (event stream)" {
	local subject="live $RANDOM$RANDOM"
	browse "open=$GM_URL/#/mailboxes/usr%40gmail.com" "wait=$READY" \
		"eval=window.sameDocument = 'yes'" \
		"wait=document.getElementById('live').dataset.state === 'live'" \
		"run=$(send_command "$subject" "<live.$RANDOM@mail.sustech.edu.cn>" usr@gmail.com)" \
		"wait=[...document.querySelectorAll('ol.messages .subject')].some(s => s.textContent === '$subject')" \
		"eval=window.sameDocument" "shot=mailboxes" \
		"eval=location.hash = '#/events'" "wait=document.querySelector('table.events tr[data-type=\"message.delivered\"]')" "shot=events" \
		"eval='stray text ' + [...document.getElementById('view').childNodes].some(n => n.nodeType === Node.TEXT_NODE)"
	assert_line '"yes"'
	assert_line '"stray text false"'
}

@test "console: without the stream it polls /api/v1/events and still shows new mail" {
	local subject="polled $RANDOM$RANDOM"
	browse "init=delete window.EventSource" \
		"open=$GM_URL/#/mailboxes/usr%40gmail.com" "wait=$READY" \
		"wait=document.getElementById('live').dataset.state === 'polling'" \
		"eval=window.sameDocument = 'yes'" \
		"run=$(send_command "$subject" "<polled.$RANDOM@mail.sustech.edu.cn>" usr@gmail.com)" \
		"wait=[...document.querySelectorAll('ol.messages .subject')].some(s => s.textContent === '$subject')" \
		"eval=window.sameDocument"
	assert_line '"yes"'
}

@test "console: a message opens with its text, sandboxed HTML, headers and attachment" {
	local subject="opened $RANDOM$RANDOM"
	run bash -c "$(send_command "$subject" "<opened.$RANDOM@mail.sustech.edu.cn>" usr@gmail.com)"
	assert_success
	wait_delivered "$subject"
	browse "$CSP_WATCH" "open=$GM_URL/#/mailboxes/usr%40gmail.com" "wait=$READY" \
		"eval=location.hash = [...document.querySelectorAll('ol.messages li')].find(li => li.querySelector('.subject').textContent === '$subject').querySelector('a').getAttribute('href')" \
		"wait=document.body.dataset.view === 'message' && $READY" \
		"wait=document.querySelector('[data-panel=text]').textContent.includes('Hello from the console test.')" \
		"eval=document.querySelector('h1.subject').textContent" \
		"shot=message" \
		"eval=document.getElementById('tab-attachments').click()" \
		"wait=document.querySelector('.attachments a')" \
		"eval=document.querySelector('.attachments a').textContent" \
		"eval=fetch(document.querySelector('.attachments a').href).then(r => r.text())" \
		"eval=document.getElementById('tab-html').click()" \
		"wait=document.querySelector('iframe.html-part[data-loaded=yes]')" \
		"eval=document.querySelector('iframe.html-part').getAttribute('sandbox')" \
		"eval=document.title" "shot=message-html" "eval='blocked: ' + JSON.stringify(window.blocked)"
	assert_line "\"$subject\""
	assert_line '"numbers.csv"'
	assert_line '"one,two\n1,2\n"'
	# The frame's sandbox is empty (no scripts), so the mail's script did not rename the page.
	assert_line '""'
	refute_line '"escaped"'
	assert_line '"blocked: []"'
}

@test "console: the topology view draws both providers and an arrow per MX record" {
	browse "open=$EX_URL/#/topology" "wait=$READY" "wait=document.querySelector('svg.topology')" \
		"eval='providers ' + document.querySelectorAll('svg.topology .box.provider').length" \
		"eval='mx ' + document.querySelectorAll('svg.topology .link.mx').length" \
		"eval=document.querySelector('svg.topology .box.provider.self title').textContent.split('\\n')[0]" \
		"shot=topology"
	assert_line '"providers 2"'
	assert_line '"mx 3"'
	assert_line '"exmail.qq.com (this console)"'
}

@test "console: the queue shows a waiting message and its Retry button answers done" {
	local subject="queued $RANDOM$RANDOM"
	run bash -c "$(send_command "$subject" "<queued.$RANDOM@mail.sustech.edu.cn>" nobody@dead.test)"
	assert_success
	browse "open=$EX_URL/#/queue" "wait=$READY" \
		"wait=document.querySelector('table.queue tr.entry')" \
		"eval=document.querySelector('table.queue tr.recipient').textContent" \
		"eval=document.querySelector('tr.entry button[data-action=retry]').click()" \
		"wait=document.querySelector('main [role=status]').textContent === 'Retry: done'" \
		"shot=queue"
	assert_line --partial "nobody@dead.test"
}

@test "console: the journey marks a retry and a bounce where they happened" {
	local retry="<retry.$RANDOM$RANDOM@mail.sustech.edu.cn>" bounce="<bounce.$RANDOM$RANDOM@mail.sustech.edu.cn>"
	run bash -c "$(send_command "will retry" "$retry" nobody@dead.test)"
	assert_success
	run bash -c "$(send_command "will bounce" "$bounce" nosuchuser@gmail.com)"
	assert_success
	local r b
	r=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$retry")
	b=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$bounce")
	# relay.retry is 1s then 2s: the second attempt comes within a few seconds.
	browse "open=$EX_URL/#/journey/$r" "wait=$READY" \
		"wait=document.querySelector('svg.journey .note[data-type=\"relay.deferred\"]')" \
		"wait=[...document.querySelectorAll('svg.journey .note')].some(n => n.querySelector('.note-label').textContent === 'retry: attempt 2')" \
		"eval='retry after deferral ' + (() => { const steps = [...document.querySelectorAll('svg.journey .note, svg.journey .arrow')]; return steps.findIndex(n => n.dataset.type === 'relay.deferred') < steps.findIndex(n => n.querySelector('.note-label')?.textContent === 'retry: attempt 2'); })()" \
		"shot=journey-retry" \
		"eval=location.hash = '#/journey/$b'" "wait=$READY" \
		"wait=document.querySelector('svg.journey .arrow[data-type=\"dsn.created\"]')" \
		"eval=document.querySelector('svg.journey .note[data-type=\"relay.bounced\"] title').textContent" \
		"eval=document.querySelector('svg.journey .arrow[data-type=\"dsn.created\"]').dataset.to" \
		"shot=journey-bounce"
	assert_line '"retry after deferral true"'
	assert_line --regexp '^"bounced 5\.'
	assert_line '"exmail.qq.com/mailbox"'
}
