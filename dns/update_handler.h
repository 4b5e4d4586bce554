// update_handler.h - mail-dns as a registry: signed RFC 2136 UPDATEs for the dns.updates zones.
//
// A UDP worker or the TCP server hands it every datagram whose opcode is UPDATE. It
// checks the zone (NOTAUTH for one not listed), the TSIG (REFUSED when unsigned, NOTAUTH
// with BADKEY/BADSIG/BADTIME otherwise), applies the update to the zone as the file holds
// it, writes the file back atomically (a restart keeps the change), and publishes the
// new zone. Every refusal is logged with the peer and the reason. Updates are rare, so
// one mutex serialises them; queries never take it.
#pragma once

#include "common/config/config_registry.h"
#include "common/config/zone.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <sys/socket.h>


namespace mail {
namespace dns {


class UpdateHandler
{
public:
	using Publish = std::function<void(const Zone& fileZone)>;

	UpdateHandler(std::vector<DnsUpdateZone> zones, std::string zonePath, Zone fileZone, Publish publish);

	std::size_t handle(const std::uint8_t* query, std::size_t size, const sockaddr_storage& client, std::uint8_t* reply,
		std::size_t capacity);
	/// The reply to one UPDATE message (written into reply, at most capacity octets); 0: none.

	void reload(Zone fileZone); ///< SIGHUP read the file again: later updates start from it

private:
	std::size_t refuse(const std::uint8_t* query, std::size_t size, std::uint8_t rcode, const std::string& peer,
		const std::string& zone, const std::string& why, std::uint8_t* reply, std::size_t capacity);

	const std::vector<DnsUpdateZone> _zones;
	const std::string _zonePath;
	Publish _publish;
	std::mutex _mutex;
	Zone _fileZone; ///< guarded by _mutex
};


bool isUpdate(const std::uint8_t* message, std::size_t size);
/// A request (QR clear) whose opcode is UPDATE.

void writeFileAtomically(const std::string& path, const std::string& text);
/// A temporary file beside path, written and fsynced, renamed over path, and the
/// directory fsynced; throws Poco::FileException (path, errno text) and leaves no
/// temporary file behind.


} // namespace dns
} // namespace mail
