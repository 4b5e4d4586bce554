// maildir.h - the Maildir layout shared by SMTP delivery, POP3 and relay bounces.
//
// DATA/NAME/mail/<account>/{tmp,new,cur}, <account> being the account key as written in the
// config. Files are named `<unix-seconds>.M<microseconds>_<id>_Q<counter>.<host>,S=<size>,W=<wire>`,
// <id> being the message's id from its acceptance (the "queued as" of the 250 reply; a
// message stored without one, e.g. by a test, has `P<pid>` there instead); delivery order
// sorts by the leading time. Files hold LF line ends, as Postfix, Dovecot
// and mutt write them; S= is the file size and W= the RFC 1939 size (CRLF line ends), as
// Dovecot names them. Files written before W= existed hold CRLF and have only S=.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>


namespace mail {


class Maildir
/// Paths and names under one mail root. newFileName() is thread-safe; the rest is const.
{
public:
	explicit Maildir(const std::string& mailRoot, const std::string& hostName = "");
	/// hostName goes into file names; empty: the name of mailRoot's parent directory
	/// (DATA/NAME/mail -> NAME), i.e. the server name.

	const std::string& root() const { return _root; }

	std::string path(const std::string& account) const;
	/// mailRoot/<account>.

	void ensure(const std::string& account) const;
	/// Creates mailRoot/<account>/{tmp,new,cur} durably if missing (see ensureMaildir()).
	/// Throws Poco::InvalidArgumentException for a name that could leave mailRoot.

	std::string newFileName(std::uint64_t size, std::uint64_t wireSize, const std::string& id = "");
	/// A unique name for a message of size octets in the file, wireSize with CRLF, whose
	/// unique part carries the message's id (hex; empty: the process id instead).

private:
	std::string _root;
	std::string _host; ///< with '/' and ':' escaped, as Maildir requires
	std::atomic<unsigned long> _counter{0};
};


void ensureMaildir(const std::string& mailboxPath);
/// Creates the mail root (mailboxPath's parent, with its parents), mailboxPath and its
/// tmp/, new/, cur/ where missing; each new entry is made durable by fsyncing the
/// directory holding it. Throws DurableFileError (or Poco::FileException) on failure.

std::string maildirUid(std::string_view fileName);
/// The unique id of a Maildir file name: the part before ':' when it is 1-70 octets of
/// 0x21-0x7E (RFC 1939 section 7), else "h" + 16 hex digits of its FNV-1a hash.

bool maildirSizeHint(std::string_view fileName, std::uint64_t& size, const char* field = ",S=");
/// The ",S=<size>" field (or another such as ",W=") of a Maildir file name, when present
/// and well-formed.


} // namespace mail
