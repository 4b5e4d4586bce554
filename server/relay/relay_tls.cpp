// relay_tls.cpp - the relay's STARTTLS policy (relay.tls) and its client TLS context.
#include "server/relay/relay_tls.h"

#include <Poco/Net/NetSSL.h>


namespace mail {


RelayTlsPolicy makeRelayTlsPolicy(RelayTls mode, const std::string& caFile)
{
	RelayTlsPolicy policy;
	policy.mode = mode;
	if (mode == RelayTls::None) return policy;
	Poco::Net::initializeSSL();
	Poco::Net::Context::Params params;
	const bool verify = mode == RelayTls::Verify;
	// VERIFY_STRICT: with RELAXED Poco skips the name check for a peer named
	// "localhost" or by a loopback address, which would let such an exchanger through.
	params.verificationMode = verify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
	params.loadDefaultCAs = verify;
	if (verify) params.caLocation = caFile;
	policy.context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
	policy.context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
	return policy;
}


} // namespace mail
