// imap_message.cpp - what FETCH reads from one message: MIME structure, sections, ENVELOPE, BODYSTRUCTURE.
#include "server/imap/imap_message.h"

#include <Poco/String.h>

#include <cstring>
#include <strings.h>


namespace mail {


namespace {


constexpr int kMaxDepth = 20;


std::size_t headerEnd(const std::string& text, std::size_t start, std::size_t end, std::size_t& bodyStart)
/// Where the header of the entity at start ends (before the blank line); bodyStart after it.
{
	if (text.compare(start, 2, "\r\n") == 0 && start + 2 <= end)
	{
		bodyStart = start + 2;
		return start;
	}
	std::size_t pos = start;
	while (pos < end)
	{
		const std::size_t blank = text.find("\r\n\r\n", pos);
		if (blank == std::string::npos || blank + 4 > end) break;
		bodyStart = blank + 4;
		return blank + 2;
	}
	bodyStart = end;
	return end;
}


struct Field
{
	std::string name;
	std::string value;       ///< unfolded
	std::size_t start, stop; ///< the raw field with its CRLF
};


std::vector<Field> fields(const std::string& text, std::size_t start, std::size_t end)
{
	std::vector<Field> out;
	std::size_t pos = start;
	while (pos < end)
	{
		std::size_t eol = text.find("\r\n", pos);
		if (eol == std::string::npos || eol >= end) eol = end;
		std::size_t next = std::min(eol + 2, end);
		const bool continuation = text[pos] == ' ' || text[pos] == '\t';
		if (continuation && !out.empty())
		{
			out.back().value += text.substr(pos, eol - pos);
			out.back().stop = next;
		}
		else
		{
			const std::size_t colon = text.find(':', pos);
			Field field;
			field.start = pos;
			field.stop = next;
			if (colon != std::string::npos && colon < eol)
			{
				field.name = Poco::trim(text.substr(pos, colon - pos));
				field.value = text.substr(colon + 1, eol - colon - 1);
			}
			out.push_back(std::move(field));
		}
		pos = next;
	}
	for (Field& field: out) field.value = Poco::trim(field.value);
	return out;
}


std::string unquote(const std::string& value)
{
	std::string v = Poco::trim(value);
	if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
	{
		std::string out;
		for (std::size_t i = 1; i + 1 < v.size(); ++i)
		{
			if (v[i] == '\\' && i + 2 < v.size()) ++i;
			out += v[i];
		}
		return out;
	}
	return v;
}


std::vector<std::string> splitOutsideQuotes(const std::string& text, char separator)
{
	std::vector<std::string> parts(1);
	bool quoted = false;
	int angle = 0, comment = 0;
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		const char c = text[i];
		if (c == '\\' && quoted && i + 1 < text.size())
		{
			parts.back() += c;
			parts.back() += text[++i];
			continue;
		}
		if (c == '"') quoted = !quoted;
		else if (!quoted && c == '<') ++angle;
		else if (!quoted && c == '>' && angle > 0) --angle;
		else if (!quoted && c == '(') ++comment;
		else if (!quoted && c == ')' && comment > 0) --comment;
		else if (!quoted && angle == 0 && comment == 0 && c == separator)
		{
			parts.emplace_back();
			continue;
		}
		parts.back() += c;
	}
	return parts;
}


void parseParams(const std::string& value, std::string& main, std::vector<std::pair<std::string, std::string>>& params)
{
	const std::vector<std::string> pieces = splitOutsideQuotes(value, ';');
	main = Poco::trim(pieces[0]);
	for (std::size_t i = 1; i < pieces.size(); ++i)
	{
		const std::size_t eq = pieces[i].find('=');
		if (eq == std::string::npos) continue;
		const std::string name = Poco::toUpper(Poco::trim(pieces[i].substr(0, eq)));
		if (name.empty()) continue;
		params.emplace_back(name, unquote(pieces[i].substr(eq + 1)));
	}
}


std::string paramValue(const ImapPart& part, const char* name)
{
	for (const auto& param: part.params)
	{
		if (param.first == name) return param.second;
	}
	return std::string();
}


std::string paramList(const std::vector<std::pair<std::string, std::string>>& params)
{
	if (params.empty()) return "NIL";
	std::string out = "(";
	for (const auto& param: params)
	{
		if (out.size() > 1) out += ' ';
		out += imapNString(param.first) + ' ' + imapNString(param.second);
	}
	return out + ")";
}


std::string nilOr(const std::string& value)
{
	return value.empty() ? "NIL" : imapNString(value);
}


std::size_t countLines(const std::string& text, std::size_t start, std::size_t end)
/// A last line without its CRLF counts (a part's CRLF before the boundary belongs to the boundary).
{
	std::size_t lines = 0;
	for (std::size_t i = start; i + 1 < end; ++i)
	{
		if (text[i] == '\r' && text[i + 1] == '\n') ++lines;
	}
	if (end > start && (end - start < 2 || text.compare(end - 2, 2, "\r\n") != 0)) ++lines;
	return lines;
}


std::string addressList(const std::string& value)
/// An ENVELOPE address list: ((name adl mailbox host) ...), or NIL.
{
	if (Poco::trim(value).empty()) return "NIL";
	std::string out;
	for (std::string item: splitOutsideQuotes(value, ','))
	{
		item = Poco::trim(item);
		// A group "name: a, b;" loses its name: its members are still listed.
		const std::size_t colon = item.find(':');
		if (colon != std::string::npos && item.find('"') > colon && item.find('<') > colon) item = Poco::trim(item.substr(colon + 1));
		if (!item.empty() && item.back() == ';') item.pop_back();
		item = Poco::trim(item);
		if (item.empty()) continue;
		std::string name, address;
		const std::size_t open = item.rfind('<');
		const std::size_t close = item.rfind('>');
		if (open != std::string::npos && close != std::string::npos && close > open)
		{
			name = unquote(item.substr(0, open));
			address = Poco::trim(item.substr(open + 1, close - open - 1));
		}
		else
		{
			const std::size_t paren = item.find('(');
			address = Poco::trim(item.substr(0, paren));
			if (paren != std::string::npos) name = Poco::trim(item.substr(paren + 1, item.rfind(')') - paren - 1));
		}
		const std::size_t at = address.rfind('@');
		const std::string mailbox = at == std::string::npos ? address : address.substr(0, at);
		const std::string host = at == std::string::npos ? std::string() : address.substr(at + 1);
		out += "(" + nilOr(name) + " NIL " + nilOr(mailbox) + " " + nilOr(host) + ")";
	}
	return out.empty() ? "NIL" : "(" + out + ")";
}


const ImapPart* findPart(const ImapPart& root, const std::string& numbers, std::size_t& pos)
/// Follows "1.2.3" from root; pos ends after the last number (and its dot, if more follows).
{
	const ImapPart* part = &root;
	while (pos < numbers.size() && numbers[pos] >= '0' && numbers[pos] <= '9')
	{
		std::size_t n = 0;
		std::size_t digits = 0;
		while (pos < numbers.size() && numbers[pos] >= '0' && numbers[pos] <= '9' && digits < 6)
		{
			n = n * 10 + static_cast<std::size_t>(numbers[pos] - '0');
			++pos;
			++digits;
		}
		if (n == 0) return nullptr;
		// A message/rfc822 part's numbers go into the message it holds.
		if (part->message() && !part->children.empty()) part = &part->children[0];
		if (part->multipart())
		{
			if (n > part->children.size()) return nullptr;
			part = &part->children[n - 1];
		}
		else if (n != 1)
		{
			return nullptr;
		}
		if (pos < numbers.size() && numbers[pos] == '.') ++pos;
	}
	return part;
}


bool headerFields(const std::string& text, const ImapPart& part, const std::string& list, bool exclude, std::string& out)
{
	const std::size_t open = list.find('(');
	const std::size_t close = list.rfind(')');
	if (open == std::string::npos || close == std::string::npos || close < open) return false;
	std::vector<std::string> names;
	for (std::string name: splitOutsideQuotes(list.substr(open + 1, close - open - 1), ' '))
	{
		name = unquote(name);
		if (!name.empty()) names.push_back(name);
	}
	if (names.empty()) return false;
	std::size_t bodyStart = 0;
	const std::size_t end = headerEnd(text, part.headerStart, part.end, bodyStart);
	for (const Field& field: fields(text, part.headerStart, end))
	{
		bool listed = false;
		for (const std::string& name: names) listed = listed || strcasecmp(name.c_str(), field.name.c_str()) == 0;
		if (listed != exclude && !field.name.empty()) out.append(text, field.start, field.stop - field.start);
	}
	out += "\r\n";
	return true;
}


} // namespace


