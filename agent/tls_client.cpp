// tls_client.cpp - the agent's TLS client context for --tls (STARTTLS, STLS).
#include "agent/tls_client.h"

#include <Poco/Net/NetSSL.h>


namespace mail {


Poco::Net::Context::Ptr clientTlsContext()
{
	static Poco::Net::Context::Ptr context = [] {
		Poco::Net::initializeSSL();
		Poco::Net::Context::Params params;
		params.verificationMode = Poco::Net::Context::VERIFY_NONE;
		params.loadDefaultCAs = false;
		Poco::Net::Context::Ptr made = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
		made->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
		return made;
	}();
	return context;
}


} // namespace mail
