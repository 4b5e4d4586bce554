// journal_file.h - events.jsonl: the journal's lines appended to a file rotated by size.
#pragma once

#include "common/journal/journal.h"

#include <cstdint>
#include <fstream>
#include <string>


namespace mail {


class JournalFile: public JournalSink
/// Appends one line per event. Once the file holds maxBytes or more, it is renamed to
/// PATH.1 (replacing the older one) and a new file begins, so the journal costs at most
/// about twice maxBytes of disk. Used on the journal's writer thread only.
{
public:
	static constexpr std::uint64_t kDefaultMaxBytes = std::uint64_t{10} * 1024 * 1024;

	explicit JournalFile(std::string path, std::uint64_t maxBytes = kDefaultMaxBytes);
	/// Opens (creates) the file for appending; throws Poco::FileException when it cannot.

	void write(const std::vector<std::string>& lines) override;

private:
	void open();
	void rotate();

	std::string _path;
	std::uint64_t _maxBytes;
	std::uint64_t _size = 0;
	std::ofstream _out;
};


} // namespace mail
