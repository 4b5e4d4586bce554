// spool_file.h - one message being received, written to disk as it arrives (LF line ends).
//
// DATA is streamed here through a small buffer, so a session holds at most that buffer
// however large the message; delivery then hard-links or copies the file
// (MaildirStore::deliverFile) instead of passing the message around in memory.
#pragma once

#include "server/message/line_sink.h"
#include "server/store/spare_files.h"

#include <cstdint>
#include <exception>
#include <string>


namespace mail {


class SpoolFile: public LineSink
/// A uniquely named file in a spool directory, created at construction, closed and removed
/// by the destructor (delivery links it elsewhere first). Lines are stored with LF ends,
/// as Maildir readers expect; wireSize() is what the same message takes with CRLF.
/// Not thread-safe: one session owns it.
{
public:
	explicit SpoolFile(const std::string& directory);
	/// Creates the file (O_EXCL, mode 0600). Throws DurableFileError on failure.
	explicit SpoolFile(OpenFile file);
	/// Takes over an empty file already created and open for writing (a spare of
	/// MaildirStore::takeSpoolFile()).

	~SpoolFile() override;

	SpoolFile(const SpoolFile&) = delete;
	SpoolFile& operator=(const SpoolFile&) = delete;

	void line(const std::string& text) override;
	/// Appends text and LF; writes out a full buffer. Never throws: a write error is kept
	/// (later lines are only counted) and thrown by end(), so DATA is still read to its
	/// end and the session stays in sync.
	void end() override;
	/// Writes what is buffered; throws the first write error. Lines after it are a write
	/// error. The file stays open (for rewrite()) until the destructor.

	void startBody();
	/// What was written so far is a head the message does not count: bodySize(),
	/// bodyWireSize() and eightBit() start here.
	void rewrite(std::uint64_t offset, const std::string& text);
	/// Writes out the buffer, then text over the file's octets at offset (a head whose
	/// sizes are known only now, same length), also after end(), through the descriptor
	/// still open. Throws the first write error.

	void writeCrlfText(const std::string& text);
	/// Appends text given with CRLF (or LF) line ends, line by line (trace headers).

	const std::string& path() const { return _path; }
	std::uint64_t size() const { return _size; }              ///< octets in the file (LF ends)
	std::uint64_t wireSize() const { return _size + _lines; } ///< octets with CRLF ends (RFC 1939)
	std::uint64_t bodyOffset() const { return _bodyStart; }   ///< where startBody() was called (0: never)
	std::uint64_t bodySize() const { return _size - _bodyStart; }
	std::uint64_t bodyWireSize() const { return bodySize() + _lines - _bodyStartLines; }
	bool eightBit() const { return _eightBit; } ///< an octet >= 0x80 since startBody()

	static constexpr std::size_t kBufferSize = std::size_t{64} * 1024;

private:
	void flush();

	std::string _path;
	int _fd = -1;
	std::string _buffer;
	std::uint64_t _size = 0;
	std::uint64_t _lines = 0;
	std::uint64_t _bodyStart = 0;
	std::uint64_t _bodyStartLines = 0;
	bool _eightBit = false;
	bool _ended = false;       ///< end() was called: no more lines
	std::exception_ptr _error; ///< the first write error
};


} // namespace mail
