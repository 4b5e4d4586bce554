// message_source.h - a stored message read in small pieces, for senders that must never hold it whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>


namespace mail {


class MessageSource
/// The octets of one message as stored (LF or CRLF line ends), read front to back in
/// pieces, again from the start after rewind() (each SMTP transaction sends it anew).
{
public:
	virtual ~MessageSource() = default;

	virtual std::uint64_t wireSize() const = 0;
	/// Octets the message takes with CRLF line ends, before dot-stuffing: SIZE= (RFC 1870).
	virtual bool eightBit() const = 0; ///< some octet is >= 0x80 (BODY=8BITMIME, RFC 6152)
	virtual bool lfLines() const = 0;
	/// Every LF ends a line (an LF-stored file: a CR before it is content); false: the
	/// message has CRLF line ends already (only a bare LF is made CRLF).
	virtual void rewind() = 0;
	virtual std::size_t read(char* buffer, std::size_t size) = 0;
	/// The next octets (at most size), 0 at the end. Throws Poco::Exception on a read error.
};


class StringSource: public MessageSource
/// A message held in memory with CRLF line ends (bounces, tests).
{
public:
	explicit StringSource(const std::string& message);

	std::uint64_t wireSize() const override { return _message.size(); }
	bool eightBit() const override { return _eightBit; }
	bool lfLines() const override { return false; }
	void rewind() override { _pos = 0; }
	std::size_t read(char* buffer, std::size_t size) override;

private:
	const std::string& _message;
	std::size_t _pos = 0;
	bool _eightBit;
};


} // namespace mail
