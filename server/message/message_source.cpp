// message_source.cpp - a message held in memory as a MessageSource.
#include "server/message/message_source.h"

#include <algorithm>
#include <cstring>


namespace mail {


StringSource::StringSource(const std::string& message):
	_message(message),
	_eightBit(std::any_of(message.begin(), message.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
{
}


std::size_t StringSource::read(char* buffer, std::size_t size)
{
	const std::size_t n = std::min(size, _message.size() - _pos);
	std::memcpy(buffer, _message.data() + _pos, n);
	_pos += n;
	return n;
}


} // namespace mail
