// dns_message.cpp - RFC 1035 message codec: decode with every read bounds-checked, encode with name compression.
#include "common/dns/dns_message.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <utility>


namespace mail {
namespace dns {


namespace {


char lowerAscii(char c)
{
	return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}


void throwIfFailed(const WireReader& reader)
{
	if (reader.error() != WireError::None) throw WireFormatError(reader.error(), reader.offset());
}


class Encoder
/// Appends to a buffer, remembering where each name suffix was written for compression.
{
public:
	void u8(std::uint8_t v) { _out.push_back(v); }
	void u16(std::uint16_t v)
	{
		_out.push_back(static_cast<std::uint8_t>(v >> 8));
		_out.push_back(static_cast<std::uint8_t>(v));
	}
	void u32(std::uint32_t v)
	{
		u16(static_cast<std::uint16_t>(v >> 16));
		u16(static_cast<std::uint16_t>(v));
	}
	void bytes(const std::uint8_t* p, std::size_t n) { _out.insert(_out.end(), p, p + n); }

	void name(const WireName& name)
	{
		std::size_t pos = 0;
		while (name.bytes[pos] != 0)
		{
			// Exact match only: a case-insensitive match would change the case of this name.
			const std::string suffix(reinterpret_cast<const char*>(name.bytes + pos), name.length - pos);
			const auto found = std::find_if(_suffixes.begin(), _suffixes.end(),
				[&suffix](const std::pair<std::string, std::size_t>& s) { return s.first == suffix; });
			if (found != _suffixes.end())
			{
				u16(static_cast<std::uint16_t>(0xC000 | found->second));
				return;
			}
			if (_out.size() < 0x4000) _suffixes.emplace_back(suffix, _out.size());
			const std::size_t labelLength = name.bytes[pos];
			bytes(name.bytes + pos, labelLength + 1);
			pos += labelLength + 1;
		}
		u8(0);
	}

	void name(const std::string& dotted)
	{
		WireName wire;
		if (!encodeName(dotted, wire)) throw WireFormatError(WireError::NameTooLong, _out.size());
		name(wire);
	}

	void record(const ResourceRecord& rr)
	{
		name(rr.name);
		u16(rr.type);
		u16(rr.klass);
		u32(rr.ttl);
		const std::size_t lengthAt = _out.size();
		u16(0);
		if (rr.type == TypeMx && rr.rdata.size() >= 3)
		{
			WireReader reader(rr.rdata.data(), rr.rdata.size());
			std::uint16_t preference = 0;
			WireName exchange;
			reader.u16(preference);
			if (!reader.name(exchange) || reader.offset() != rr.rdata.size())
				throw WireFormatError(WireError::BadRdata, _out.size());
			u16(preference);
			name(exchange);
		}
		else
		{
			bytes(rr.rdata.data(), rr.rdata.size());
		}
		const std::size_t length = _out.size() - lengthAt - 2;
		if (length > 0xFFFF) throw WireFormatError(WireError::TooLarge, lengthAt);
		_out[lengthAt] = static_cast<std::uint8_t>(length >> 8);
		_out[lengthAt + 1] = static_cast<std::uint8_t>(length);
	}

	std::vector<std::uint8_t>& out() { return _out; }

private:
	std::vector<std::uint8_t> _out;
	std::vector<std::pair<std::string, std::size_t>> _suffixes; ///< wire suffix -> offset
};


ResourceRecord decodeRecord(WireReader& reader)
{
	ResourceRecord rr;
	WireName owner;
	std::uint16_t rdLength = 0;
	reader.name(owner);
	reader.u16(rr.type);
	reader.u16(rr.klass);
	reader.u32(rr.ttl);
	reader.u16(rdLength);
	throwIfFailed(reader);
	rr.name = owner.toDotted();
	const std::size_t start = reader.offset();
	if (rdLength > reader.size() - start) throw WireFormatError(WireError::Truncated, start);
	const std::uint8_t* rdata = reader.data() + start;
	// An UPDATE's RRset deletion or prerequisite (class ANY) carries no RDATA (RFC 2136 2.4, 2.5.2).
	const bool emptyAny = rdLength == 0 && rr.klass == ClassAny;
	if (rr.type == TypeMx && !emptyAny)
	{
		WireReader inner(reader.data(), start + rdLength, start);
		std::uint16_t preference = 0;
		WireName exchange;
		inner.u16(preference);
		inner.name(exchange);
		if (inner.error() != WireError::None)
			throw WireFormatError(inner.error() == WireError::Truncated ? WireError::BadRdata : inner.error(), inner.offset());
		if (inner.offset() != start + rdLength) throw WireFormatError(WireError::BadRdata, start);
		rr.rdata.push_back(static_cast<std::uint8_t>(preference >> 8));
		rr.rdata.push_back(static_cast<std::uint8_t>(preference));
		rr.rdata.insert(rr.rdata.end(), exchange.bytes, exchange.bytes + exchange.length);
	}
	else
	{
		if (!emptyAny && ((rr.type == TypeA && rdLength != 4) || (rr.type == TypeP && rdLength != 2)))
			throw WireFormatError(WireError::BadRdata, start);
		rr.rdata.assign(rdata, rdata + rdLength);
	}
	reader.skip(rdLength);
	return rr;
}


} // namespace


const char* toString(WireError error)
{
	switch (error)
	{
	case WireError::None: return "none";
	case WireError::Truncated: return "truncated";
	case WireError::LabelTooLong: return "label too long";
	case WireError::NameTooLong: return "name too long";
	case WireError::BadLabelType: return "bad label type";
	case WireError::ForwardPointer: return "forward compression pointer";
	case WireError::PointerLoop: return "compression pointer loop";
	case WireError::BadQuestionCount: return "bad question count";
	case WireError::BadRdata: return "bad rdata";
	case WireError::TooLarge: return "too large";
	}
	return "unknown";
}


WireFormatError::WireFormatError(WireError error, std::size_t offset):
	std::runtime_error(std::string("malformed DNS message: ") + toString(error) + " at offset " + std::to_string(offset)),
	_error(error),
	_offset(offset)
{
}


std::string WireName::toDotted() const
{
	std::string dotted;
	std::size_t pos = 0;
	while (pos < length && bytes[pos] != 0)
	{
		if (pos > 0) dotted += '.';
		for (std::size_t i = pos + 1; i <= pos + bytes[pos]; ++i)
		{
			const unsigned char c = bytes[i];
			if (c == '.' || c == '\\') dotted += '\\';
			if (c <= ' ' || c >= 0x7F)
			{
				char escaped[5];
				std::snprintf(escaped, sizeof escaped, "\\%03u", static_cast<unsigned>(c));
				dotted += escaped;
			}
			else
				dotted += static_cast<char>(c);
		}
		pos += bytes[pos] + 1u;
	}
	return dotted;
}


void WireName::toLower()
{
	for (std::size_t i = 0; i < length; ++i)
		bytes[i] = static_cast<std::uint8_t>(lowerAscii(static_cast<char>(bytes[i])));
}


WireReader::WireReader(const std::uint8_t* data, std::size_t size, std::size_t offset):
	_data(data),
	_size(size),
	_offset(offset > size ? size : offset)
{
}


bool WireReader::fail(WireError error)
{
	if (_error == WireError::None) _error = error;
	return false;
}


bool WireReader::u8(std::uint8_t& value)
{
	if (_error != WireError::None) return false;
	if (_size - _offset < 1) return fail(WireError::Truncated);
	value = _data[_offset++];
	return true;
}


bool WireReader::u16(std::uint16_t& value)
{
	if (_error != WireError::None) return false;
	if (_size - _offset < 2) return fail(WireError::Truncated);
	value = static_cast<std::uint16_t>((_data[_offset] << 8) | _data[_offset + 1]);
	_offset += 2;
	return true;
}


bool WireReader::u32(std::uint32_t& value)
{
	std::uint16_t high = 0, low = 0;
	if (!u16(high) || !u16(low)) return false;
	value = (static_cast<std::uint32_t>(high) << 16) | low;
	return true;
}


bool WireReader::skip(std::size_t count)
{
	if (_error != WireError::None) return false;
	if (_size - _offset < count) return fail(WireError::Truncated);
	_offset += count;
	return true;
}


bool WireReader::header(Header& h)
{
	return u16(h.id) && u16(h.flags) && u16(h.qdCount) && u16(h.anCount) && u16(h.nsCount) && u16(h.arCount);
}


bool WireReader::name(WireName& out)
{
	if (_error != WireError::None) return false;
	out.length = 0;
	std::size_t pos = _offset;
	std::size_t limit = _offset; // a pointer must land before everything read so far
	std::size_t after = 0;
	bool jumped = false;
	unsigned jumps = 0;
	for (;;)
	{
		if (pos >= _size) return fail(WireError::Truncated);
		const std::uint8_t length = _data[pos];
		if ((length & 0xC0) == 0xC0)
		{
			if (_size - pos < 2) return fail(WireError::Truncated);
			const std::size_t target = (static_cast<std::size_t>(length & 0x3F) << 8) | _data[pos + 1];
			if (target >= pos) return fail(WireError::ForwardPointer);
			if (target >= limit || ++jumps > MaxPointerJumps) return fail(WireError::PointerLoop);
			if (!jumped) after = pos + 2;
			jumped = true;
			limit = target;
			pos = target;
			continue;
		}
		if (length & 0xC0) return fail(WireError::BadLabelType);
		if (length == 0)
		{
			out.bytes[out.length++] = 0;
			_offset = jumped ? after : pos + 1;
			return true;
		}
		if (out.length + length + 2 > MaxNameLength) return fail(WireError::NameTooLong);
		if (_size - pos < length + 1u) return fail(WireError::Truncated);
		std::memcpy(out.bytes + out.length, _data + pos, length + 1u);
		out.length += length + 1u;
		pos += length + 1u;
	}
}


bool WireReader::skipRecord(std::uint16_t& type, std::uint16_t& klass, std::uint32_t& ttl, std::uint16_t& rdLength)
{
	WireName owner;
	return name(owner) && u16(type) && u16(klass) && u32(ttl) && u16(rdLength) && skip(rdLength);
}


bool encodeName(const std::string& dotted, WireName& out)
{
	out.length = 0;
	if (dotted.empty() || dotted == ".")
	{
		out.bytes[out.length++] = 0;
		return true;
	}
	std::size_t labelAt = out.length++; // where the current label's length goes
	std::size_t labelLength = 0;
	bool closed = false; // the input ended with the root's dot
	for (std::size_t i = 0; i < dotted.size(); ++i)
	{
		unsigned char c = static_cast<unsigned char>(dotted[i]);
		if (c == '.')
		{
			if (labelLength == 0) return false; // empty label
			out.bytes[labelAt] = static_cast<std::uint8_t>(labelLength);
			if (i + 1 == dotted.size())
			{
				closed = true; // one trailing dot: the root
				break;
			}
			labelAt = out.length++;
			labelLength = 0;
			continue;
		}
		if (c == '\\') // \X is X; \DDD is the octet DDD (RFC 1035 5.1)
		{
			if (++i == dotted.size()) return false;
			c = static_cast<unsigned char>(dotted[i]);
			if (c >= '0' && c <= '9')
			{
				if (i + 2 >= dotted.size() || !std::isdigit(static_cast<unsigned char>(dotted[i + 1]))
					|| !std::isdigit(static_cast<unsigned char>(dotted[i + 2])))
					return false;
				const int value = (c - '0') * 100 + (dotted[i + 1] - '0') * 10 + (dotted[i + 2] - '0');
				if (value > 255) return false;
				c = static_cast<unsigned char>(value);
				i += 2;
			}
		}
		if (labelLength == MaxLabelLength || out.length + 2 > MaxNameLength) return false;
		out.bytes[out.length++] = c;
		++labelLength;
	}
	if (!closed) out.bytes[labelAt] = static_cast<std::uint8_t>(labelLength);
	out.bytes[out.length++] = 0;
	return true;
}


Message decodeMessage(const std::uint8_t* data, std::size_t size)
{
	WireReader reader(data, size);
	Message message;
	reader.header(message.header);
	throwIfFailed(reader);
	for (unsigned i = 0; i < message.header.qdCount; ++i)
	{
		WireName name;
		Question question;
		reader.name(name);
		reader.u16(question.type);
		reader.u16(question.klass);
		throwIfFailed(reader);
		question.name = name.toDotted();
		message.questions.push_back(std::move(question));
	}
	for (unsigned i = 0; i < message.header.anCount; ++i) message.answers.push_back(decodeRecord(reader));
	for (unsigned i = 0; i < message.header.nsCount; ++i) message.authority.push_back(decodeRecord(reader));
	for (unsigned i = 0; i < message.header.arCount; ++i) message.additional.push_back(decodeRecord(reader));
	return message;
}


std::vector<std::uint8_t> encodeMessage(const Message& message)
{
	const auto count = [](std::size_t n) {
		if (n > 0xFFFF) throw WireFormatError(WireError::TooLarge, 0);
		return static_cast<std::uint16_t>(n);
	};
	Encoder encoder;
	encoder.u16(message.header.id);
	encoder.u16(message.header.flags);
	encoder.u16(count(message.questions.size()));
	encoder.u16(count(message.answers.size()));
	encoder.u16(count(message.authority.size()));
	encoder.u16(count(message.additional.size()));
	for (const auto& question: message.questions)
	{
		encoder.name(question.name);
		encoder.u16(question.type);
		encoder.u16(question.klass);
	}
	for (const auto* section: {&message.answers, &message.authority, &message.additional})
		for (const auto& rr: *section) encoder.record(rr);
	if (encoder.out().size() > 0xFFFF) throw WireFormatError(WireError::TooLarge, encoder.out().size());
	return std::move(encoder.out());
}


std::vector<std::uint8_t> encodeQuery(std::uint16_t id, const std::string& name, std::uint16_t type, bool edns)
{
	Message query;
	query.header.id = id;
	query.header.flags = FlagRd;
	query.questions.push_back(Question{name, type, ClassIn});
	if (edns)
	{
		ResourceRecord opt;
		opt.type = TypeOpt;
		opt.klass = static_cast<std::uint16_t>(EdnsUdpSize);
		query.additional.push_back(opt);
	}
	return encodeMessage(query);
}


bool equalNames(const std::string& a, const std::string& b)
{
	const std::size_t la = (!a.empty() && a.back() == '.') ? a.size() - 1 : a.size();
	const std::size_t lb = (!b.empty() && b.back() == '.') ? b.size() - 1 : b.size();
	if (la != lb) return false;
	for (std::size_t i = 0; i < la; ++i)
		if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
	return true;
}


} // namespace dns
} // namespace mail
