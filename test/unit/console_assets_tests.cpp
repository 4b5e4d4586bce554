// console_assets_tests.cpp - the web console compiled into mail-server: paths, content
// types, every module import resolvable, and nothing the CSP of docs/api.md would block.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/console/console_assets.h"

#include <regex>
#include <string>

using mail::findConsoleAsset;
using mail::kConsoleAssetCount;
using mail::kConsoleAssets;


namespace {


std::string textOf(const mail::ConsoleAsset& asset)
{
	return std::string(reinterpret_cast<const char*>(asset.data), asset.size);
}


bool endsWith(const std::string& s, const std::string& tail)
{
	return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}


} // namespace


BOOST_AUTO_TEST_SUITE(console_assets_tests)


BOOST_AUTO_TEST_CASE(the_page_is_served_at_root_and_index_html)
{
	const struct
	{
		const char* path;
		bool found;
	} rows[] = {
		{"/", true},
		{"/index.html", true},
		{"/index.html?v=1", true},
		{"/console/app.js", true},
		{"/console/console.css", true},
		{"/console/../index.html", false},
		{"/console/nope.js", false},
		{"/app.js", false},
		{"", false},
		{"/console/", false},
	};
	for (const auto& row: rows)
	{
		BOOST_CHECK_MESSAGE((findConsoleAsset(row.path) != nullptr) == row.found,
			row.path << ": found " << (findConsoleAsset(row.path) != nullptr) << ", want " << row.found);
	}
	BOOST_TEST(findConsoleAsset("/") == findConsoleAsset("/index.html"));
	BOOST_TEST(std::string(findConsoleAsset("/")->contentType) == "text/html; charset=utf-8");
}


BOOST_AUTO_TEST_CASE(every_asset_has_bytes_and_the_type_of_its_name)
{
	BOOST_REQUIRE(kConsoleAssetCount >= 3);
	for (std::size_t i = 0; i < kConsoleAssetCount; ++i)
	{
		const auto& asset = kConsoleAssets[i];
		const std::string path = asset.path;
		const std::string type = asset.contentType;
		BOOST_CHECK_MESSAGE(asset.size > 0, path << " is empty");
		if (endsWith(path, ".js")) BOOST_CHECK_MESSAGE(type == "text/javascript; charset=utf-8", path << ": " << type);
		if (endsWith(path, ".css")) BOOST_CHECK_MESSAGE(type == "text/css; charset=utf-8", path << ": " << type);
		BOOST_CHECK_MESSAGE(path == "/index.html" || path.rfind("/console/", 0) == 0, path << " outside /console/");
		BOOST_CHECK_MESSAGE(findConsoleAsset(path) == &asset, path << " not found by its own path");
	}
}


BOOST_AUTO_TEST_CASE(every_module_import_names_a_compiled_asset)
{
	// A missing module fails only in the browser, with a blank page; catch it here.
	const std::regex import(R"(from '\./([A-Za-z0-9_.-]+)')");
	int imports = 0;
	for (std::size_t i = 0; i < kConsoleAssetCount; ++i)
	{
		const std::string text = textOf(kConsoleAssets[i]);
		for (std::sregex_iterator it(text.begin(), text.end(), import), end; it != end; ++it)
		{
			++imports;
			const std::string target = "/console/" + (*it)[1].str();
			BOOST_CHECK_MESSAGE(findConsoleAsset(target), kConsoleAssets[i].path << " imports " << target << ", which is not compiled in");
		}
	}
	BOOST_TEST(imports > 5);
}


BOOST_AUTO_TEST_CASE(nothing_the_content_security_policy_blocks)
{
	// docs/api.md: script-src 'self'; style-src 'self' (no inline scripts or styles, no eval);
	// and data from the server reaches the page as text, never as markup (no innerHTML).
	const std::string page = textOf(*findConsoleAsset("/index.html"));
	const std::regex inlineScript(R"(<script(?![^>]*\bsrc=)[^>]*>)", std::regex::icase);
	BOOST_CHECK_MESSAGE(!std::regex_search(page, inlineScript), "index.html has an inline <script>");
	BOOST_CHECK_MESSAGE(page.find("<style") == std::string::npos, "index.html has a <style> element");
	BOOST_CHECK_MESSAGE(page.find(" style=") == std::string::npos, "index.html has a style attribute");
	BOOST_CHECK_MESSAGE(!std::regex_search(page, std::regex(R"(\son[a-z]+=)")), "index.html has an inline event handler");
	const char* banned[] = {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "style:"};
	for (std::size_t i = 0; i < kConsoleAssetCount; ++i)
	{
		if (!endsWith(kConsoleAssets[i].path, ".js")) continue;
		const std::string text = textOf(kConsoleAssets[i]);
		for (const char* word: banned)
		{
			BOOST_CHECK_MESSAGE(text.find(word) == std::string::npos, kConsoleAssets[i].path << " uses " << word);
		}
	}
}


BOOST_AUTO_TEST_SUITE_END()
