// version.cpp - the one version string of the project (the VERSION file at the root).
#include "common/base/version.h"

// Only this file is compiled with MAIL_VERSION, so a new version rebuilds one object.
#ifndef MAIL_VERSION
#error "MAIL_VERSION is set by the Makefile from the VERSION file"
#endif


namespace mail {


const char* projectVersion()
{
	return MAIL_VERSION;
}


} // namespace mail
