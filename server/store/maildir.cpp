// maildir.cpp - the Maildir layout shared by SMTP delivery, POP3 and relay bounces.
#include "server/store/maildir.h"

#include "server/store/durable_file.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Process.h>
#include <Poco/Timestamp.h>


namespace mail {


namespace {


constexpr std::size_t kMaxUidLength = 70; // RFC 1939 section 7


/// Account names come from the config; still refuse anything that could leave mailRoot.
void checkAccount(const std::string& account)
{
	if (account.empty() || account[0] == '.' || account.find('/') != std::string::npos || account.find('\0') != std::string::npos)
		throw Poco::InvalidArgumentException("bad mailbox name", account);
}


} // namespace


Maildir::Maildir(const std::string& mailRoot, const std::string& hostName):
	_root(mailRoot),
	_host(hostName)
{
	if (_host.empty())
	{
		Poco::Path path(mailRoot);
		path.makeDirectory();
		_host = path.depth() >= 2 ? path[path.depth() - 2] : "localhost";
	}
	// Maildir: "/" and ":" may not appear in the host part of a name.
	std::string safe;
	for (char c: _host)
	{
		if (c == '/') safe += "\\057";
		else if (c == ':') safe += "\\072";
		else safe += c;
	}
	_host = safe;
}


std::string Maildir::path(const std::string& account) const
{
	return _root + "/" + account;
}


void Maildir::ensure(const std::string& account) const
{
	checkAccount(account);
	ensureMaildir(path(account));
}


std::string Maildir::newFileName(std::uint64_t size, std::uint64_t wireSize, const std::string& id)
{
	const Poco::Timestamp now;
	const auto micros = now.epochMicroseconds();
	const std::string who = id.empty() ? "P" + std::to_string(Poco::Process::id()) : "_" + id + "_";
	return std::to_string(micros / 1000000) + ".M" + std::to_string(micros % 1000000) + who + "Q"
		+ std::to_string(++_counter) + "." + _host + ",S=" + std::to_string(size) + ",W=" + std::to_string(wireSize);
}


void ensureMaildir(const std::string& mailboxPath)
{
	const std::string root = mailboxPath.substr(0, mailboxPath.rfind('/'));
	if (!Poco::File(root).exists())
	{
		Poco::File(root).createDirectories();
		syncDirectory(Poco::Path(root).parent().toString());
	}
	if (makeDirectory(mailboxPath)) syncDirectory(root);
	bool created = false;
	for (const char* sub: {"/tmp", "/new", "/cur"}) created = makeDirectory(mailboxPath + sub) || created;
	if (created) syncDirectory(mailboxPath);
}


std::string maildirUid(std::string_view fileName)
{
	const std::string_view base = fileName.substr(0, fileName.find(':'));
	bool fit = !base.empty() && base.size() <= kMaxUidLength;
	for (unsigned char c: base)
	{
		if (c < 0x21 || c > 0x7e) fit = false;
	}
	if (fit) return std::string(base);
	std::uint64_t hash = 14695981039346656037ull; // FNV-1a, 64 bit: stable across runs and builds
	for (unsigned char c: base)
	{
		hash ^= c;
		hash *= 1099511628211ull;
	}
	static const char kHex[] = "0123456789abcdef";
	std::string uid = "h";
	for (int shift = 60; shift >= 0; shift -= 4) uid += kHex[(hash >> shift) & 0xf];
	return uid;
}


bool maildirSizeHint(std::string_view fileName, std::uint64_t& size, const char* field)
{
	const std::size_t end = fileName.find(':');
	const std::size_t at = fileName.rfind(field, end);
	if (at == std::string::npos) return false;
	std::size_t pos = at + std::char_traits<char>::length(field);
	if (pos >= fileName.size() || fileName[pos] < '0' || fileName[pos] > '9') return false;
	std::uint64_t value = 0;
	while (pos < fileName.size() && fileName[pos] >= '0' && fileName[pos] <= '9')
	{
		if (value > (UINT64_MAX - 9) / 10) return false;
		value = value * 10 + static_cast<unsigned>(fileName[pos] - '0');
		++pos;
	}
	if (pos < fileName.size() && fileName[pos] != ',' && fileName[pos] != ':') return false;
	size = value;
	return true;
}


} // namespace mail
