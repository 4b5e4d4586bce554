// console_assets.h - the web console's files, compiled into mail-server.
#pragma once

#include <cstddef>
#include <string>


namespace mail {


struct ConsoleAsset
/// One file of server/console/assets as scripts/embed-console.sh wrote it into the
/// generated console_assets_data.cpp (under build/, never committed).
{
	const char* path;        ///< "/index.html" or "/console/NAME"
	const char* contentType; ///< e.g. "text/javascript; charset=utf-8"
	const unsigned char* data;
	std::size_t size;
};


extern const ConsoleAsset kConsoleAssets[];
extern const std::size_t kConsoleAssetCount;


const ConsoleAsset* findConsoleAsset(const std::string& requestPath);
///< The asset a request path names ("/" is "/index.html"; a query string is ignored), or
///  nullptr. Only exact names match, so no path can reach outside the compiled set.


} // namespace mail
