// imap_fuzz.cpp - libFuzzer target: the IMAP command parser, sequence sets, literal detection,
// and FETCH's MIME reading (structure, sections, ENVELOPE, BODYSTRUCTURE) on any bytes.
//
// Any input must parse without crashing, into an error or a command with a tag and a
// name; a sequence set that parses holds only numbers 1..2^32-2 or *; every section of the
// structure read from the input lies inside the input.
#include "server/imap/imap_command.h"
#include "server/imap/imap_message.h"
#include "server/imap/imap_reader.h"

#include <cstdlib>
#include <string>


namespace {


void check(bool condition)
{
	if (!condition) std::abort();
}


void walk(const std::string& text, const mail::ImapPart& part, int depth)
{
	check(part.headerStart <= part.bodyStart && part.bodyStart <= part.end && part.end <= text.size());
	check(depth <= 22);
	for (const mail::ImapPart& child: part.children) walk(text, child, depth + 1);
}


} // namespace


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	const std::string input(reinterpret_cast<const char*>(data), size);

	const mail::ImapCommand cmd = mail::parseImapCommand(input);
	check(cmd.ok() ? !cmd.tag.empty() && !cmd.name.empty() : !cmd.error.empty());

	mail::ImapSequenceSet set;
	if (mail::parseSequenceSet(input, set))
	{
		for (const auto& range: set) check(range.first >= 1 && range.first <= range.second);
		(void)mail::inSequenceSet(set, 1, 1);
	}
	std::size_t literal = 0;
	bool sync = false;
	if (mail::literalAtEnd(input, literal, sync)) check(literal <= 0xffffffffu);

	const mail::ImapPart root = mail::parseImapPart(input, 0, input.size());
	walk(input, root, 0);
	(void)mail::imapBodyStructure(input, root, true);
	(void)mail::imapEnvelope(input, root);
	std::string out;
	for (const char* section: {"", "HEADER", "TEXT", "1", "1.MIME", "2.1", "1.HEADER", "HEADER.FIELDS (FROM TO)", "HEADER.FIELDS.NOT (X)"})
	{
		if (mail::imapSection(input, root, section, out)) check(out.size() <= input.size() + 2);
	}
	// The input as a section name, against a small fixed message.
	static const std::string kMessage = "Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b--\r\n";
	static const mail::ImapPart kRoot = mail::parseImapPart(kMessage, 0, kMessage.size());
	if (mail::imapSection(kMessage, kRoot, input, out)) check(out.size() <= kMessage.size() + 2);
	return 0;
}
