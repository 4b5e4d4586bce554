// tls_context.cpp - the server side TLS context built from `tls:` (cert, key).
#include "server/net/tls_context.h"

#include "common/errors.h"

#include <Poco/File.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>

#include <openssl/ssl.h>


namespace mail {


Poco::Net::Context::Ptr makeServerTlsContext(const std::string& configPath, const ServerConfig& server)
{
	const TlsConfig& tls = server.tls;
	if (!tls.enabled()) return nullptr;
	const std::string prefix = "servers." + server.name + ".tls.";
	for (const auto& [name, path]: {std::pair<const char*, const std::string&>("cert", tls.cert), {"key", tls.key}})
	{
		Poco::File file(path);
		if (!file.exists() || !file.canRead())
			throw ConfigError(configPath, 0, prefix + name, "cannot read " + path + " (scripts/make-cert.sh makes one)");
	}
	Poco::Net::initializeSSL();
	Poco::Net::Context::Params params;
	params.certificateFile = tls.cert;
	params.privateKeyFile = tls.key;
	params.verificationMode = Poco::Net::Context::VERIFY_NONE;
	params.loadDefaultCAs = false;
	try
	{
		Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
		context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
		// No renegotiation: a client could otherwise make us redo handshakes at will.
		SSL_CTX_set_options(context->sslContext(), SSL_OP_NO_RENEGOTIATION);
		return context;
	}
	catch (const Poco::Exception& exc)
	{
		throw ConfigError(configPath, 0, prefix + "cert", "unusable certificate or key: " + exc.displayText());
	}
}


} // namespace mail