std::string imapLiteral(const std::string& value)
{
	return "{" + std::to_string(value.size()) + "}\r\n" + value;
}


std::string imapNString(const std::string& value)
{
	for (const char c: value)
	{
		const unsigned char u = static_cast<unsigned char>(c);
		if (u < 0x20 || u >= 0x7f) return imapLiteral(value);
	}
	std::string out = "\"";
	for (const char c: value)
	{
		if (c == '"' || c == '\\') out += '\\';
		out += c;
	}
	return out + "\"";
}


std::string imapHeaderValue(const std::string& text, std::size_t start, std::size_t end, const std::string& name)
{
	std::size_t bodyStart = 0;
	const std::size_t stop = headerEnd(text, start, end, bodyStart);
	for (const Field& field: fields(text, start, stop))
	{
		if (strcasecmp(field.name.c_str(), name.c_str()) == 0) return field.value;
	}
	return std::string();
}


ImapPart parseImapPart(const std::string& text, std::size_t start, std::size_t end, bool digestDefault, int depth)
{
	ImapPart part;
	part.headerStart = start;
	part.end = end;
	const std::size_t stop = headerEnd(text, start, end, part.bodyStart);
	if (digestDefault)
	{
		part.type = "message";
		part.subtype = "rfc822";
	}
	for (const Field& field: fields(text, start, stop))
	{
		const char* name = field.name.c_str();
		if (strcasecmp(name, "Content-Type") == 0)
		{
			std::string main;
			part.params.clear();
			parseParams(field.value, main, part.params);
			const std::size_t slash = main.find('/');
			if (slash != std::string::npos && slash > 0 && slash + 1 < main.size())
			{
				part.type = Poco::toLower(Poco::trim(main.substr(0, slash)));
				part.subtype = Poco::toLower(Poco::trim(main.substr(slash + 1)));
			}
		}
		else if (strcasecmp(name, "Content-ID") == 0) part.id = field.value;
		else if (strcasecmp(name, "Content-Description") == 0) part.description = field.value;
		else if (strcasecmp(name, "Content-Transfer-Encoding") == 0) part.encoding = Poco::toUpper(field.value);
		else if (strcasecmp(name, "Content-MD5") == 0) part.md5 = field.value;
		else if (strcasecmp(name, "Content-Language") == 0) part.language = field.value;
		else if (strcasecmp(name, "Content-Location") == 0) part.location = field.value;
		else if (strcasecmp(name, "Content-Disposition") == 0)
		{
			parseParams(field.value, part.disposition, part.dispositionParams);
		}
	}
	if (part.type == "text" && paramValue(part, "CHARSET").empty() && part.params.empty())
		part.params.emplace_back("CHARSET", "us-ascii");
	if (depth >= kMaxDepth) return part;
	if (part.multipart())
	{
		const std::string boundary = paramValue(part, "BOUNDARY");
		if (boundary.empty()) return part;
		const std::string delimiter = "--" + boundary;
		const bool digest = part.subtype == "digest";
		// Each delimiter line starts a line; a part ends at the CRLF before the next one.
		std::size_t pos = part.bodyStart;
		std::size_t partStart = std::string::npos;
		while (pos < end)
		{
			const std::size_t found = text.find(delimiter, pos);
			if (found == std::string::npos || found + delimiter.size() > end) break;
			const bool lineStart = found == part.bodyStart || (found >= 2 && text.compare(found - 2, 2, "\r\n") == 0);
			if (!lineStart)
			{
				pos = found + 1;
				continue;
			}
			const bool closing = text.compare(found + delimiter.size(), 2, "--") == 0;
			if (partStart != std::string::npos)
			{
				const std::size_t partEnd = found == part.bodyStart ? found : found - 2;
				part.children.push_back(parseImapPart(text, partStart, std::max(partStart, partEnd), digest, depth + 1));
			}
			if (closing) break;
			const std::size_t eol = text.find("\r\n", found);
			if (eol == std::string::npos || eol + 2 > end) break;
			partStart = eol + 2;
			pos = partStart;
		}
	}
	else if (part.message())
	{
		part.children.push_back(parseImapPart(text, part.bodyStart, end, false, depth + 1));
	}
	return part;
}


