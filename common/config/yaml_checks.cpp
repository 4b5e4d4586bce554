// yaml_checks.cpp - checked reading of yaml-cpp nodes for the config and zone loaders.
#include "common/config/yaml_checks.h"

#include "common/base/errors.h"

#include <Poco/File.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>


namespace mail {


int lineOf(const YAML::Node& node)
{
	const YAML::Mark mark = node.Mark();
	return mark.line >= 0 ? mark.line + 1 : 0;
}


void failAt(const YAML::Node& node, const std::string& key, const std::string& message)
{
	throw NodeError(lineOf(node), key, message);
}


namespace {


/// Deeper nesting is refused before yaml-cpp, which recurses once per level, parses it.
constexpr int kMaxNesting = 64;


class DocumentStarts: public YAML::EventHandler
/// Only where a document starts; everything else in the event stream is ignored.
{
public:
	int line = 0; ///< 1-based line of the last document start seen

	void OnDocumentStart(const YAML::Mark& mark) override { line = mark.line >= 0 ? mark.line + 1 : 0; }
	void OnDocumentEnd() override {}
	void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
	void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
	void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
	void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
	void OnSequenceEnd() override {}
	void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
	void OnMapEnd() override {}
};


int secondDocument(const std::string& text)
/// The line where a second document starts, or 0. Not YAML::LoadAll: on some malformed
/// input yaml-cpp 0.7's parser stops advancing and LoadAll appends empty documents until
/// memory runs out (found by config_fuzz; yaml-cpp PR #1319). Two steps are all we need.
{
	std::istringstream stream(text);
	YAML::Parser parser(stream);
	DocumentStarts starts;
	if (!parser.HandleNextDocument(starts)) return 0;
	return parser.HandleNextDocument(starts) ? std::max(starts.line, 1) : 0;
}


int nestingTooDeep(const std::string& text)
/// The line where flow brackets or compact "- - -" sequences nest deeper than
/// kMaxNesting, or 0. Quoted scalars and comments are skipped.
{
	int line = 1;
	int flow = 0;
	int dashes = 0;
	bool lineStart = true;
	for (std::size_t i = 0; i < text.size(); ++i)
	{
		const char c = text[i];
		if (c == '\n')
		{
			++line;
			dashes = 0;
			lineStart = true;
			continue;
		}
		if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n'))
		{
			while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
			continue;
		}
		if (c == '"' || c == '\'')
		{
			for (++i; i < text.size() && text[i] != c; ++i)
			{
				if (c == '"' && text[i] == '\\') ++i;
				else if (text[i] == '\n') ++line;
			}
			lineStart = false;
			continue;
		}
		if (lineStart && c == '-' && (i + 1 == text.size() || text[i + 1] == ' '))
			++dashes;
		else if (c != ' ' && c != '\t')
			lineStart = false;
		if (c == '[' || c == '{') ++flow;
		else if ((c == ']' || c == '}') && flow > 0) --flow;
		if (flow + dashes > kMaxNesting) return line;
	}
	return 0;
}


} // namespace


YAML::Node loadYamlFile(const std::string& path)
{
	if (Poco::File(path).exists() && Poco::File(path).isDirectory())
		throw ConfigError(path, 0, "", "is a directory, expected a YAML file");
	std::ifstream in(path);
	if (!in) throw ConfigError(path, 0, "", "cannot open file");
	std::ostringstream content;
	content << in.rdbuf();
	const std::string text = content.str();
	if (const int line = nestingTooDeep(text))
		throw ConfigError(path, line, "", "nested deeper than " + std::to_string(kMaxNesting) + " levels");
	try
	{
		// Silently using the first document would hide half of what the user wrote.
		if (const int line = secondDocument(text))
			throw ConfigError(path, line, "", "a second YAML document (after ---): one file holds one document");
		return YAML::Load(text);
	}
	catch (const YAML::Exception& exc)
	{
		throw ConfigError(path, exc.mark.line >= 0 ? exc.mark.line + 1 : 0, "", "YAML syntax error: " + exc.msg);
	}
}


void requireMap(const YAML::Node& node, const std::string& key)
{
	if (!node.IsMap()) failAt(node, key, node.IsNull() ? "must not be empty (expected a map)" : "expected a map");
	checkNoDuplicateKeys(node, key);
}


void checkNoDuplicateKeys(const YAML::Node& map, const std::string& key)
{
	std::set<std::string> seen;
	for (const auto& item: map)
	{
		if (!item.first.IsScalar()) failAt(item.first, key, "keys must be plain names");
		if (!seen.insert(item.first.Scalar()).second)
			failAt(item.first, childKey(key, item.first.Scalar()), "duplicate key");
	}
}


void checkKeys(const YAML::Node& map, const std::string& key, std::initializer_list<const char*> allowed)
{
	requireMap(map, key);
	for (const auto& item: map)
	{
		const std::string& name = item.first.Scalar();
		bool known = false;
		for (const char* a: allowed) known = known || name == a;
		if (!known)
		{
			std::string list;
			for (const char* a: allowed) list += (list.empty() ? "" : ", ") + std::string(a);
			failAt(item.first, childKey(key, name), "unknown key (expected one of: " + list + ")");
		}
	}
}


std::string childKey(const std::string& parent, const std::string& child)
{
	return parent.empty() ? child : parent + "." + child;
}


std::string readScalar(const YAML::Node& node, const std::string& key)
{
	if (!node.IsDefined() || node.IsNull()) failAt(node, key, "missing value");
	if (!node.IsScalar()) failAt(node, key, "expected a single value, not a map or list");
	if (node.Scalar().empty()) failAt(node, key, "must not be empty");
	return node.Scalar();
}


std::uint64_t readUnsigned(const YAML::Node& node, const std::string& key, std::uint64_t min, std::uint64_t max)
{
	const std::string text = readScalar(node, key);
	std::uint64_t value = 0;
	for (char c: text)
	{
		if (!std::isdigit(static_cast<unsigned char>(c)))
			failAt(node, key, "expected a whole number, got '" + text + "'");
		if (value > (UINT64_MAX - 9) / 10) failAt(node, key, "number too large: " + text);
		value = value * 10 + static_cast<unsigned>(c - '0');
	}
	if (value < min || value > max)
		failAt(node, key, "out of range (" + std::to_string(min) + " to " + std::to_string(max) + "): " + text);
	return value;
}


std::uint16_t readPort(const YAML::Node& node, const std::string& key)
{
	return static_cast<std::uint16_t>(readUnsigned(node, key, 1, 65535));
}


bool readBool(const YAML::Node& node, const std::string& key)
{
	const std::string text = readScalar(node, key);
	if (text == "true" || text == "yes" || text == "on") return true;
	if (text == "false" || text == "no" || text == "off") return false;
	failAt(node, key, "expected true or false, got '" + text + "'");
}


Seconds readDuration(const YAML::Node& node, const std::string& key)
{
	const std::string text = readScalar(node, key);
	try
	{
		return parseDuration(text);
	}
	catch (const std::invalid_argument& exc)
	{
		failAt(node, key, exc.what());
	}
}


bool parseIPv4(const std::string& text, std::uint32_t& address)
{
	std::uint32_t result = 0;
	int parts = 0;
	std::size_t i = 0;
	while (parts < 4)
	{
		std::size_t start = i;
		unsigned part = 0;
		while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 3)
			part = part * 10 + static_cast<unsigned>(text[i++] - '0');
		if (i == start || part > 255) return false;
		if (i - start > 1 && text[start] == '0') return false;
		result = (result << 8) | part;
		++parts;
		if (parts < 4)
		{
			if (i >= text.size() || text[i] != '.') return false;
			++i;
		}
	}
	if (i != text.size()) return false;
	address = result;
	return true;
}


