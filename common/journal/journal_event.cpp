// journal_event.cpp - JSON escaping and the key-by-key event body.
#include "common/journal/journal_event.h"

#include <cstring>


namespace mail {


namespace {


/// Length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
/// nothing above U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8Length(const std::string& s, std::size_t i)
{
	const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
	const unsigned char c = byte(i);
	std::size_t n = 0;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0) lo = 0xA0;
		if (c == 0xED) hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0) lo = 0x90;
		if (c == 0xF4) hi = 0x8F;
	}
	else return 0;
	if (i + n > s.size()) return 0;
	if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
	for (std::size_t k = 2; k < n; ++k)
	{
		if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
	}
	return n;
}


} // namespace


std::string jsonString(const std::string& value)
{
	std::string out;
	appendJsonString(out, value);
	return out;
}


void appendJsonString(std::string& out, const std::string& value)
{
	static const char hex[] = "0123456789abcdef";
	out.reserve(out.size() + value.size() + 2);
	out += '"';
	for (std::size_t i = 0; i < value.size();)
	{
		const unsigned char c = static_cast<unsigned char>(value[i]);
		if (c >= 0x80)
		{
			const std::size_t n = utf8Length(value, i);
			if (n == 0)
			{
				out += "\\ufffd";
				++i;
			}
			else
			{
				out.append(value, i, n);
				i += n;
			}
			continue;
		}
		switch (c)
		{
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (c < 0x20 || c == 0x7F)
			{
				out += "\\u00";
				out += hex[c >> 4];
				out += hex[c & 0xF];
			}
			else out += static_cast<char>(c);
		}
		++i;
	}
	out += '"';
}


JournalEvent::JournalEvent(const char* type):
	_type(type)
{
	_body.reserve(kBodyReserve); // most events fit: one allocation, not one per doubling
}


void JournalEvent::key(const char* key)
{
	if (!_body.empty()) _body += ',';
	_body += '"';
	_body += key; // keys are literals of this program, never from the network
	_body += "\":";
}


JournalEvent& JournalEvent::str(const char* key, const std::string& value)
{
	this->key(key);
	appendJsonString(_body, value);
	if (std::strcmp(key, "session") == 0) _session = value;
	else if (std::strcmp(key, "queue_id") == 0) _queueId = value;
	else if (std::strcmp(key, "message_id") == 0) _messageId = value;
	else if (std::strcmp(key, "remote_id") == 0) _remoteId = value;
	return *this;
}


JournalEvent& JournalEvent::num(const char* key, std::int64_t value)
{
	this->key(key);
	_body += std::to_string(value);
	return *this;
}


JournalEvent& JournalEvent::flag(const char* key, bool value)
{
	this->key(key);
	_body += value ? "true" : "false";
	return *this;
}


JournalEvent& JournalEvent::list(const char* key, const std::vector<std::string>& values)
{
	this->key(key);
	_body += '[';
	for (std::size_t i = 0; i < values.size(); ++i)
	{
		if (i > 0) _body += ',';
		appendJsonString(_body, values[i]);
	}
	_body += ']';
	return *this;
}


JournalEvent& JournalEvent::at(std::int64_t micros)
{
	_time = micros;
	return *this;
}


JournalEvent& JournalEvent::raw(const char* key, const std::string& json)
{
	this->key(key);
	_body += json;
	return *this;
}


} // namespace mail
