// event_catalogue_tests.cpp - docs/api.md's table of events says what the catalogue says.
#include <boost/test/unit_test.hpp>

#include "common/journal/event_catalogue.h"

#include <fstream>
#include <string>
#include <vector>


namespace {


/// The backticked words of a table cell outside parentheses: the field names.
std::vector<std::string> fieldsOf(const std::string& cell)
{
	std::vector<std::string> out;
	int depth = 0;
	bool quoted = false;
	std::string word;
	for (char c: cell)
	{
		if (c == '`')
		{
			if (quoted && depth == 0) out.push_back(word);
			quoted = !quoted;
			word.clear();
			continue;
		}
		if (quoted)
		{
			word += c;
			continue;
		}
		if (c == '(') ++depth;
		else if (c == ')' && depth > 0) --depth;
	}
	return out;
}


} // namespace


BOOST_AUTO_TEST_SUITE(event_catalogue_tests)


BOOST_AUTO_TEST_CASE(api_md_lists_every_type_with_its_fields_in_order)
{
	std::ifstream in("docs/api.md");
	BOOST_REQUIRE_MESSAGE(in, "run from the project root");
	std::vector<std::pair<std::string, std::vector<std::string>>> rows;
	for (std::string line; std::getline(in, line);)
	{
		// "| `type` | `field`, `field` (note), ... |"
		if (line.compare(0, 3, "| `") != 0) continue;
		const std::size_t typeEnd = line.find('`', 3);
		const std::size_t cell = line.find('|', typeEnd);
		if (typeEnd == std::string::npos || cell == std::string::npos) continue;
		const std::string type = line.substr(3, typeEnd - 3);
		if (type.find('.') == std::string::npos || type.find(' ') != std::string::npos) continue; // another table
		rows.emplace_back(type, fieldsOf(line.substr(cell + 1)));
	}
	const auto& catalogue = mail::eventCatalogue();
	BOOST_REQUIRE_EQUAL(rows.size(), catalogue.size());
	for (std::size_t i = 0; i < rows.size(); ++i)
	{
		BOOST_TEST(rows[i].first == catalogue[i].type, "row " << i);
		std::string got, want;
		for (const auto& f: rows[i].second) got += f + " ";
		for (const auto& f: catalogue[i].fields) want += f + " ";
		BOOST_TEST(got == want, catalogue[i].type << ": docs/api.md has " << got << "| the catalogue " << want);
	}
}


BOOST_AUTO_TEST_SUITE_END()
