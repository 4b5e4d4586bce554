#!/usr/bin/env bats
# labs_delivery.bats - the labs about what becomes of a message: bounce, expiry, backup-mx, loop (test/lib/labs.bash says how a lab is run as a test).

load ../lib/common
load ../lib/labs

@test "lab bounce: unknown user, unknown domain and a size refusal each bring a report" {
	run_lab bounce
}

@test "lab expiry: a peer answering 4xx forever; a 4.4.7 report at relay.expire" {
	run_lab expiry
}

@test "lab backup-mx: the backup takes the mail while the primary is down and forwards it" {
	run_lab backup-mx
}

@test "lab loop: two providers relaying a domain to each other; relay.max_hops cuts it" {
	run_lab loop
}
