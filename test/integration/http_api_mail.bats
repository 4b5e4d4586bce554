#!/usr/bin/env bats
# http_api_mail.bats - mailboxes and messages over the JSON API against two providers:
# mail from usr1@mail.sustech.edu.cn relayed to usr@gmail.com shows in gmail.com's
# listing, decoded (quoted-printable ISO-8859-1, Windows-1252, RFC 2047 headers, a
# multipart with an attachment), waited for with ?wait=N, and deleted (409 while a POP3
# session holds the mailbox).

load ../lib/common
load ../lib/relay
load ../lib/http

setup_file() { common_setup_file && http_topology; }
teardown_file() { common_teardown_file; }

MSGS=/api/v1/mailboxes/usr@gmail.com/messages

# newest_id: the id of gmail.com's newest message for usr@gmail.com.
newest_id() { api_json "$GM_HTTP" "$MSGS" | jq -r '.messages[0].id'; }

# relay_and_open N LINE...: sends the message made of LINEs from usr1 (exmail.qq.com) to
# usr@gmail.com, waits until gmail.com holds N messages, prints the newest one's JSON.
relay_and_open() {
	local n=$1; shift
	printf '%s\n' "$@" >"$T/relayed.eml"
	send_raw "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn usr@gmail.com "$T/relayed.eml"
	api_json "$GM_HTTP" "$MSGS?wait=$n&timeout=20s" >/dev/null
	api_json "$GM_HTTP" "/api/v1/messages/$(newest_id)"
}

@test "a relayed message appears in gmail.com's listing (waited for) and its body decodes" {
	run api_json "$GM_HTTP" "$MSGS"
	[ "$(jq -r .total <<<"$output")" = 0 ]
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "hello over the relay" usr@gmail.com
	run api_json "$GM_HTTP" "$MSGS?wait=1&timeout=20s"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .total <<<"$output")" = 1 ]
	[ "$(jq -r .address <<<"$output")" = usr@gmail.com ]
	[ "$(jq -r '.messages[0].subject' <<<"$output")" = "hello over the relay" ]
	[ "$(jq -r '.messages[0].from' <<<"$output")" = usr1@mail.sustech.edu.cn ]
	[[ "$(jq -r '.messages[0].snippet' <<<"$output")" == "body of hello over the relay"* ]]
	local id
	id=$(jq -r '.messages[0].id' <<<"$output")
	run api_json "$GM_HTTP" "/api/v1/messages/$id"
	echo "$output"
	[ "$(jq -r .mailbox <<<"$output")" = usr@gmail.com ]
	[ "$(jq -r .text <<<"$output")" = "$(printf 'body of hello over the relay\n.a line starting with a dot')" ]
	[ "$(jq -r .html <<<"$output")" = null ]
	[ "$(jq -r '[.headers[].name] | index("Received") != null' <<<"$output")" = true ]
	# the mailbox listing counts it
	run api_json "$GM_HTTP" /api/v1/mailboxes
	[ "$(jq -r '.mailboxes[] | select(.address == "usr@gmail.com") | .messages' <<<"$output")" = 1 ]
	[ "$(jq -r '.mailboxes[] | select(.address == "usr@gmail.com") | .locked' <<<"$output")" = false ]
}

@test "quoted-printable ISO-8859-1 and Windows-1252 bodies and RFC 2047 subjects come out in UTF-8" {
	run relay_and_open 2 'From: usr1@mail.sustech.edu.cn' 'To: usr@gmail.com' \
		'Subject: =?ISO-8859-1?Q?Gr=FC=DFe_aus_Z=FCrich?=' 'MIME-Version: 1.0' \
		'Content-Type: text/plain; charset=ISO-8859-1' 'Content-Transfer-Encoding: quoted-printable' '' \
		'Gr=FC=DFe aus Z=FCrich, sch=F6ne W=F6che mit einer sehr langen Zeile die wei=' \
		'ter geht.'
	echo "$output"
	[ "$(jq -r .subject <<<"$output")" = "Grüße aus Zürich" ]
	[ "$(jq -r .text <<<"$output")" = "Grüße aus Zürich, schöne Wöche mit einer sehr langen Zeile die weiter geht." ]

	run relay_and_open 3 'From: usr1@mail.sustech.edu.cn' 'To: usr@gmail.com' 'Subject: =?windows-1252?B?gCAxMA==?=' \
		'Content-Type: text/plain; charset=windows-1252' 'Content-Transfer-Encoding: quoted-printable' '' \
		'Price: =8010 =96 =93quoted=94'
	echo "$output"
	[ "$(jq -r .subject <<<"$output")" = "€ 10" ]
	[ "$(jq -r .text <<<"$output")" = "Price: €10 – “quoted”" ]
}

