// version.h - the one version string of the project (the VERSION file at the root).
#pragma once


namespace mail {


const char* projectVersion();
///< e.g. "0.2.0"; the Makefile compiles version.cpp with the VERSION file's contents.


} // namespace mail
