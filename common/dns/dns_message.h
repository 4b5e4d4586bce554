// dns_message.h - RFC 1035 message codec: decode with every read bounds-checked, encode with name compression.
//
// Two layers: a non-throwing, allocation-free reader (WireReader, readName) for the
// daemon's hot path, and decodeMessage()/encodeMessage() on plain structs for the
// resolver, the tests and the fuzzer. Names are dotted, without the trailing dot,
// in the case they arrived in ("" is the root).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>


namespace mail {
namespace dns {


enum RrType : std::uint16_t
{
	TypeA = 1,
	TypeSoa = 6,
	TypeMx = 15,
	TypeSrv = 33, ///< RFC 2782: priority, weight, port, target (never compressed)
	TypeOpt = 41,
	TypeTsig = 250, ///< RFC 8945
	TypeAny = 255,
	TypeP = 65280 ///< private: RDATA is a 16-bit port, network byte order
};

enum RrClass : std::uint16_t
{
	ClassIn = 1,
	ClassNone = 254, ///< RFC 2136: delete one record
	ClassAny = 255
};

enum Rcode : std::uint8_t
{
	RcodeNoError = 0,
	RcodeFormErr = 1,
	RcodeServFail = 2,
	RcodeNxDomain = 3,
	RcodeNotImp = 4,
	RcodeRefused = 5,
	RcodeYxDomain = 6, ///< RFC 2136 prerequisites
	RcodeYxRrset = 7,
	RcodeNxRrset = 8,
	RcodeNotAuth = 9, ///< RFC 2136/8945: not authoritative, or the TSIG did not verify
	RcodeNotZone = 10
};

const std::uint8_t OpcodeQuery = 0;
const std::uint8_t OpcodeUpdate = 5; ///< RFC 2136

enum HeaderFlag : std::uint16_t
{
	FlagQr = 0x8000,
	FlagAa = 0x0400,
	FlagTc = 0x0200,
	FlagRd = 0x0100,
	FlagRa = 0x0080
};

const std::size_t HeaderSize = 12;
const std::size_t MaxNameLength = 255; ///< wire length incl. the root label (RFC 1035 2.3.4)
const std::size_t MaxLabelLength = 63;
const unsigned MaxPointerJumps = 128; ///< more means a loop (or abuse)
const std::size_t MaxUdpSize = 512;   ///< without EDNS (RFC 1035 4.2.1)
const std::size_t EdnsUdpSize = 1232; ///< what we advertise and send at most with EDNS (DNS flag day 2020)


enum class WireError
/// Why a message could not be decoded; one value per malformed case.
{
	None,
	Truncated,        ///< a read ran past the end of the message
	LabelTooLong,     ///< a label length above 63
	NameTooLong,      ///< a name longer than 255 octets on the wire
	BadLabelType,     ///< label type 0x40 or 0x80 (extended/reserved)
	ForwardPointer,   ///< a compression pointer not strictly backwards
	PointerLoop,      ///< too many compression pointers in one name
	BadQuestionCount, ///< QDCOUNT other than 1 where one question is required
	BadRdata,         ///< RDATA inconsistent with its type (e.g. A not 4 octets)
	TooLarge          ///< an encoded message or name that does not fit
};

const char* toString(WireError error);


class WireFormatError: public std::runtime_error
/// decodeMessage()/encodeMessage() failure with its typed reason.
{
public:
	WireFormatError(WireError error, std::size_t offset);

	WireError error() const { return _error; }
	std::size_t offset() const { return _offset; }

private:
	WireError _error;
	std::size_t _offset;
};


struct Header
{
	std::uint16_t id = 0;
	std::uint16_t flags = 0;
	std::uint16_t qdCount = 0;
	std::uint16_t anCount = 0;
	std::uint16_t nsCount = 0;
	std::uint16_t arCount = 0;

	std::uint8_t opcode() const { return static_cast<std::uint8_t>((flags >> 11) & 0xF); }
	std::uint8_t rcode() const { return static_cast<std::uint8_t>(flags & 0xF); }
};


struct Question
{
	std::string name;
	std::uint16_t type = TypeA;
	std::uint16_t klass = ClassIn;
};


struct ResourceRecord
{
	std::string name;
	std::uint16_t type = TypeA;
	std::uint16_t klass = ClassIn;
	std::uint32_t ttl = 0;
	std::vector<std::uint8_t> rdata; ///< as on the wire, except MX exchange names are decompressed
};


struct Message
{
	Header header;
	std::vector<Question> questions;
	std::vector<ResourceRecord> answers;
	std::vector<ResourceRecord> authority;
	std::vector<ResourceRecord> additional;
};


struct WireName
/// A decompressed name in wire form (length-prefixed labels, final 0), fixed storage.
{
	std::uint8_t bytes[MaxNameLength];
	std::size_t length = 0; ///< including the final 0

	std::string toDotted() const; ///< "Gmail.com" (no trailing dot; "" for the root)
	void toLower();               ///< ASCII only, in place
};


class WireReader
/// Bounds-checked cursor over one message. Never throws, never allocates: each read
/// returns false and records the first error once something is wrong.
{
public:
	WireReader(const std::uint8_t* data, std::size_t size, std::size_t offset = 0);

	bool u8(std::uint8_t& value);
	bool u16(std::uint16_t& value);
	bool u32(std::uint32_t& value);
	bool skip(std::size_t count);
	bool header(Header& header);
	bool name(WireName& name);
	/// Reads a possibly compressed name; the cursor ends after its first occurrence.
	bool skipRecord(std::uint16_t& type, std::uint16_t& klass, std::uint32_t& ttl, std::uint16_t& rdLength);
	/// Skips owner name and RDATA of one resource record, returning its fixed fields.

	bool fail(WireError error); ///< records error (if first) and returns false
	WireError error() const { return _error; }
	std::size_t offset() const { return _offset; }
	std::size_t size() const { return _size; }
	const std::uint8_t* data() const { return _data; }

private:
	const std::uint8_t* _data;
	std::size_t _size;
	std::size_t _offset;
	WireError _error = WireError::None;
};


bool encodeName(const std::string& dotted, WireName& out);
/// "gmail.com" or "gmail.com." -> wire form. False if a label is empty (other than
/// the root), longer than 63, or the name longer than 255.

Message decodeMessage(const std::uint8_t* data, std::size_t size);
/// Whole message; throws WireFormatError. Trailing octets after the last record are ignored.

std::vector<std::uint8_t> encodeMessage(const Message& message);
/// Counts come from the vectors (the header's are ignored); names are compressed
/// (owner names and MX exchanges). Throws WireFormatError for a bad name or > 65535 octets.

std::vector<std::uint8_t> encodeQuery(std::uint16_t id, const std::string& name, std::uint16_t type, bool edns);
/// A standard query with RD set and, if edns, an OPT advertising EdnsUdpSize.

bool equalNames(const std::string& a, const std::string& b);
/// ASCII case-insensitive, ignoring one trailing dot on either side.


} // namespace dns
} // namespace mail
