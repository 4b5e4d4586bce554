#!/usr/bin/env bash
# bounce.sh - three permanent failures, three delivery-failure reports (RFC 3464).
. "$(dirname "$0")/lib.sh"

lab_begin bounce <<'TEXT'
When a relay cannot deliver and knows it never will (a 5xx reply, a domain that does not
exist), it does not keep the message: it sends a delivery-failure report (a "bounce",
RFC 3464 multipart/report) back to the envelope sender. The report names the recipient
(Final-Recipient), what happened (Action: failed), an RFC 3463 enhanced status code
(Status: 5.x.y) and the remote server's own words (Diagnostic-Code).
usr1@mail.sustech.edu.cn (at exmail.qq.com) sends three messages that cannot arrive:
  1. to an unknown user at gmail.com: gmail.com answers 550 5.1.1 at RCPT;
  2. to a domain mail-dns does not know: the MX query answers NXDOMAIN (5.1.2);
  3. to usr@gmail.com, but larger than gmail.com's limits.max_message_size: 552 5.3.4.
Each brings a report into usr1's mailbox.
TEXT

GMAIL_EXTRA='    limits:
      max_message_size: 4096'
lab_topology
lab_start
me=usr1@mail.sustech.edu.cn

step "gmail.com accepts at most 4096 octets (limits.max_message_size; EHLO announces SIZE 4096)"
lab_ehlo "127.0.0.1:$GM_SMTP" | grep SIZE | show

step "1. $me -> nobody@gmail.com (no such account at gmail.com)"
lab_send "127.0.0.1:$EX_SMTP" "$me" nobody@gmail.com "to an unknown user" | show
step "2. $me -> someone@no-such-domain.example (no such domain)"
lab_send "127.0.0.1:$EX_SMTP" "$me" someone@no-such-domain.example "to an unknown domain" | show
step "3. $me -> usr@gmail.com with 20 KB of text"
lab_send "127.0.0.1:$EX_SMTP" "$me" usr@gmail.com "too big for gmail.com" 20000 | show
echo "    (exmail.qq.com accepts it: its own limit is the default 10 MB)"

step "exmail.qq.com's relay tries each, gets a permanent answer and bounces (its log)"
lab_wait 15 has_mail exmail.qq.com "$me" 3
log_of exmail.qq.com 'relay (bounced|dsn-delivered)' | show
echo "    gmail.com's side (its log):"
log_of gmail.com ' reject ' | show

for rcpt in nobody@gmail.com someone@no-such-domain.example usr@gmail.com; do
	step "the report about $rcpt in $me's mailbox"
	if f=$(dsn_for exmail.qq.com "$me" "$rcpt"); then dsn_summary "$f" | show; else echo "    (none)"; fi
done

step "why the 552 came at MAIL FROM: the relay announced the size (SIZE=, RFC 1870)"
log_of gmail.com ' reject code=552' | show
echo "    a client that does not announce it (Python's smtplib here, straight to gmail.com)"
echo "    gets the 552 after the end of data: gmail.com reads the data to the end, then refuses:"
direct=$(lab_send "127.0.0.1:$GM_SMTP" someone@elsewhere.example usr@gmail.com "sent without SIZE=" 20000)
show <<<"$direct"

echo
has_status() { f=$(dsn_for exmail.qq.com "$me" "$1") && grep -q "^Status: $2" "$f" && grep -q '^Diagnostic-Code: ' "$f" && grep -q '^Action: failed' "$f"; }
is_report() { f=$(dsn_for exmail.qq.com "$me" "$1") && grep -qi 'Content-Type: multipart/report; *report-type=delivery-status' "$f"; }
check "unknown user: a report with Status 5.1.1 and the 550 as Diagnostic-Code" has_status nobody@gmail.com 5.1.1
check "unknown domain: a report with Status 5.1.2" has_status someone@no-such-domain.example 5.1.2
check "too big: a report with Status 5.3.4" has_status usr@gmail.com 5.3.4
check "each report is an RFC 3464 multipart/report" is_report usr@gmail.com
check "without SIZE= the refusal is 552 5.3.4 after the data" grep -q '^552 5.3.4' <<<"$direct"
check "nothing reached usr@gmail.com" test "$(mailbox_count gmail.com usr@gmail.com)" -eq 0
lab_end
