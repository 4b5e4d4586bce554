// relay_message.h - a queued message as the relay sends it: its header in memory (bounded), the rest streamed from the file.
#pragma once

#include "server/message/message_source.h"
#include "server/store/queue/queued_message.h"

#include <cstdint>
#include <string>


namespace mail {


class RelayMessage: public MessageSource
/// Reads the header section of a queued message once (at most kMaxHeader octets), for
/// the hop count, the Message-ID and bounces, and drops its Return-Path fields (only
/// final delivery adds one, RFC 5321 4.4; a client may have written one) when the whole
/// header fits that cap; the body is read from the file in pieces as it is sent. So an
/// attempt holds at most about twice kMaxHeader of the message, whatever its size.
{
public:
	explicit RelayMessage(QueuedMessage message);

	static constexpr std::size_t kMaxHeader = std::size_t{64} * 1024;

	const std::string& header() const { return _header; }
	/// The header section with CRLF line ends and its final CRLF, Return-Path removed;
	/// when the header is longer than kMaxHeader, its complete lines within the cap.

	std::uint64_t wireSize() const override { return _wireSize; }
	bool eightBit() const override { return _message.eightBit(); }
	bool lfLines() const override { return _message.lfLines(); }
	void rewind() override;
	std::size_t read(char* buffer, std::size_t size) override;

private:
	QueuedMessage _message;
	std::string _header;
	bool _replacing = false;   ///< _replacement is sent instead of the stored header
	std::string _replacement;  ///< the header without Return-Path, as stored (LF or CRLF)
	std::size_t _replaced = 0; ///< octets of the stored header it replaces
	std::size_t _pos = 0;      ///< in _replacement
	std::uint64_t _wireSize;
};


} // namespace mail
