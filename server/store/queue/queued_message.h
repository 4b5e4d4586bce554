// queued_message.h - one queued message opened for sending: its octets read from the file in pieces.
#pragma once

#include "server/message/message_source.h"

#include <cstdint>
#include <string>


namespace mail {


class QueuedMessage: public MessageSource
/// An open queue entry's message (RelayQueue::open()): the body of a one-file entry
/// (LF line ends, after its head) or an old .msg file (CRLF). Owns the descriptor, so
/// the message can be read to its end even if the entry is removed meanwhile. Not
/// thread-safe: one relay attempt owns it.
{
public:
	QueuedMessage(int fd, std::string path, std::uint64_t offset, std::uint64_t size, std::uint64_t wireSize,
		bool lfLines, bool eightBit);
	~QueuedMessage() override;
	QueuedMessage(QueuedMessage&& other) noexcept;
	QueuedMessage& operator=(QueuedMessage&&) = delete;
	QueuedMessage(const QueuedMessage&) = delete;
	QueuedMessage& operator=(const QueuedMessage&) = delete;

	std::uint64_t size() const { return _size; } ///< octets as stored
	std::uint64_t wireSize() const override { return _wireSize; }
	bool eightBit() const override { return _eightBit; }
	bool lfLines() const override { return _lfLines; }
	void rewind() override { _pos = 0; }
	std::size_t read(char* buffer, std::size_t size) override;

	std::size_t readAt(char* buffer, std::size_t size, std::uint64_t at) const;
	/// Octets of the message from at (0: its first), without moving the read position.
	void seek(std::uint64_t at) { _pos = at < _size ? at : _size; }

	std::string whole();
	/// The message with CRLF line ends, whole in memory: for tests and tools, never the relay.

private:
	int _fd;
	std::string _path;
	std::uint64_t _offset;
	std::uint64_t _size;
	std::uint64_t _wireSize;
	bool _lfLines;
	bool _eightBit;
	std::uint64_t _pos = 0;
};


} // namespace mail
