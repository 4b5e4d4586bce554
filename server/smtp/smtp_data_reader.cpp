// smtp_data_reader.cpp - reads the DATA content of one message: dot-unstuffing, CRLF normalisation, limits.
#include "server/smtp/smtp_data_reader.h"


namespace mail {


const char* toString(DataStatus status)
{
	switch (status)
	{
	case DataStatus::Ok: return "ok";
	case DataStatus::TooBig: return "too-big";
	case DataStatus::LineTooLong: return "line-too-long";
	case DataStatus::Timeout: return "timeout";
	case DataStatus::Closed: return "closed";
	}
	return "unknown";
}


namespace {


/// Collects lines in memory, CRLF-terminated.
class StringSink: public LineSink
{
public:
	explicit StringSink(std::string& out):
		_out(out)
	{
	}

	void line(const std::string& text) override
	{
		_out += text;
		_out += "\r\n";
	}

private:
	std::string& _out;
};


} // namespace


DataStatus readData(LineReader& reader, const DataLimits& limits, std::string& message)
{
	const std::size_t start = message.size();
	StringSink sink(message);
	const DataStatus verdict = readData(reader, limits, sink);
	if (verdict != DataStatus::Ok) message.resize(start);
	return verdict;
}


DataStatus readData(LineReader& reader, const DataLimits& limits, LineSink& sink)
{
	const std::size_t maxContent = limits.maxLineLength > 2 ? limits.maxLineLength - 2 : 1;
	std::size_t size = 0;
	DataStatus verdict = DataStatus::Ok;
	bool previousCRLF = true; // the DATA command line ended the previous line
	std::string line;
	for (;;)
	{
		const ReadStatus status = reader.readLine(line, maxContent, limits.timeout);
		if (status == ReadStatus::Timeout) return DataStatus::Timeout;
		if (status == ReadStatus::Closed) return DataStatus::Closed;
		const bool crlf = reader.endedWithCRLF();
		if (status == ReadStatus::TooLong)
		{
			if (verdict == DataStatus::Ok) verdict = DataStatus::LineTooLong;
			previousCRLF = crlf;
			continue;
		}
		if (line == "." && crlf && previousCRLF) break;
		previousCRLF = crlf;
		if (verdict != DataStatus::Ok) continue;
		const std::size_t skip = (line.size() > 1 && line[0] == '.') ? 1 : 0;
		if (size + line.size() - skip + 2 > limits.maxMessageSize)
		{
			verdict = DataStatus::TooBig;
			continue;
		}
		size += line.size() - skip + 2;
		if (skip) line.erase(0, 1);
		sink.line(line);
	}
	return verdict;
}


} // namespace mail
