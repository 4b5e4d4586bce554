// tls_context.h - the server side TLS context built from `tls:` (cert, key).
#pragma once

#include "common/config.h"

#include <Poco/Net/Context.h>


namespace mail {


Poco::Net::Context::Ptr makeServerTlsContext(const std::string& configPath, const ServerConfig& server);
/// A TLS 1.2+ server context holding tls.cert (a PEM chain) and tls.key; no client
/// certificates asked for. Null when TLS is not configured. Throws ConfigError naming
/// tls.cert or tls.key when a file cannot be read or the key does not match the
/// certificate (key servers.NAME.tls.cert), so the server refuses to start (exit 78) rather than run without TLS.


} // namespace mail
