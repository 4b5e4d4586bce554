// console_assets.cpp - looks up the compiled-in console files by request path.
#include "server/console/console_assets.h"


namespace mail {


const ConsoleAsset* findConsoleAsset(const std::string& requestPath)
{
	std::string path = requestPath.substr(0, requestPath.find('?'));
	if (path == "/") path = "/index.html";
	for (std::size_t i = 0; i < kConsoleAssetCount; ++i)
	{
		if (path == kConsoleAssets[i].path) return &kConsoleAssets[i];
	}
	return nullptr;
}


} // namespace mail
