#!/usr/bin/env bash
# slow-link.sh - 200 ms delay and 5% loss between two providers (namespaces, netem): mail still arrives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../netns.sh"

lab_begin slow-link <<'TEXT'
Real links are slow and lose packets; TCP hides both from SMTP: it retransmits what was
lost and the dialogue just takes longer. gmail.com runs here in a network namespace of its
own, joined to the host by a virtual Ethernet pair (veth); tc's netem queue on the host's
end delays every packet towards gmail.com by 200 ms and drops 5% of them. The agent's
ping and trace show the delay; a message from exmail.qq.com (on the host end) still
arrives, only later. Needs root (namespaces) and the kernel's netem queueing discipline
(sch_netem); without either the lab says so and is skipped.
TEXT

[ "$(id -u)" = 0 ] || lab_skip "network namespaces need root"
NS="maillab-$$"
VETH="vl$$h"
ip netns add "$NS" 2>/dev/null || lab_skip "cannot create network namespaces here (ip netns add failed)"
lab_on_exit "ip netns pids $NS | xargs -r kill -9; ip netns del $NS; ip link del $VETH"
for n in $(shuf -i 1-254); do ip -4 addr show | grep -q "10\.252\.$n\." || break; done
HOST_IP=10.252.$n.1 NS_IP=10.252.$n.2
netns_link "$NS" "$VETH" "vl$$n" "$HOST_IP" "$NS_IP"
if ! err=$(tc qdisc add dev "$VETH" root netem delay 200ms loss 5% 2>&1); then
	lab_skip "this kernel has no netem queueing discipline (tc: ${err:-failed}; module sch_netem)"
fi

lab_topology
netns_split "$LAB/mail.yaml" "$LAB/zone.yaml" "$HOST_IP" "$NS_IP"
lab_start mail-dns exmail.qq.com
ip netns exec "$NS" "$bin/mail-server" -n gmail.com --conf "$LAB/mail.yaml" --data "$LAB/data" >"$LAB/data/gmail.com.log" 2>&1 &
echo $! >"$LAB/data/gmail.com.pid"
lab_wait 15 ip netns exec "$NS" nc -z -w 1 "$NS_IP" "$GM_SMTP" || { echo "FAIL: gmail.com did not start"; cat "$LAB/data/gmail.com.log"; exit 1; }
me=usr1@mail.sustech.edu.cn

step "the link: tc qdisc on the host's end of the veth pair"
tc qdisc show dev "$VETH" | show

step "mail-agent ping $NS_IP (gmail.com's address) from the host"
ping_out=$(timeout 20 "$bin/mail-agent" --conf "$LAB/mail.yaml" ping "$NS_IP" -c 10 -i 0.2 -W 2 2>&1)
show <<<"$ping_out"
avg=$(sed -nE 's#.*= [0-9.]+/([0-9.]+)/.*#\1#p' <<<"$ping_out" | cut -d. -f1)

step "mail-agent trace $NS_IP"
timeout 20 "$bin/mail-agent" --conf "$LAB/mail.yaml" trace "$NS_IP" --max-hops 3 -W 2 2>&1 | show

step "$me -> usr@gmail.com across the slow link"
start=$(date +%s%N)
lab_send "$HOST_IP:$EX_SMTP" "$me" usr@gmail.com "over a slow link" | show
lab_wait 25 has_mail gmail.com usr@gmail.com 1
took=$((($(date +%s%N) - start) / 1000000))
log_of exmail.qq.com 'relay (delivered|deferred)' | show
echo "    from the submission to gmail.com's Maildir: $took ms"

echo
check "ping's average round trip shows the 200 ms delay (${avg:-?} ms)" test "${avg:-0}" -ge 190
check "the message arrived in usr@gmail.com's mailbox" has_mail gmail.com usr@gmail.com 1
lab_end
