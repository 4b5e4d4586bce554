// mail_address.cpp - RFC 5321 path and mailbox parsing (MAIL FROM / RCPT TO); pure, no I/O.
#include "common/mail/mail_address.h"

#include <Poco/Net/IPAddress.h>

#include <cctype>
#include <cstring>

using Poco::Net::IPAddress;


namespace mail {


namespace {


bool isAtext(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || (c != '\0' && std::strchr("!#$%&'*+-/=?^_`{|}~", c));
}


/// Dot-string (RFC 5321 4.1.2): atoms of atext separated by single dots.
bool isDotString(const std::string& s)
{
	if (s.empty() || s.front() == '.' || s.back() == '.') return false;
	char previous = '\0';
	for (char c: s)
	{
		if (c == '.')
		{
			if (previous == '.') return false;
		}
		else if (!isAtext(c)) return false;
		previous = c;
	}
	return true;
}


/// Index just past the closing quote of the quoted string starting at text[start] ('"'),
/// or npos when it is not a valid Quoted-string (qtextSMTP / quoted-pairSMTP only).
std::size_t endOfQuoted(const std::string& text, std::size_t start)
{
	for (std::size_t i = start + 1; i < text.size(); ++i)
	{
		const unsigned char c = static_cast<unsigned char>(text[i]);
		if (c == '"') return i + 1;
		if (c == '\\')
		{
			if (++i >= text.size()) return std::string::npos;
			const unsigned char q = static_cast<unsigned char>(text[i]);
			if (q < 32 || q > 126) return std::string::npos;
		}
		else if (c < 32 || c > 126) return std::string::npos;
	}
	return std::string::npos;
}


/// The content of a quoted string without quotes and backslashes.
std::string unquote(const std::string& quoted)
{
	std::string out;
	for (std::size_t i = 1; i + 1 < quoted.size(); ++i)
	{
		if (quoted[i] == '\\') ++i;
		out += quoted[i];
	}
	return out;
}


bool isLdhLabel(const std::string& label)
{
	if (label.empty() || label.size() > 63) return false;
	if (!std::isalnum(static_cast<unsigned char>(label.front()))) return false;
	if (!std::isalnum(static_cast<unsigned char>(label.back()))) return false;
	for (char c: label)
	{
		if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
	}
	return true;
}


bool isIPv4Literal(const std::string& s)
{
	int parts = 0;
	std::size_t i = 0;
	while (i <= s.size())
	{
		std::size_t j = i;
		int value = 0;
		while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && j - i < 3)
		{
			value = value * 10 + (s[j] - '0');
			++j;
		}
		if (j == i || value > 255) return false;
		++parts;
		if (j == s.size()) return parts == 4;
		if (s[j] != '.') return false;
		i = j + 1;
	}
	return false;
}


/// RFC 5321 4.1.3: IPv4, "IPv6:..." or a General-address-literal (tag ":" dcontent).
bool isAddressLiteral(const std::string& inner)
{
	if (isIPv4Literal(inner)) return true;
	const std::size_t colon = inner.find(':');
	if (colon == std::string::npos || colon == 0) return false;
	const std::string tag = inner.substr(0, colon);
	const std::string content = inner.substr(colon + 1);
	if (content.empty()) return false;
	if (tag.size() == 4 && strncasecmp(tag.c_str(), "IPv6", 4) == 0)
	{
		IPAddress ip;
		return IPAddress::tryParse(content, ip) && ip.family() == IPAddress::IPv6;
	}
	if (!isLdhLabel(tag)) return false;
	for (unsigned char c: content)
	{
		if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') return false;
	}
	return true;
}


AddressParse failure(const std::string& reason)
{
	AddressParse result;
	result.error = reason;
	return result;
}


/// `@a,@b:` at the start of a path: checks it and returns its length, or npos.
std::size_t sourceRouteLength(const std::string& content)
{
	std::size_t i = 0;
	while (i < content.size() && content[i] == '@')
	{
		std::size_t end = content.find_first_of(",:", i);
		if (end == std::string::npos || !isValidDomain(content.substr(i + 1, end - i - 1))) return std::string::npos;
		if (content[end] == ':') return end + 1;
		i = end + 1;
	}
	return std::string::npos;
}


} // namespace


