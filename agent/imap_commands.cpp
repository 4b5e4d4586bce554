// imap_commands.cpp - IMAP shell commands: send, check the reply, print it for a person.
#include "agent/imap_commands.h"

#include "common/mail/mime_text.h"
#include "agent/imap_response.h"

#include <Poco/String.h>


namespace mail {


namespace {


constexpr std::size_t MaxUidDigits = 10; ///< UIDs are 32-bit (RFC 9051 2.3.1.1)

const char* const CommandList = "stat, list, read UID, flag UID FLAG.., unflag UID FLAG.., expunge, noop, quit";
const char* const FlagNames[] = {"\\Seen", "\\Flagged", "\\Deleted", "\\Answered"};


bool isUid(const std::string& word)
{
	return !word.empty() && word.size() <= MaxUidDigits && word.find_first_not_of("0123456789") == std::string::npos
		&& std::stoull(word) > 0 && std::stoull(word) <= 0xFFFFFFFFull;
}


/// "seen", "\Seen", "SEEN" -> "\Seen"; "" for a flag the agent does not set.
std::string flagName(const std::string& word)
{
	const std::string bare = !word.empty() && word[0] == '\\' ? word.substr(1) : word;
	for (const char* name: FlagNames)
		if (Poco::icompare(bare, name + 1) == 0) return name;
	return "";
}


std::string flagsText(const FetchData& fetch)
{
	std::string text = "(";
	if (const ImapItem* flags = fetch.find("FLAGS"))
		for (const auto& flag: flags->items)
		{
			if (text.size() > 1) text += ' ';
			text += flag.text;
		}
	return text + ")";
}


std::vector<FetchData> fetched(const ImapReply& reply)
{
	std::vector<FetchData> messages;
	for (const auto& response: reply.untagged)
	{
		FetchData fetch;
		if (parseFetch(response, fetch)) messages.push_back(std::move(fetch));
	}
	return messages;
}


/// The decoded From and Subject of a BODY[HEADER.FIELDS (FROM SUBJECT)] answer.
std::string fromAndSubject(const std::string& header)
{
	std::vector<std::pair<std::string, std::string>> fields;
	std::size_t body = 0;
	readHeaderFields(header, fields, body);
	std::string from, subject;
	for (const auto& [name, value]: fields)
	{
		if (Poco::icompare(name, "From") == 0 && from.empty()) from = decodeHeaderValue(unfold(value));
		if (Poco::icompare(name, "Subject") == 0 && subject.empty()) subject = decodeHeaderValue(unfold(value));
	}
	return "From: " + Poco::trim(from) + " Subject: " + Poco::trim(subject);
}


ImapOutcome failed(const ImapReply& reply, std::ostream& out)
{
	out << reply.statusLine() << "\n";
	return ImapOutcome::Failed;
}


ImapOutcome stat(ImapClient& client, std::ostream& out)
{
	const ImapReply reply = client.command("UID FETCH 1:* (UID FLAGS RFC822.SIZE)");
	if (!reply.ok()) return failed(reply, out);
	unsigned long count = 0, bytes = 0, unseen = 0;
	for (const auto& fetch: fetched(reply))
	{
		++count;
		bytes += std::stoul("0" + fetch.text("RFC822.SIZE"));
		if (flagsText(fetch).find("\\Seen") == std::string::npos) ++unseen;
	}
	out << count << " messages (" << bytes << " bytes), " << unseen << " unseen\n";
	return ImapOutcome::Ok;
}


ImapOutcome list(ImapClient& client, std::ostream& out)
{
	const ImapReply reply = client.command("UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])");
	if (!reply.ok()) return failed(reply, out);
	for (const auto& fetch: fetched(reply))
	{
		std::string header;
		for (const auto& [name, item]: fetch.items)
			if (name.compare(0, 5, "BODY[") == 0) header = item.text;
		out << fetch.text("UID") << " " << fetch.text("RFC822.SIZE") << " " << flagsText(fetch) << " "
			<< fromAndSubject(header) << "\n";
	}
	return ImapOutcome::Ok;
}


ImapOutcome read(ImapClient& client, const std::string& uid, std::ostream& out)
{
	const ImapReply reply = client.command("UID FETCH " + uid + " (UID BODY[])");
	if (!reply.ok()) return failed(reply, out);
	for (const auto& fetch: fetched(reply))
	{
		const ImapItem* body = fetch.find("BODY[]");
		if (fetch.text("UID") != uid || !body) continue;
		out << renderMessage(body->text);
		return ImapOutcome::Ok;
	}
	out << "no message with UID " << uid << "\n";
	return ImapOutcome::Failed;
}


ImapOutcome store(ImapClient& client, const std::vector<std::string>& words, std::ostream& out)
{
	const bool add = Poco::icompare(words[0], "flag") == 0;
	std::string flags;
	for (std::size_t i = 2; i < words.size(); ++i)
	{
		const std::string name = flagName(words[i]);
		if (name.empty())
		{
			out << "unknown flag " << words[i] << " (seen, flagged, deleted or answered)\n";
			return ImapOutcome::Failed;
		}
		flags += (flags.empty() ? "" : " ") + name;
	}
	const ImapReply reply = client.command("UID STORE " + words[1] + (add ? " +FLAGS (" : " -FLAGS (") + flags + ")");
	if (!reply.ok()) return failed(reply, out);
	for (const auto& fetch: fetched(reply))
	{
		if (fetch.text("UID") != words[1]) continue;
		out << words[1] << " " << flagsText(fetch) << "\n";
		return ImapOutcome::Ok;
	}
	out << "no message with UID " << words[1] << "\n";
	return ImapOutcome::Failed;
}


ImapOutcome expunge(ImapClient& client, std::ostream& out)
{
	const ImapReply reply = client.command("EXPUNGE");
	if (!reply.ok()) return failed(reply, out);
	unsigned long removed = 0, number = 0;
	for (const auto& response: reply.untagged)
		if (parseCount(response, "EXPUNGE", number)) ++removed;
	out << removed << (removed == 1 ? " message" : " messages") << " expunged\n";
	return ImapOutcome::Ok;
}


} // namespace


std::string selectInbox(ImapClient& client)
{
	const ImapReply reply = client.command("SELECT INBOX");
	if (!reply.ok()) throw ImapError("the IMAP server " + client.server() + " refused SELECT INBOX: " + reply.statusLine());
	unsigned long exists = 0, number = 0;
	std::string note;
	for (const auto& response: reply.untagged)
	{
		if (parseCount(response, "EXISTS", number)) exists = number;
		if (Poco::icompare(response, 0, 10, "OK [INUSE]") == 0) note = " (" + Poco::trim(response.substr(10)) + ")";
	}
	if (reply.text.find("[READ-ONLY]") != std::string::npos) note += " (read-only)";
	return "INBOX: " + std::to_string(exists) + (exists == 1 ? " message" : " messages") + note;
}


ImapOutcome runImapCommand(ImapClient& client, const std::vector<std::string>& words, std::ostream& out)
{
	if (words.empty()) return ImapOutcome::Ok;
	const std::string name = Poco::toLower(words[0]);
	const std::size_t args = words.size() - 1;
	if (args >= 1 && isUid(words[1]))
	{
		std::vector<std::string> canonical = words; // "007" is UID 7, as the server writes it
		canonical[1] = std::to_string(std::stoull(words[1]));
		if (canonical[1] != words[1]) return runImapCommand(client, canonical, out);
	}
	if (name == "stat" && args == 0) return stat(client, out);
	if (name == "list" && args == 0) return list(client, out);
	if (name == "read" && args == 1 && isUid(words[1])) return read(client, words[1], out);
	if ((name == "flag" || name == "unflag") && args >= 2 && isUid(words[1])) return store(client, words, out);
	if (name == "expunge" && args == 0) return expunge(client, out);
	if ((name == "noop" || name == "quit") && args == 0)
	{
		const ImapReply reply = client.command(name == "noop" ? "NOOP" : "LOGOUT");
		out << reply.statusLine() << "\n";
		if (name == "noop") return reply.ok() ? ImapOutcome::Ok : ImapOutcome::Failed;
		client.close();
		return ImapOutcome::Quit;
	}
	if (name == "read") out << "usage: read UID\n";
	else if (name == "flag" || name == "unflag") out << "usage: " << name << " UID FLAG.. (seen, flagged, deleted, answered)\n";
	else if (name == "stat" || name == "list" || name == "expunge" || name == "noop" || name == "quit") out << "usage: " << name << "\n";
	else out << "unknown command " << words[0] << " (" << CommandList << ")\n";
	return ImapOutcome::Failed;
}


} // namespace mail
