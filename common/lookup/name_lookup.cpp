// name_lookup.cpp - host name to address over any NameLookup, with the SPEC.md P-record rule.
#include "common/lookup/name_lookup.h"

#include <Poco/Exception.h>


namespace mail {


const char* toString(LookupStatus status)
{
	switch (status)
	{
	case LookupStatus::Ok: return "ok";
	case LookupStatus::NoData: return "nodata";
	case LookupStatus::NxDomain: return "nxdomain";
	case LookupStatus::Timeout: return "timeout";
	case LookupStatus::Failure: return "failure";
	}
	return "unknown";
}


bool isTemporary(LookupStatus status)
{
	return status == LookupStatus::Timeout || status == LookupStatus::Failure;
}


std::string NameLookup::resolveAddress(const std::string& name) const
{
	const auto addresses = a(name);
	if (addresses.ok()) return formatIpv4(addresses.value.front());
	if (isTemporary(addresses.status)) throw Poco::IOException("cannot resolve " + name, toString(addresses.status));
	const auto port = this->port(name);
	if (port.ok()) return formatIpv4(hostAddresses({}, true).front());
	if (!isTemporary(port.status)) throw Poco::NotFoundException("no address for " + name, toString(addresses.status));
	throw Poco::IOException("cannot resolve " + name, toString(port.status));
}


} // namespace mail
