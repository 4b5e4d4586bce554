// tls_context.h - the server side TLS context built from `tls:` (cert, key).
#pragma once

#include "common/config/config.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>

#include <string>


namespace mail {


Poco::Net::Context::Ptr makeServerTlsContext(const std::string& configPath, const ServerConfig& server);
/// A TLS 1.2+ server context holding tls.cert (a PEM chain) and tls.key; no client
/// certificates asked for. Null when TLS is not configured. Throws ConfigError naming
/// tls.cert or tls.key when a file cannot be read or the key does not match the
/// certificate (key servers.NAME.tls.cert), so the server refuses to start (exit 78) rather than run without TLS.


std::string tlsDescription(Poco::Net::SecureStreamSocket& socket);
/// What a completed handshake chose, as Postfix writes it in Received and its logs:
/// "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)"; empty before the handshake.


} // namespace mail
