// config_fuzz.cpp - libFuzzer target: the config and zone loaders on arbitrary files.
//
// Whatever the file holds, loadConfig and loadZone either return or throw ConfigError
// (file, line, key); nothing else escapes, nothing crashes, and deep nesting is refused
// before yaml-cpp recurses.
#include "common/config/config.h"
#include "common/base/errors.h"
#include "common/config/zone.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>


extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
	static const std::string path = "/tmp/config_fuzz." + std::to_string(::getpid()) + ".yaml";
	{
		std::ofstream out(path, std::ios::binary | std::ios::trunc);
		out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
	}
	try
	{
		mail::loadConfig(path);
	}
	catch (const mail::ConfigError& exc)
	{
		if (exc.file() != path) std::abort();
	}
	try
	{
		mail::loadZone(path);
	}
	catch (const mail::ConfigError&)
	{
	}
	return 0;
}
