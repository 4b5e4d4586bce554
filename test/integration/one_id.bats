#!/usr/bin/env bats
# one_id.bats - one id per accepted message (issue 24): the id of the 250 reply ("queued
# as ID") is the name the relay queue and `mail-server queue` list it by, the id of the
# relay's log lines, the queue_id of every event of the message, and part of the Maildir
# file name; the peer's 250 to the relay names the peer's id, which its Maildir file and
# events carry. Followed for a message with a Message-ID (a local user's submission) and
# one without (from a foreign sender, relayed for a relay_domains domain, so nobody adds one).

load ../lib/common
load ../lib/relay
load ../lib/http

queue_cmd() { "$MAIL_BIN/mail-server" -n exmail.qq.com --conf "$CONF" --data "$T/data" queue "$@"; }

# send_for_id FROM SUBJECT [MESSAGE-ID]: usr@gmail.com gets a message through
# exmail.qq.com; prints the id of the 250 reply to DATA.
send_for_id() {
	python3 - "$EX_SMTP" "$@" <<'PY'
import re, smtplib, sys
port, sender, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3]
mid = "Message-ID: %s\r\n" % sys.argv[4] if len(sys.argv) > 4 else ""
s = smtplib.SMTP("127.0.0.1", port, "one-id-test", timeout=10)
s.ehlo()
assert s.mail(sender)[0] == 250
assert s.rcpt("usr@gmail.com")[0] == 250
code, text = s.data(("From: %s\r\nTo: usr@gmail.com\r\nSubject: %s\r\n%s\r\nbody\r\n" % (sender, subject, mid)).encode())
assert code == 250, (code, text)
s.quit()
print(re.search(r"queued as ([0-9a-f]+)", text.decode()).group(1))
PY
}

setup_file() {
	common_setup_file
	make_topology
	sed -i 's/^  retry: .*/  retry: [10m]/' "$CONF"
	# exmail.qq.com is a backup MX for gmail.com: anyone may send there through it.
	sed -i "s/^    smtp: $EX_SMTP\$/&\n    relay_domains: [gmail.com]/" "$CONF"
	add_http_ports
	start_dns
	start_server exmail.qq.com
	wait_port "$EX_HTTP" 30
	# gmail.com down: both wait in the queue (there from their 250 on), where the listing names them.
	echo "one-id.$RANDOM@mail.sustech.edu.cn" >"$T/with.mid"
	send_for_id usr1@mail.sustech.edu.cn "with id" "<$(cat "$T/with.mid")>" >"$T/with.id"
	send_for_id someone@elsewhere.example "without id" >"$T/without.id"
	queue_cmd --json >"$T/queue.json"
	ls "$T/data/exmail.qq.com/queue" >"$T/queue.files"
	start_server gmail.com
	wait_port "$GM_HTTP" 30
	queue_cmd retry --all
	wait_count usr@gmail.com gmail.com 2 60 >/dev/null
}

teardown_file() { common_teardown_file; }

# follow ID JOURNEY-KEY: checks every place the message of ID (the 250's) is named.
follow() {
	local id=$1 key=$2 peer file
	# The queue listing and the queue's files name it by that id.
	python3 -c 'import json, sys; q = json.load(open(sys.argv[1])); assert sys.argv[2] in [m["id"] for m in q["messages"]], q' "$T/queue.json" "$id"
	grep -q "^$id\." "$T/queue.files"
	# The relay's log lines start with it; the peer's 250 names the peer's id.
	wait_log exmail.qq.com "$id relay delivered to=<usr@gmail.com>.*queued as [0-9a-f]+" 30
	peer=$(grep -E " $id relay delivered" "$T/exmail.qq.com.log" | sed -E 's/.*queued as ([0-9a-f]+).*/\1/' | head -n 1)
	[ -n "$peer" ]
	# The peer stored it under a file name that carries the peer's id.
	file=$(basename "$(ls "$T"/data/gmail.com/mail/usr@gmail.com/new/*"_${peer}_"* "$T"/data/gmail.com/mail/usr@gmail.com/cur/*"_${peer}_"* 2>/dev/null | head -n 1)")
	[ -n "$file" ]
	# Every event of the journey carries one of the two ids, and the journey has each leg.
	wait_grep "$T/data/gmail.com/events.jsonl" "\"queue_id\":\"$peer\".*message.delivered|message.delivered.*\"queue_id\":\"$peer\"" 30
	api_json "$EX_HTTP" "/api/v1/journey/$key" >"$T/journey.$id.json"
	python3 - "$T/journey.$id.json" "$id" "$peer" "$file" <<'PY'
import json, sys
path, id, peer, file = sys.argv[1:5]
events = json.load(open(path))["events"]
got = [(e["server"], e["type"], e.get("queue_id")) for e in events]
for e in events:
    if e["type"].split(".")[0] in ("message", "relay", "dns", "dsn"):
        assert e.get("queue_id") in (id, peer), ("event without the id", e)
    else:  # the events of the sessions that carried it, linked by session
        assert e["type"].split(".")[0] in ("session", "smtp"), e
want = [("exmail.qq.com", "message.accepted", id), ("exmail.qq.com", "message.queued", id),
        ("exmail.qq.com", "dns.lookup", id), ("exmail.qq.com", "relay.attempt", id),
        ("exmail.qq.com", "relay.delivered", id),
        ("gmail.com", "message.accepted", peer), ("gmail.com", "message.delivered", peer)]
for w in want:
    assert w in got, ("missing", w, got)
attempts = [e for e in events if e["type"] == "relay.attempt" and e.get("remote_id") == peer]
assert len(attempts) == 1, attempts
assert [e["file"] for e in events if e["type"] == "message.delivered"] == [file], (file, events)
accepted = [e for e in events if e["type"] == "message.accepted" and e["server"] == "exmail.qq.com"]
assert accepted[0]["reply"].endswith("queued as " + id), accepted
PY
}

@test "a message with a Message-ID: one id from the 250 through queue, relay log, peer's Maildir and journey" {
	follow "$(cat "$T/with.id")" "$(cat "$T/with.mid")"
}

@test "a message without a Message-ID keeps its relay leg: the same id all the way, its journey found by that id" {
	local id
	id=$(cat "$T/without.id")
	# as stored at the peer: no Message-ID was added on the way
	grep -l '^Subject: without id' "$T"/data/gmail.com/mail/usr@gmail.com/new/* >"$T/without.file"
	run grep -ci '^Message-ID:' "$(cat "$T/without.file")"
	assert_output 0
	follow "$id" "$id"
}
