// maildir_store.h - durable delivery into per-account Maildirs (DATA/NAME/mail/<address>/).
#pragma once

#include <string>
#include <vector>


namespace mail {


class MaildirStore
{
public:
	explicit MaildirStore(const std::string& mailRoot);

	std::string mailboxPath(const std::string& address) const;
		/// mailRoot/<address>, the address as the account is written in the config.

	std::string deliver(const std::vector<std::string>& addresses, const std::string& message);
		/// Stores the message once in each mailbox: tmp/ -> fsync -> rename into new/ -> fsync
		/// of new/. Returns only when every copy is durable; returns the Maildir base name.
		/// Throws Poco::Exception on failure, leaving no partial file in any new/.

private:
	std::string _root;
};


} // namespace mail