std::uint32_t readIPv4(const YAML::Node& node, const std::string& key)
{
	const std::string text = readScalar(node, key);
	std::uint32_t address = 0;
	if (!parseIPv4(text, address)) failAt(node, key, "expected an IPv4 address, got '" + text + "'");
	return address;
}


bool isValidDomainName(const std::string& input)
{
	std::string name = input;
	if (!name.empty() && name.back() == '.') name.pop_back();
	if (name.empty() || name.size() > 253) return false;
	std::size_t start = 0;
	while (start <= name.size())
	{
		std::size_t end = name.find('.', start);
		if (end == std::string::npos) end = name.size();
		const std::size_t length = end - start;
		if (length == 0 || length > 63) return false;
		if (name[start] == '-' || name[end - 1] == '-') return false;
		for (std::size_t i = start; i < end; ++i)
		{
			const unsigned char c = static_cast<unsigned char>(name[i]);
			if (!std::isalnum(c) && c != '-' && c != '_') return false;
		}
		start = end + 1;
	}
	// The last label (the top-level domain) is never all digits (RFC 3696 2), which
	// keeps numbers and IPv4 addresses from passing as host names.
	const std::size_t lastDot = name.rfind('.');
	const std::string top = lastDot == std::string::npos ? name : name.substr(lastDot + 1);
	return top.find_first_not_of("0123456789") != std::string::npos;
}


DnsServerAddress readHostPort(const YAML::Node& node, const std::string& key)
/// "IPV4:PORT" ("localhost" meaning 127.0.0.1), as dns.listen and dns.resolvers take it.
{
	const std::string text = readScalar(node, key);
	const std::size_t colon = text.rfind(':');
	if (colon == std::string::npos) failAt(node, key, "expected HOST:PORT, got '" + text + "'");
	DnsServerAddress result;
	result.host = text.substr(0, colon);
	if (result.host == "localhost") result.host = "127.0.0.1";
	std::uint32_t address = 0;
	if (!parseIPv4(result.host, address)) failAt(node, key, "expected an IPv4 address before ':', got '" + result.host + "'");
	YAML::Node port(text.substr(colon + 1));
	try
	{
		result.port = readPort(port, key);
	}
	catch (const NodeError& exc)
	{
		failAt(node, key, std::string("port: ") + exc.what());
	}
	return result;
}


} // namespace mail