std::string imapEnvelope(const std::string& text, const ImapPart& part)
{
	std::size_t bodyStart = 0;
	const std::size_t stop = headerEnd(text, part.headerStart, part.end, bodyStart);
	const std::vector<Field> all = fields(text, part.headerStart, stop);
	const auto value = [&](const char* name) {
		for (const Field& field: all)
		{
			if (strcasecmp(field.name.c_str(), name) == 0) return field.value;
		}
		return std::string();
	};
	const std::string from = addressList(value("From"));
	const std::string sender = value("Sender").empty() ? from : addressList(value("Sender"));
	const std::string replyTo = value("Reply-To").empty() ? from : addressList(value("Reply-To"));
	return "(" + nilOr(value("Date")) + " " + nilOr(value("Subject")) + " " + from + " " + sender + " " + replyTo + " "
		+ addressList(value("To")) + " " + addressList(value("Cc")) + " " + addressList(value("Bcc")) + " "
		+ nilOr(value("In-Reply-To")) + " " + nilOr(value("Message-ID")) + ")";
}


std::string imapBodyStructure(const std::string& text, const ImapPart& part, bool extended)
{
	std::string out = "(";
	if (part.multipart())
	{
		for (const ImapPart& child: part.children) out += imapBodyStructure(text, child, extended);
		if (part.children.empty()) out += "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)";
		out += " " + imapNString(part.subtype);
		if (extended)
		{
			out += " " + paramList(part.params);
			out += " " + (part.disposition.empty() ? std::string("NIL") : "(" + imapNString(part.disposition) + " " + paramList(part.dispositionParams) + ")");
			out += " " + nilOr(part.language) + " " + nilOr(part.location);
		}
		return out + ")";
	}
	const std::size_t size = part.end - part.bodyStart;
	out += imapNString(part.type) + " " + imapNString(part.subtype) + " " + paramList(part.params) + " " + nilOr(part.id)
		+ " " + nilOr(part.description) + " " + imapNString(part.encoding) + " " + std::to_string(size);
	if (part.message() && !part.children.empty())
	{
		const ImapPart& inner = part.children[0];
		out += " " + imapEnvelope(text, inner) + " " + imapBodyStructure(text, inner, extended) + " "
			+ std::to_string(countLines(text, part.bodyStart, part.end));
	}
	else if (part.type == "text")
	{
		out += " " + std::to_string(countLines(text, part.bodyStart, part.end));
	}
	if (extended)
	{
		out += " " + nilOr(part.md5);
		out += " " + (part.disposition.empty() ? std::string("NIL") : "(" + imapNString(part.disposition) + " " + paramList(part.dispositionParams) + ")");
		out += " " + nilOr(part.language) + " " + nilOr(part.location);
	}
	return out + ")";
}


