// mime_text.cpp - MIME decoding for display: encoded words, transfer encodings, charsets.
#include "common/mail/mime_text.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/QuotedPrintableDecoder.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/TextConverter.h>
#include <Poco/TextEncoding.h>
#include <Poco/UTF8Encoding.h>

#include <cerrno>
#include <cstring>
#include <iconv.h>
#include <sstream>
#include <utility>
#include <vector>


using Poco::Net::MediaType;
using Poco::Net::MessageHeader;
using Poco::Net::MultipartReader;


namespace mail {


namespace {


constexpr int MaxHeaderFields = 1000; ///< a long relay path still displays
constexpr int MaxMultipartDepth = 5;


/// Reads a decoder stream to the end; a decoding error keeps what came before it.
template <typename Decoder>
std::string drain(const std::string& text)
{
	std::istringstream in(text);
	Decoder decoder(in);
	std::string out;
	try
	{
		char c;
		while (decoder.get(c)) out += c;
	}
	catch (const Poco::Exception&)
	{
	}
	return out;
}


/// "Q" encoding: like quoted-printable, and '_' is a space.
std::string decodeQWord(const std::string& text)
{
	std::string spaced = text;
	for (char& c: spaced)
		if (c == '_') c = ' ';
	return decodeQuotedPrintable(spaced);
}


/// One "=?charset?X?text?=" at value[pos]; its decoded UTF-8 and end, or false.
bool decodeWordAt(const std::string& value, std::size_t pos, std::string& decoded, std::size_t& end)
{
	if (value.compare(pos, 2, "=?") != 0) return false;
	std::size_t q1 = value.find('?', pos + 2);
	if (q1 == std::string::npos || q1 + 2 >= value.size() || value[q1 + 2] != '?') return false;
	std::size_t close = value.find("?=", q1 + 3);
	if (close == std::string::npos) return false;
	std::string charset = value.substr(pos + 2, q1 - pos - 2);
	std::size_t star = charset.find('*'); // RFC 2231 language suffix
	if (star != std::string::npos) charset.resize(star);
	char encoding = static_cast<char>(Poco::Ascii::toUpper(value[q1 + 1]));
	std::string text = value.substr(q1 + 3, close - q1 - 3);
	if (text.find_first_of(" \t") != std::string::npos) return false;
	if (encoding == 'B') decoded = toUtf8(decodeBase64(text), charset);
	else if (encoding == 'Q') decoded = toUtf8(decodeQWord(text), charset);
	else return false;
	end = close + 2;
	return true;
}


/// Charsets Poco does not have (GBK, GB18030, Big5, ...) through glibc's iconv. GB2312
/// and GBK labels are decoded as GB18030, their superset, as browsers do: mail labelled
/// GB2312 often holds GBK characters. An invalid byte shows as U+FFFD. False when iconv
/// does not know the charset either.
bool iconvToUtf8(const std::string& text, std::string charset, std::string& out)
{
	if (Poco::icompare(charset, "gb2312") == 0 || Poco::icompare(charset, "gbk") == 0
		|| Poco::icompare(charset, "x-gbk") == 0 || Poco::icompare(charset, "cp936") == 0)
		charset = "GB18030";
	iconv_t cd = ::iconv_open("UTF-8", charset.c_str());
	if (cd == reinterpret_cast<iconv_t>(-1)) return false; // NOLINT(performance-no-int-to-ptr): iconv_open(3)'s error value
	out.assign(text.size() * 4 + 16, '\0');                // any input octet gives at most 4 UTF-8 octets
	char* in = const_cast<char*>(text.data());
	std::size_t inLeft = text.size();
	char* to = &out[0];
	std::size_t outLeft = out.size();
	while (inLeft > 0)
	{
		if (::iconv(cd, &in, &inLeft, &to, &outLeft) != static_cast<std::size_t>(-1)) break;
		if (errno == E2BIG || outLeft < 3) break;
		std::memcpy(to, "\xEF\xBF\xBD", 3); // EILSEQ or a truncated sequence: U+FFFD, skip one octet
		to += 3;
		outLeft -= 3;
		++in;
		--inLeft;
	}
	::iconv_close(cd);
	out.resize(static_cast<std::size_t>(to - out.data()));
	return true;
}


/// A header block starts with "Name:" (printable, no spaces, RFC 5322 section 2.2).
bool startsWithHeaderField(const std::string& raw)
{
	std::size_t i = 0;
	while (i < raw.size() && raw[i] > ' ' && raw[i] < 127 && raw[i] != ':') ++i;
	return i > 0 && i < raw.size() && raw[i] == ':';
}


std::string contentType(const MessageHeader& header)
{
	return header.get("Content-Type", "text/plain");
}


void renderBody(std::istream& body, const MessageHeader& header, std::ostream& out, int depth);


void renderMultipart(std::istream& body, const MediaType& type, std::ostream& out, int depth)
{
	MultipartReader reader(body, type.getParameter("boundary"));
	int index = 0;
	while (reader.hasNextPart())
	{
		MessageHeader partHeader;
		reader.nextPart(partHeader);
		MediaType partType(contentType(partHeader));
		++index;
		out << "--- part " << index << " (" << partType.getType() << "/" << partType.getSubType() << ")\n";
		renderBody(reader.stream(), partHeader, out, depth + 1);
	}
}


void renderBody(std::istream& body, const MessageHeader& header, std::ostream& out, int depth)
{
	MediaType type("text/plain");
	try
	{
		type = MediaType(contentType(header));
	}
	catch (const Poco::Exception&)
	{
	}
	std::string transfer = Poco::toLower(Poco::trim(header.get("Content-Transfer-Encoding", "7bit")));
	if (type.getType() == "multipart" && type.hasParameter("boundary") && depth < MaxMultipartDepth)
	{
		try
		{
			renderMultipart(body, type, out, depth);
			return;
		}
		catch (const Poco::Exception& e)
		{
			out << "[malformed multipart: " << e.displayText() << "]\n";
			return;
		}
	}
	std::string raw;
	Poco::StreamCopier::copyToString(body, raw);
	std::string charset = type.hasParameter("charset") ? type.getParameter("charset") : "";
	if (type.getType() == "text" || type.getType() == "message" || type.getType() == "multipart")
	{
		std::string text = unixLines(decodeBody(raw, transfer, charset));
		out << text;
		if (!text.empty() && text.back() != '\n') out << '\n';
		return;
	}
	std::string name = type.hasParameter("name") ? decodeHeaderValue(type.getParameter("name")) : "";
	out << "[" << type.getType() << "/" << type.getSubType() << (name.empty() ? "" : " " + name) << ", "
		<< decodeBody(raw, transfer, "").size() << " bytes, not shown]\n";
}


} // namespace


std::string unfold(const std::string& value)
{
	std::string out;
	bool space = false;
	for (char c: value)
	{
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		{
			space = true;
			continue;
		}
		if (space && !out.empty()) out += ' ';
		space = false;
		out += c;
	}
	return out;
}


bool readHeaderFields(const std::string& raw, std::vector<std::pair<std::string, std::string>>& fields,
	std::size_t& pos)
{
	pos = 0;
	while (pos < raw.size())
	{
		std::size_t nl = raw.find('\n', pos);
		std::size_t next = nl == std::string::npos ? raw.size() : nl + 1;
		std::string line = raw.substr(pos, (nl == std::string::npos ? raw.size() : nl) - pos);
		if (!line.empty() && line.back() == '\r') line.pop_back();
		if (line.empty())
		{
			pos = next;
			return true;
		}
		if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) fields.back().second += "\n" + line;
		else
		{
			std::size_t colon = line.find(':');
			if (colon == std::string::npos || colon == 0 || fields.size() >= static_cast<std::size_t>(MaxHeaderFields))
				return false;
			fields.emplace_back(Poco::trim(line.substr(0, colon)), Poco::trim(line.substr(colon + 1)));
		}
		pos = next;
	}
	return true;
}


