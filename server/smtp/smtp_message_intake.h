// smtp_message_intake.h - what a session holds while one message's content arrives (DATA or BDAT chunks).
#pragma once

#include "server/mail/spool_file.h"
#include "server/message/message_id.h"
#include "server/message/submission_cleanup.h"
#include "server/smtp/smtp_chunk_reader.h"

#include <memory>
#include <string>
#include <utility>


namespace mail {


struct MessageIntake
/// The spool file with the trace header written, the Message-ID tap in front of it and,
/// for our own users' submissions, the cleanup filter in front of that (relayed mail keeps
/// its header). sink is where content lines go; chunks cuts BDAT octets into those lines.
/// Lives on the heap (the filters point at each other) for one message.
{
	MessageIntake(std::unique_ptr<SpoolFile> file, bool submission, std::string date, std::string messageId,
		const DataLimits& limits):
		spool(std::move(file)),
		tap(*spool),
		cleanup(tap, std::move(date), std::move(messageId)),
		sink(submission ? static_cast<LineSink&>(cleanup) : static_cast<LineSink&>(tap)),
		chunks(limits, sink)
	{
	}
	MessageIntake(const MessageIntake&) = delete;
	MessageIntake& operator=(const MessageIntake&) = delete;

	std::unique_ptr<SpoolFile> spool;
	MessageIdTap tap;
	SubmissionCleanup cleanup;
	LineSink& sink;
	ChunkDecoder chunks;
};


} // namespace mail