bool imapSection(const std::string& text, const ImapPart& root, const std::string& sectionText, std::string& out)
{
	out.clear();
	const std::string section = Poco::toUpper(sectionText);
	std::size_t pos = 0;
	const ImapPart* part = findPart(root, section, pos);
	const bool numbered = pos > 0;
	if (!part)
	{
		// A part the message does not have: empty, as Dovecot answers (the client asked
		// from a stale BODYSTRUCTURE or guessed).
		return section.find_first_not_of("0123456789.") == std::string::npos || section.find(".MIME") != std::string::npos
			|| section.find(".HEADER") != std::string::npos || section.find(".TEXT") != std::string::npos;
	}
	const std::string rest = section.substr(pos);
	// HEADER and TEXT of a numbered part are those of the message/rfc822 it is.
	const ImapPart* message = part;
	if (numbered && part->message() && !part->children.empty()) message = &part->children[0];
	if (rest.empty())
	{
		if (!numbered)
		{
			out = text.substr(root.headerStart, root.end - root.headerStart);
			return true;
		}
		out = text.substr(part->bodyStart, part->end - part->bodyStart);
		return true;
	}
	if (rest == "MIME")
	{
		if (!numbered) return false;
		std::size_t bodyStart = 0;
		const std::size_t stop = headerEnd(text, part->headerStart, part->end, bodyStart);
		out = text.substr(part->headerStart, stop - part->headerStart) + "\r\n";
		return true;
	}
	if (numbered && !part->message()) return false; // HEADER/TEXT only of a message
	if (rest == "HEADER")
	{
		out = text.substr(message->headerStart, message->bodyStart - message->headerStart);
		if (message->bodyStart == message->end && text.compare(message->end >= 2 ? message->end - 2 : 0, 2, "\r\n") != 0) out += "\r\n";
		return true;
	}
	if (rest == "TEXT")
	{
		out = text.substr(message->bodyStart, message->end - message->bodyStart);
		return true;
	}
	if (rest.compare(0, 18, "HEADER.FIELDS.NOT ") == 0) return headerFields(text, *message, rest.substr(18), true, out);
	if (rest.compare(0, 14, "HEADER.FIELDS ") == 0) return headerFields(text, *message, rest.substr(14), false, out);
	return false;
}


} // namespace mail