std::string unixLines(const std::string& text)
{
	std::string out;
	out.reserve(text.size());
	for (std::size_t i = 0; i < text.size(); ++i)
		if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out += text[i];
	return out;
}


std::string decodeBase64(const std::string& text)
{
	return drain<Poco::Base64Decoder>(text);
}


std::string decodeQuotedPrintable(const std::string& text)
{
	return drain<Poco::Net::QuotedPrintableDecoder>(text);
}


std::string toUtf8(const std::string& text, const std::string& charset)
{
	std::string name = Poco::trim(charset);
	if (name.empty() || Poco::icompare(name, "utf-8") == 0 || Poco::icompare(name, "us-ascii") == 0) return text;
	Poco::TextEncoding::Ptr from = Poco::TextEncoding::find(name);
	if (!from)
	{
		std::string converted;
		return iconvToUtf8(text, name, converted) ? converted : text;
	}
	Poco::UTF8Encoding utf8;
	Poco::TextConverter converter(*from, utf8);
	std::string out;
	converter.convert(text, out);
	return out;
}


std::string decodeHeaderValue(const std::string& value)
{
	std::string out;
	std::size_t pos = 0;
	std::size_t pendingSpace = std::string::npos; // where white space after an encoded word began
	bool lastWasWord = false;
	while (pos < value.size())
	{
		std::string decoded;
		std::size_t end = 0;
		if (decodeWordAt(value, pos, decoded, end))
		{
			if (lastWasWord && pendingSpace != std::string::npos) out.resize(pendingSpace);
			out += decoded;
			pos = end;
			lastWasWord = true;
			pendingSpace = std::string::npos;
			continue;
		}
		char c = value[pos++];
		bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
		if (space && lastWasWord && pendingSpace == std::string::npos) pendingSpace = out.size();
		if (!space) lastWasWord = false;
		out += c;
	}
	return out;
}


std::string decodeBody(const std::string& body, const std::string& transferEncoding, const std::string& charset)
{
	std::string encoding = Poco::toLower(Poco::trim(transferEncoding));
	std::string bytes = body;
	if (encoding == "base64") bytes = decodeBase64(body);
	else if (encoding == "quoted-printable") bytes = decodeQuotedPrintable(body);
	return toUtf8(bytes, charset);
}


std::string renderMessage(const std::string& raw)
{
	if (!startsWithHeaderField(raw)) return unixLines(raw);
	std::vector<std::pair<std::string, std::string>> fields;
	std::size_t bodyStart = 0;
	// not a parseable header block: show it as it came
	if (!readHeaderFields(raw, fields, bodyStart)) return unixLines(raw);
	MessageHeader header;
	std::ostringstream out;
	for (const auto& field: fields)
	{
		header.add(field.first, unfold(field.second));
		out << field.first << ": " << unfold(decodeHeaderValue(field.second)) << "\n";
	}
	out << "\n";
	std::istringstream in(raw.substr(bodyStart));
	renderBody(in, header, out, 0);
	return out.str();
}


} // namespace mail