@test "a multipart message: text and HTML decoded, the attachment listed and downloadable byte for byte" {
	head -c 3000 /dev/urandom >"$T/blob.bin"
	{
		printf '%s\n' 'From: usr1@mail.sustech.edu.cn' 'To: usr@gmail.com' 'Subject: with attachment' 'MIME-Version: 1.0' \
			'Content-Type: multipart/mixed; boundary="outer"' '' 'preamble' '--outer' \
			'Content-Type: multipart/alternative; boundary="inner"' '' '--inner' \
			'Content-Type: text/plain; charset=UTF-8' 'Content-Transfer-Encoding: base64' '' \
			"$(printf 'Plain text body, 你好' | base64)" '--inner' 'Content-Type: text/html; charset=UTF-8' '' \
			'<p>HTML <b>body</b></p>' '--inner--' '--outer' \
			'Content-Type: application/octet-stream; name="blob.bin"' \
			'Content-Disposition: attachment; filename="blob.bin"' 'Content-Transfer-Encoding: base64' ''
		base64 "$T/blob.bin"
		printf '%s\n' '--outer--'
	} >"$T/multi.eml"
	send_raw "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn usr@gmail.com "$T/multi.eml"
	api_json "$GM_HTTP" "$MSGS?wait=4&timeout=20s" >/dev/null
	local id
	id=$(newest_id)
	run api_json "$GM_HTTP" "/api/v1/messages/$id"
	echo "$output"
	[ "$(jq -r .text <<<"$output")" = "Plain text body, 你好" ]
	[ "$(jq -r .html <<<"$output")" = "<p>HTML <b>body</b></p>" ]
	[ "$(jq -r '.attachments | length' <<<"$output")" = 1 ]
	[ "$(jq -r '.attachments[0].filename' <<<"$output")" = blob.bin ]
	[ "$(jq -r '.attachments[0].content_type' <<<"$output")" = application/octet-stream ]
	[ "$(jq -r '.attachments[0].size' <<<"$output")" = 3000 ]
	local part
	part=$(jq -r '.attachments[0].part' <<<"$output")
	curl -s -D "$T/part.headers" -o "$T/part.bin" "http://127.0.0.1:$GM_HTTP/api/v1/messages/$id/parts/$part"
	cmp "$T/blob.bin" "$T/part.bin"
	grep -qi '^Content-Disposition: attachment; filename="blob.bin"' "$T/part.headers"
	grep -qi '^Content-Type: application/octet-stream' "$T/part.headers"
	# the HTML part comes sandboxed
	curl -s -D "$T/html.headers" -o /dev/null "http://127.0.0.1:$GM_HTTP/api/v1/messages/$id/parts/2"
	grep -qi '^Content-Type: text/html; charset=UTF-8' "$T/html.headers"
	grep -qi '^Content-Security-Policy: sandbox' "$T/html.headers"
	run api "$GM_HTTP" "/api/v1/messages/$id/parts/9"
	[ "${lines[-1]}" = "HTTP 404" ]
}

@test "raw is the stored file, sandboxed; q searches from, to, subject and body" {
	local id file
	id=$(newest_id)
	file=$(ls "$T"/data/gmail.com/mail/usr@gmail.com/new/"$id"*)
	curl -s -D "$T/raw.headers" -o "$T/raw.eml" "http://127.0.0.1:$GM_HTTP/api/v1/messages/$id/raw"
	cmp "$file" "$T/raw.eml"
	grep -qi '^Content-Type: message/rfc822' "$T/raw.headers"
	grep -qi '^Content-Security-Policy: sandbox' "$T/raw.headers"
	[ "$(api_json "$GM_HTTP" "$MSGS?q=z%C3%BCrich" | jq -r '.total')" = 1 ]    # "zürich", the decoded body
	[ "$(api_json "$GM_HTTP" "$MSGS?q=ATTACHMENT" | jq -r '.total')" = 1 ]     # subject, any case
	[ "$(api_json "$GM_HTTP" "$MSGS?q=sustech" | jq -r '.total')" = 4 ]        # from
	[ "$(api_json "$GM_HTTP" "$MSGS?q=no-such-text" | jq -r '.total')" = 0 ]
	run api_json "$GM_HTTP" "$MSGS?per_page=3&page=2"
	[ "$(jq -r '.total, .page, .per_page, (.messages | length)' <<<"$output" | paste -sd ' ')" = "4 2 3 1" ]
	[ "$(jq -r '.messages[0].subject' <<<"$output")" = "hello over the relay" ] # oldest last
}

# http_connected PORT: a client holds an established connection to the API on PORT.
http_connected() { ss -Htn state established "( dport = :$1 )" | grep -q .; }
# fifth_landed: usr@gmail.com's Maildir holds its fifth message.
fifth_landed() { [ "$(maildir_count usr@gmail.com gmail.com)" -ge 5 ]; }

