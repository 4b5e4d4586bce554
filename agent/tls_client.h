// tls_client.h - the agent's TLS client context for --tls (STARTTLS, STLS).
#pragma once

#include <Poco/Net/Context.h>


namespace mail {


Poco::Net::Context::Ptr clientTlsContext();
/// TLS 1.2 or newer. The server's certificate is not verified: the demo's is
/// self-signed (scripts/make-cert.sh), so --tls keeps the password and the mail away
/// from a passive listener (Wireshark) but not from an active man in the middle.


} // namespace mail
