// update_handler.cpp - mail-dns as a registry: signed RFC 2136 UPDATEs for the dns.updates zones.
#include "dns/update_handler.h"

#include "common/dns/dns_message.h"
#include "common/dns/tsig.h"
#include "dns/zone_update.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Path.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

using Poco::Logger;


namespace mail {
namespace dns {


namespace {


std::size_t copyReply(const std::vector<std::uint8_t>& bytes, std::uint8_t* reply, std::size_t capacity)
{
	if (bytes.size() > capacity) return 0;
	std::memcpy(reply, bytes.data(), bytes.size());
	return bytes.size();
}


std::vector<std::uint8_t> replyHeader(const std::uint8_t* query, std::size_t size, std::uint8_t rcode)
/// The reply's header and, when the query's zone section could be read, that section.
{
	Message answer;
	answer.header.id = static_cast<std::uint16_t>((query[0] << 8) | query[1]);
	answer.header.flags = static_cast<std::uint16_t>(FlagQr | (OpcodeUpdate << 11) | rcode);
	WireReader reader(query, size);
	Header header;
	WireName zone;
	Question question;
	if (reader.header(header) && header.qdCount == 1 && reader.name(zone) && reader.u16(question.type)
		&& reader.u16(question.klass))
	{
		question.name = zone.toDotted();
		answer.questions.push_back(question);
	}
	return encodeMessage(answer);
}


void throwErrno(const std::string& what, const std::string& path)
{
	throw Poco::FileException(what + " " + path + ": " + std::strerror(errno));
}


} // namespace


bool isUpdate(const std::uint8_t* message, std::size_t size)
{
	return size >= HeaderSize && (message[2] & 0x80) == 0 && ((message[2] >> 3) & 0xF) == OpcodeUpdate;
}


void writeFileAtomically(const std::string& path, const std::string& text)
{
	const std::string temporary = path + ".tmp." + std::to_string(::getpid());
	const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) throwErrno("cannot create", temporary);
	std::size_t written = 0;
	while (written < text.size())
	{
		const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0 || ::fsync(fd) != 0)
		{
			const int saved = errno;
			::close(fd);
			::unlink(temporary.c_str());
			errno = saved;
			throwErrno("cannot write", temporary);
		}
		written += static_cast<std::size_t>(n);
	}
	if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0)
	{
		const int saved = errno;
		::unlink(temporary.c_str());
		errno = saved;
		throwErrno("cannot replace", path);
	}
	const std::string directory = Poco::Path(path).parent().toString();
	const int dir = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir >= 0)
	{
		::fsync(dir);
		::close(dir);
	}
}


UpdateHandler::UpdateHandler(std::vector<DnsUpdateZone> zones, std::string zonePath, Zone fileZone, Publish publish):
	_zones(std::move(zones)),
	_zonePath(std::move(zonePath)),
	_publish(std::move(publish)),
	_fileZone(std::move(fileZone))
{
}


void UpdateHandler::reload(Zone fileZone)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_fileZone = std::move(fileZone);
}


std::size_t UpdateHandler::refuse(const std::uint8_t* query, std::size_t size, std::uint8_t rcode, const std::string& peer,
	const std::string& zone, const std::string& why, std::uint8_t* reply, std::size_t capacity)
{
	Logger::get("dns").warning("- update refused peer=%s zone=%s rcode=%u reason=%s", peer, zone.empty() ? "-" : zone,
		unsigned(rcode), why);
	return copyReply(replyHeader(query, size, rcode), reply, capacity);
}


