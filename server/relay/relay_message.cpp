// relay_message.cpp - the header of a queued message read once, bounded; the body streamed.
#include "server/relay/relay_message.h"

#include "server/message/line_ends.h"
#include "server/message/message_headers.h"

#include <algorithm>
#include <cstring>


namespace mail {


namespace {


std::size_t headerLength(const std::string& stored, bool lfLines, bool& complete)
/// Octets of the header section at the start of stored (with its last line end, without
/// the empty line); complete: the empty line was found.
{
	const std::string eol = lfLines ? "\n" : "\r\n";
	complete = true;
	if (stored.compare(0, eol.size(), eol) == 0) return 0;
	const std::size_t blank = stored.find(eol + eol);
	if (blank != std::string::npos) return blank + eol.size();
	complete = false;
	const std::size_t last = stored.rfind('\n');
	return last == std::string::npos ? 0 : last + 1;
}


} // namespace


RelayMessage::RelayMessage(QueuedMessage message):
	_message(std::move(message)),
	_wireSize(_message.wireSize())
{
	std::string stored(std::min<std::uint64_t>(kMaxHeader, _message.size()), '\0');
	stored.resize(_message.readAt(&stored[0], stored.size(), 0));
	bool complete = false;
	const bool lf = _message.lfLines();
	stored.resize(headerLength(stored, lf, complete));
	_header = lf ? lfToCrlf(stored) : stored;
	if (!complete || countHeader(_header, "Return-Path") == 0) return;
	const std::string kept = removeHeader(_header, "Return-Path");
	_wireSize -= _header.size() - kept.size();
	_replacement = lf ? crlfToLf(kept) : kept;
	_replaced = stored.size();
	_replacing = true;
	_header = kept;
	rewind();
}


void RelayMessage::rewind()
{
	_pos = 0;
	_message.seek(_replacing ? _replaced : 0);
}


std::size_t RelayMessage::read(char* buffer, std::size_t size)
{
	if (_replacing && _pos < _replacement.size())
	{
		const std::size_t n = std::min(size, _replacement.size() - _pos);
		std::memcpy(buffer, _replacement.data() + _pos, n);
		_pos += n;
		return n;
	}
	return _message.read(buffer, size);
}


} // namespace mail
