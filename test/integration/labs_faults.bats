#!/usr/bin/env bats
# labs_faults.bats - the labs about faults on the way: dns-outage, greylisting, slow-peer, slow-link (test/lib/labs.bash says how a lab is run as a test).

load ../lib/common
load ../lib/labs

@test "lab dns-outage: no answer, then SERVFAIL: deferred, delivered when DNS is back" {
	run_lab dns-outage
}

@test "lab greylisting: 451 at the first attempt, delivered at the retry" {
	run_lab greylisting
}

@test "lab slow-peer: a stall after DATA, the relay's timeout, a retry and a duplicate" {
	run_lab slow-peer
}

@test "lab slow-link: 200 ms and 5% loss between providers (namespaces, netem)" {
	run_lab slow-link
}