std::size_t UpdateHandler::handle(const std::uint8_t* query, std::size_t size, const sockaddr_storage& client,
	std::uint8_t* reply, std::size_t capacity)
{
	if (!isUpdate(query, size)) return 0;
	const socklen_t length = client.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
	const std::string peer = Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&client), length).toString();
	WireReader reader(query, size);
	Header header;
	WireName zoneWire;
	reader.header(header);
	if (header.qdCount != 1 || !reader.name(zoneWire))
		return refuse(query, size, RcodeFormErr, peer, "", "no zone section", reply, capacity);
	zoneWire.toLower();
	const std::string zoneName = zoneWire.toDotted();
	const DnsUpdateZone* zone = nullptr;
	for (const auto& z: _zones)
		if (z.zone == zoneName) zone = &z;
	if (zone == nullptr) return refuse(query, size, RcodeNotAuth, peer, zoneName, "zone not in dns.updates", reply, capacity);

	const auto now = static_cast<std::uint64_t>(std::time(nullptr));
	const TsigCheck check = verifyTsig(
		query, size, [zone](const std::string& name) -> const TsigKey* {
			for (const auto& key: zone->keys)
				if (key.name == name) return &key;
			return nullptr;
		},
		now);
	switch (check.status)
	{
	case TsigStatus::Unsigned: return refuse(query, size, RcodeRefused, peer, zoneName, "unsigned (no TSIG)", reply, capacity);
	case TsigStatus::FormErr: return refuse(query, size, RcodeFormErr, peer, zoneName, "malformed TSIG", reply, capacity);
	case TsigStatus::BadKey:
	case TsigStatus::BadSig:
	{
		Logger::get("dns").warning("- update refused peer=%s zone=%s rcode=%u reason=TSIG %s key=%s", peer, zoneName,
			unsigned(RcodeNotAuth), std::string(toString(check.status)), check.keyName);
		auto bytes = replyHeader(query, size, RcodeNotAuth);
		appendUnsignedTsig(bytes, check, check.status == TsigStatus::BadKey ? TsigBadKey : TsigBadSig);
		return copyReply(bytes, reply, capacity);
	}
	case TsigStatus::BadTime:
	case TsigStatus::Ok: break;
	}
	const TsigKey* key = nullptr;
	for (const auto& k: zone->keys)
		if (k.name == check.keyName) key = &k;

	std::uint8_t rcode = RcodeNoError;
	UpdateResult result;
	if (check.status == TsigStatus::BadTime)
	{
		rcode = RcodeNotAuth;
		result.reason = "TSIG badtime key=" + check.keyName + " signed=" + std::to_string(check.timeSigned);
	}
	else
	{
		const std::vector<std::uint8_t> unsignedMessage = withoutTsig(query, check);
		try
		{
			const Message update = decodeMessage(unsignedMessage.data(), unsignedMessage.size());
			std::lock_guard<std::mutex> lock(_mutex);
			Zone changed = _fileZone;
			result = applyUpdate(changed, zoneName, update);
			rcode = result.rcode;
			if (rcode == RcodeNoError && result.changes > 0)
			{
				writeFileAtomically(_zonePath, zoneText(changed));
				_fileZone = std::move(changed);
				_publish(_fileZone);
			}
		}
		catch (const WireFormatError& exc)
		{
			rcode = RcodeFormErr;
			result.reason = std::string("malformed: ") + exc.what();
		}
		catch (const Poco::Exception& exc)
		{
			rcode = RcodeServFail;
			result.reason = "zone file not written, nothing changed: " + exc.displayText();
			Logger::get("dns").error("- update failed peer=%s zone=%s error=%s", peer, zoneName, exc.displayText());
		}
	}
	if (rcode == RcodeNoError)
		Logger::get("dns").information("- update applied peer=%s zone=%s key=%s changes=%u", peer, zoneName, check.keyName,
			result.changes);
	else
		Logger::get("dns").warning("- update refused peer=%s zone=%s rcode=%u reason=%s", peer, zoneName, unsigned(rcode),
			result.reason);
	auto bytes = replyHeader(query, size, rcode);
	signTsig(bytes, *key, now, check.mac, check.status == TsigStatus::BadTime ? TsigBadTime : TsigNoError);
	return copyReply(bytes, reply, capacity);
}


} // namespace dns
} // namespace mail