std::string MailAddress::address() const
{
	return isNull() ? std::string() : localPart + "@" + domain;
}


bool isValidDomain(const std::string& domain)
{
	if (domain.empty() || domain.size() > kMaxDomain) return false;
	if (domain.front() == '[')
	{
		return domain.size() > 2 && domain.back() == ']' && isAddressLiteral(domain.substr(1, domain.size() - 2));
	}
	std::size_t start = 0;
	while (true)
	{
		const std::size_t dot = domain.find('.', start);
		if (!isLdhLabel(domain.substr(start, dot == std::string::npos ? std::string::npos : dot - start))) return false;
		if (dot == std::string::npos) return true;
		start = dot + 1;
	}
}


AddressParse parseMailbox(const std::string& text)
{
	if (text.empty()) return failure("empty address");
	std::size_t at;
	std::string local;
	if (text.front() == '"')
	{
		const std::size_t end = endOfQuoted(text, 0);
		if (end == std::string::npos) return failure("bad quoted local part");
		local = text.substr(0, end);
		at = end;
		if (at >= text.size() || text[at] != '@') return failure("missing @domain");
		const std::string plain = unquote(local);
		if (isDotString(plain)) local = plain; // "john"@x is john@x
	}
	else
	{
		at = text.find('@');
		if (at == std::string::npos) return failure("missing @domain");
		local = text.substr(0, at);
		if (!isDotString(local)) return failure("bad local part");
	}
	if (local.size() > kMaxLocalPart) return failure("local part longer than 64 octets");
	const std::string domain = text.substr(at + 1);
	if (domain.size() > kMaxDomain) return failure("domain longer than 255 octets");
	if (!isValidDomain(domain)) return failure("bad domain");
	AddressParse result;
	result.ok = true;
	result.address.localPart = local;
	result.address.domain = domain;
	result.consumed = text.size();
	return result;
}


AddressParse parsePath(const std::string& text, bool allowNull)
{
	if (text.empty()) return failure("missing address");
	std::size_t end; // index just past the path
	std::string content;
	if (text.front() == '<')
	{
		std::size_t i = 1;
		while (i < text.size() && text[i] != '>')
		{
			if (text[i] == '"')
			{
				i = endOfQuoted(text, i);
				if (i == std::string::npos) return failure("bad quoted local part");
			}
			else ++i;
		}
		if (i >= text.size()) return failure("missing >");
		content = text.substr(1, i - 1);
		end = i + 1;
		if (end < text.size() && text[end] != ' ') return failure("garbage after >");
	}
	else
	{
		end = text.front() == '"' ? endOfQuoted(text, 0) : 0;
		if (end == std::string::npos) return failure("bad quoted local part");
		end = text.find(' ', end);
		if (end == std::string::npos) end = text.size();
		content = text.substr(0, end);
	}
	if (end > kMaxPath) return failure("path longer than 256 octets");
	if (content.empty())
	{
		if (!allowNull) return failure("null address not allowed here");
		AddressParse result;
		result.ok = true;
		result.consumed = end;
		return result;
	}
	if (content.front() == '@')
	{
		const std::size_t route = sourceRouteLength(content);
		if (route == std::string::npos) return failure("bad source route");
		content.erase(0, route);
	}
	AddressParse result = parseMailbox(content);
	if (result.ok) result.consumed = end;
	return result;
}


std::string domainOf(const std::string& address)
{
	const std::size_t at = address.rfind('@');
	return at == std::string::npos ? std::string() : address.substr(at + 1);
}


} // namespace mail
