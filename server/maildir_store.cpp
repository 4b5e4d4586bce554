// maildir_store.cpp - placeholder until the SMTP issue lands.
#include "maildir_store.h"

#include <Poco/Exception.h>


namespace mail {


MaildirStore::MaildirStore(const std::string& mailRoot): _root(mailRoot) {}
std::string MaildirStore::mailboxPath(const std::string& address) const { return _root + "/" + address; }
std::string MaildirStore::deliver(const std::vector<std::string>&, const std::string&)
{
	throw Poco::NotImplementedException("Maildir delivery");
}


} // namespace mail