@test "wait=N answers as soon as the Nth message arrives, and at the timeout with what there is" {
	local start elapsed
	start=$(now_ms)
	run api_json "$GM_HTTP" "$MSGS?wait=99&timeout=1s"
	elapsed=$(($(now_ms) - start))
	[ "$(jq -r .total <<<"$output")" = 4 ]
	[ "$elapsed" -ge 900 ]
	[ "$elapsed" -lt 8000 ]
	local asked landed
	asked=$(now_ms)
	api_json "$GM_HTTP" "$MSGS?wait=5&timeout=60s" >"$T/waited.json" &
	local waiter=$!
	# its request is in (a connection to the API is open), and a second later no answer yet
	wait_until 30 http_connected "$GM_HTTP"
	nap 1
	kill -0 "$waiter" # still waiting: 4 messages
	send_mail "127.0.0.1:$EX_SMTP" usr1@mail.sustech.edu.cn "the fifth" usr@gmail.com
	wait_until 120 fifth_landed
	landed=$(now_ms)
	wait "$waiter"
	elapsed=$(($(now_ms) - landed))
	echo "answered ${elapsed}ms after the fifth landed in the Maildir, $(($(now_ms) - asked))ms after the request" >&3
	# as soon as it arrives, not at the 60 s timeout: counted from where the message landed
	# (the relay may take long on a loaded machine), the answer comes within a quarter of
	# the timeout (the server looks every 0.2 s)
	[ "$elapsed" -lt 15000 ]
	[ "$(jq -r .total "$T/waited.json")" = 5 ]
	[ "$(jq -r '.messages[0].subject' "$T/waited.json")" = "the fifth" ]
	run api "$GM_HTTP" "$MSGS?wait=1&timeout=soon"
	[ "${lines[-1]}" = "HTTP 400" ]
}

@test "bad ids are 404, '..' is 400, an unknown mailbox is 404" {
	for path in /api/v1/messages/nosuchid /api/v1/messages/1234.M5P6.gmail.com /api/v1/messages/a%3Ab \
		/api/v1/messages/nosuchid/raw "/api/v1/messages/$(newest_id)x"; do
		run api "$GM_HTTP" "$path"
		echo "$path: $output"
		[ "${lines[-1]}" = "HTTP 404" ]
		[ "$(sed '$d' <<<"$output" | jq -r .error.status)" = 404 ]
	done
	run api "$GM_HTTP" /api/v1/messages/../../../etc/passwd
	[ "${lines[-1]}" = "HTTP 400" ]
	run api "$GM_HTTP" /api/v1/mailboxes/..%2F..%2Fqueue/messages
	[ "${lines[-1]}" = "HTTP 400" ]
	run api "$GM_HTTP" /api/v1/mailboxes/nobody@gmail.com/messages
	[ "${lines[-1]}" = "HTTP 404" ]
	run api "$GM_HTTP" /api/v1/mailboxes/usr1@mail.sustech.edu.cn/messages # another server's account
	[ "${lines[-1]}" = "HTTP 404" ]
}

# deleted ID: DELETE /api/v1/messages/ID answered 2xx (the body in $T/deleted.json).
deleted() { api_json "$GM_HTTP" "/api/v1/messages/$1" -X DELETE >"$T/deleted.json" 2>/dev/null; }

@test "DELETE is refused (409) while a POP3 session holds the mailbox, then deletes" {
	local id
	id=$(newest_id)
	hold_pop3 reader "$GM_POP" usr@gmail.com pass
	run api_json "$GM_HTTP" /api/v1/mailboxes
	[ "$(jq -r '.mailboxes[] | select(.address == "usr@gmail.com") | .locked' <<<"$output")" = true ]
	run api "$GM_HTTP" "/api/v1/messages/$id" -X DELETE
	echo "$output"
	[ "${lines[-1]}" = "HTTP 409" ]
	[[ "$(sed '$d' <<<"$output" | jq -r .error.message)" == *"POP3"* ]]
	run api "$GM_HTTP" "$MSGS" -X DELETE
	[ "${lines[-1]}" = "HTTP 409" ]
	[ "$(maildir_count usr@gmail.com gmail.com)" = 5 ]
	stop_one reader
	# the server notices the dropped session and releases the lock: until then 409
	wait_until 30 deleted "$id"
	output=$(cat "$T/deleted.json")
	echo "$output"
	[ "$(jq -r '.deleted | join(",")' <<<"$output")" = "$id" ]
	[ "$(maildir_count usr@gmail.com gmail.com)" = 4 ]
	run api "$GM_HTTP" "/api/v1/messages/$id"
	[ "${lines[-1]}" = "HTTP 404" ]
	run api_json "$GM_HTTP" "$MSGS" -X DELETE
	[ "$(jq -r '.deleted | length' <<<"$output")" = 4 ]
	[ "$(maildir_count usr@gmail.com gmail.com)" = 0 ]
	[ "$(api_json "$GM_HTTP" "$MSGS" | jq -r .total)" = 0 ]
}
