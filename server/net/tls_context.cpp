// tls_context.cpp - the server side TLS context built from `tls:` (cert, key).
#include "server/net/tls_context.h"

#include "common/base/errors.h"

#include <Poco/File.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>

#include <openssl/ssl.h>


namespace mail {


namespace {


std::string versionName(int version)
/// OpenSSL's names (SSL_get_version), from the session rather than the SSL object Poco hides.
{
	switch (version)
	{
	case TLS1_2_VERSION: return "TLSv1.2";
	case TLS1_3_VERSION: return "TLSv1.3";
	default: return "TLS(" + std::to_string(version) + ")";
	}
}


} // namespace


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


std::string tlsDescription(Poco::Net::SecureStreamSocket& socket)
{
	const Poco::Net::Session::Ptr session = socket.currentSession();
	if (!session || !session->sslSession()) return {};
	const SSL_CIPHER* cipher = SSL_SESSION_get0_cipher(session->sslSession());
	if (!cipher) return {};
	int algorithmBits = 0;
	const int bits = SSL_CIPHER_get_bits(cipher, &algorithmBits);
	return versionName(SSL_SESSION_get_protocol_version(session->sslSession())) + " with cipher " + SSL_CIPHER_get_name(cipher)
		+ " (" + std::to_string(bits) + "/" + std::to_string(algorithmBits) + " bits)";
}


} // namespace mail
