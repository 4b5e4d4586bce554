// mail_address.h - RFC 5321 path and mailbox parsing (MAIL FROM / RCPT TO); pure, no I/O.
#pragma once

#include <cstddef>
#include <string>


namespace mail {


/// RFC 5321 4.5.3.1 size limits.
constexpr std::size_t kMaxLocalPart = 64; ///< octets of a local part
constexpr std::size_t kMaxDomain = 255;   ///< octets of a domain
constexpr std::size_t kMaxPath = 256;     ///< octets of a path including "<" and ">"


struct MailAddress
/// A parsed mailbox. Empty localPart and domain: the null reverse-path `<>`.
{
	std::string localPart; ///< as written (a quoted local part keeps its quotes unless it needs none)
	std::string domain;    ///< as written; a domain name or an address literal "[...]"

	bool isNull() const { return localPart.empty() && domain.empty(); }
	std::string address() const;                               ///< "local@domain", or "" for the null path
	std::string path() const { return "<" + address() + ">"; } ///< "<local@domain>" or "<>"
};


struct AddressParse
/// Result of a parse: ok, or the reason it failed (for a 501 reply and the log).
{
	bool ok = false;
	MailAddress address;
	std::string error;        ///< short English reason when !ok
	std::size_t consumed = 0; ///< octets of the input the path used (parameters follow)
};


AddressParse parseMailbox(const std::string& text);
/// A bare Mailbox: `local@domain` (RFC 5321 4.1.2), the whole text.

AddressParse parsePath(const std::string& text, bool allowNull);
/// A Path at the start of text: `<mailbox>`, `<@a,@b:mailbox>` (the source route is
/// accepted and dropped, RFC 5321 appendix C), or `<>` when allowNull. As Postfix does,
/// the angle brackets may be missing (then the path ends at the first space).
/// `consumed` tells where ESMTP parameters begin.

std::string domainOf(const std::string& address);
/// The domain of "local@domain" as written: the text after the last '@' ("" without one).
/// Compare domains case-insensitively (or lower-case the result).

bool isValidDomain(const std::string& domain);
/// A domain name (letters, digits, hyphens; labels of 1-63 octets) or an address literal,
/// at most kMaxDomain octets.


} // namespace mail
