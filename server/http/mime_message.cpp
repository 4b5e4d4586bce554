// mime_message.cpp - one stored message taken apart for the API: headers, text, HTML, parts.
#include "server/http/mime_message.h"

#include "common/mail/mime_text.h"

#include <Poco/Net/MediaType.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <sstream>

using Poco::Net::MediaType;
using Poco::Net::MessageHeader;


namespace mail {


namespace {


constexpr int kMaxDepth = 5;    ///< nested multiparts followed (as the agent's display)
constexpr int kMaxParts = 1000; ///< leaves kept; a message of more is not for reading here


MediaType mediaTypeOf(const MessageHeader& header)
{
	try
	{
		return MediaType(header.get("Content-Type", "text/plain"));
	}
	catch (const Poco::Exception&)
	{
		return MediaType("text/plain");
	}
}


std::string dispositionFilename(const MessageHeader& header, bool& attachment)
{
	if (!header.has("Content-Disposition")) return "";
	std::string disposition;
	Poco::Net::NameValueCollection params;
	MessageHeader::splitParameters(header.get("Content-Disposition"), disposition, params);
	attachment = Poco::icompare(Poco::trim(disposition), "attachment") == 0;
	return params.get("filename", "");
}


void addLeaf(MimeMessage& message, const MessageHeader& header, const MediaType& type, std::string body)
{
	if (message.parts.size() >= static_cast<std::size_t>(kMaxParts)) return;
	MimePart part;
	part.contentType = Poco::toLower(type.getType() + "/" + type.getSubType());
	part.charset = type.hasParameter("charset") ? type.getParameter("charset") : "";
	bool attachment = false;
	std::string filename = dispositionFilename(header, attachment);
	if (filename.empty() && type.hasParameter("name")) filename = type.getParameter("name");
	part.filename = decodeHeaderValue(filename);
	part.attachment = attachment || !part.filename.empty() || Poco::toLower(type.getType()) != "text";
	part.transferEncoding = Poco::toLower(Poco::trim(header.get("Content-Transfer-Encoding", "7bit")));
	part.body = std::move(body);
	const int index = static_cast<int>(message.parts.size()) + 1;
	if (!part.attachment && part.contentType == "text/plain" && !message.textPart) message.textPart = index;
	if (!part.attachment && part.contentType == "text/html" && !message.htmlPart) message.htmlPart = index;
	message.parts.push_back(std::move(part));
}


void walk(MimeMessage& message, std::istream& body, const MessageHeader& header, int depth)
{
	const MediaType type = mediaTypeOf(header);
	if (Poco::icompare(type.getType(), "multipart") == 0 && type.hasParameter("boundary") && depth < kMaxDepth)
	{
		try
		{
			Poco::Net::MultipartReader reader(body, type.getParameter("boundary"));
			while (reader.hasNextPart())
			{
				MessageHeader partHeader;
				reader.nextPart(partHeader);
				walk(message, reader.stream(), partHeader, depth + 1);
				// A nested multipart stops at its own closing boundary: the rest of this
				// part (up to our next boundary) must be read before nextPart().
				Poco::NullOutputStream rest;
				Poco::StreamCopier::copyStream(reader.stream(), rest);
			}
		}
		catch (const Poco::Exception&)
		{
			// a broken multipart: what was read stays
		}
		return;
	}
	std::string raw;
	Poco::StreamCopier::copyToString(body, raw);
	addLeaf(message, header, type, std::move(raw));
}


} // namespace


std::string MimePart::decoded() const
{
	return decodeBody(body, transferEncoding, "");
}


std::string MimeMessage::header(const std::string& name) const
{
	for (const auto& field: headers)
	{
		if (Poco::icompare(field.first, name) == 0) return field.second;
	}
	return "";
}


std::string MimeMessage::text() const
{
	if (!textPart) return "";
	const MimePart& part = parts[static_cast<std::size_t>(textPart - 1)];
	return unixLines(decodeBody(part.body, part.transferEncoding, part.charset));
}


std::string MimeMessage::html() const
{
	if (!htmlPart) return "";
	const MimePart& part = parts[static_cast<std::size_t>(htmlPart - 1)];
	return decodeBody(part.body, part.transferEncoding, part.charset);
}


MimeMessage parseMimeMessage(const std::string& raw)
{
	MimeMessage message;
	std::vector<std::pair<std::string, std::string>> fields;
	std::size_t bodyStart = 0;
	MessageHeader header;
	if (!readHeaderFields(raw, fields, bodyStart))
	{
		fields.clear();
		bodyStart = 0;
	}
	for (const auto& field: fields)
	{
		header.add(field.first, unfold(field.second));
		message.headers.emplace_back(field.first, unfold(decodeHeaderValue(field.second)));
	}
	std::istringstream body(raw.substr(bodyStart));
	walk(message, body, header, 0);
	return message;
}


} // namespace mail
